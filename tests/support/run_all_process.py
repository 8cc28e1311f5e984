"""`make run`'s supervisor (scripts/run_all.py) running for real in the background, on free ports
and a scratch var/ folder, its output collected: for the tests of the embedded default."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.waiting import eventually, free_port

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"run_all: started (\w+) \(pid (\d+)\)")


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Supervised:
    """run_all.py in the background, its output collected line by line."""

    def __init__(self, var_dir: Path) -> None:
        self.web_port, self.zoomsim_port = free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
        self.process = subprocess.Popen(
            [
                sys.executable, "scripts/run_all.py",
                "--web-port", str(self.web_port),
                "--zoomsim-port", str(self.zoomsim_port),
                "--var-dir", str(var_dir),
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def children(self) -> dict[str, int]:
        return {name: int(pid) for name, pid in STARTED.findall(self.output)}

    def wait_for(self, text: str, timeout: float) -> None:
        def appeared() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"run_all exited before {text!r}; output:\n{self.output}")
            return text in self.output

        eventually(
            appeared,
            timeout=timeout,
            interval=0.2,
            explain=lambda: f"{text!r} never appeared; output:\n{self.output}",
        )


@pytest.fixture(name="supervised")
def running_stack(tmp_path: Path) -> Iterator[Supervised]:
    """`make run`'s stack on free ports; whatever is left of it is killed afterwards."""
    running = Supervised(tmp_path / "var")
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()
    for pid in running.children().values():
        if process_exists(pid):
            os.killpg(pid, signal.SIGKILL)
