"""`make run`'s supervisor (scripts/run_all.py) running for real in the background, on free ports
and a scratch var/ folder, its output collected: for the tests of the embedded default.

`output` is what the terminal shows; `log` is the full log file run_all writes under var/.
"""

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
STARTED = re.compile(r"run_all: started (\w+) \(pid (\d+)")


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def group_exists(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


class Supervised:
    """run_all.py in the background (or `make run`, with `via_make`), its output collected."""

    def __init__(
        self, var_dir: Path, *, via_make: bool = False, web_port: int | None = None
    ) -> None:
        self.var_dir = var_dir
        self.web_port, self.zoomsim_port = web_port or free_port(), free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
        if via_make:
            env["CAMPUS_VAR_DIR"] = str(var_dir)
            command = [
                "make",
                "--no-print-directory",
                "run",
                f"WEB_PORT={self.web_port}",
                f"ZOOMSIM_PORT={self.zoomsim_port}",
            ]
        else:
            command = [
                sys.executable,
                "scripts/run_all.py",
                "--web-port",
                str(self.web_port),
                "--zoomsim-port",
                str(self.zoomsim_port),
                "--var-dir",
                str(var_dir),
            ]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            # Its own process group, as a terminal's foreground job: Ctrl-C is a SIGINT to it.
            start_new_session=True,
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
        """What the terminal shows."""
        return "\n".join(self.lines)

    @property
    def log(self) -> str:
        """The full log file."""
        path = self.var_dir / "log" / "run_all.log"
        return path.read_text(encoding="utf-8") if path.exists() else ""

    def children(self) -> dict[str, int]:
        """Each child's latest pid."""
        return {name: int(pid) for name, pid in STARTED.findall(self.output)}

    def wait_for(self, text: str, timeout: float, *, in_log: bool = False) -> None:
        def appeared() -> bool:
            if self.process.poll() is not None:
                raise AssertionError(f"run_all exited before {text!r}; output:\n{self.output}")
            return text in (self.log if in_log else self.output)

        eventually(
            appeared,
            timeout=timeout,
            interval=0.2,
            explain=lambda: f"{text!r} never appeared; output:\n{self.output}",
        )

    def ctrl_c(self) -> None:
        os.killpg(self.process.pid, signal.SIGINT)

    def stop(self) -> None:
        """Whatever is left of it is killed."""
        if self.process.poll() is None:
            self.ctrl_c()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        for pid in STARTED.findall(self.output):
            if group_exists(int(pid[1])):
                os.killpg(int(pid[1]), signal.SIGKILL)


@pytest.fixture(name="supervised")
def running_stack(tmp_path: Path) -> Iterator[Supervised]:
    """`make run`'s stack on free ports; whatever is left of it is killed afterwards."""
    running = Supervised(tmp_path / "var")
    yield running
    running.stop()
