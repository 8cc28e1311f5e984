"""`make run` (scripts/run_all.py) starts Campus, the worker and zoomsim, and stops them all."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
STARTED = re.compile(r"run_all: started (\w+) \(pid (\d+)\)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


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
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{text!r} never appeared; output:\n{self.output}")
            time.sleep(0.2)


@pytest.fixture
def supervised(tmp_path: Path) -> Iterator[Supervised]:
    running = Supervised(tmp_path / "var")
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.wait()
    for pid in running.children().values():
        if process_exists(pid):
            os.killpg(pid, signal.SIGKILL)


def test_run_all_starts_everything_and_ctrl_c_stops_every_child(
    supervised: Supervised, tmp_path: Path
) -> None:
    supervised.wait_for("Ctrl-C stops everything.", timeout=90)
    supervised.wait_for("campus@", timeout=30)  # the worker's banner: it is consuming

    web = httpx.get(f"http://127.0.0.1:{supervised.web_port}/sign-in/", timeout=5)
    zoom = httpx.get(f"http://127.0.0.1:{supervised.zoomsim_port}/v2/users/me", timeout=5)
    assert web.status_code == 200
    assert b"Sign in to Campus" in web.content
    assert zoom.status_code == 401
    assert set(supervised.children()) == {"zoomsim", "web", "worker"}
    assert "admin@campus.test" in supervised.output
    assert "admin@acme.test          zoom-admin" in supervised.output
    assert (tmp_path / "var" / "campus.sqlite3").exists()

    supervised.process.send_signal(signal.SIGINT)

    assert supervised.process.wait(timeout=15) == 0
    supervised.reader.join(timeout=5)
    assert "run_all: everything stopped" in supervised.output
    assert not [name for name, pid in supervised.children().items() if process_exists(pid)]
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{supervised.web_port}/", timeout=2)


def test_a_child_dying_stops_all_the_others(supervised: Supervised) -> None:
    supervised.wait_for("Ctrl-C stops everything.", timeout=90)
    children = supervised.children()

    os.kill(children["zoomsim"], signal.SIGKILL)

    assert supervised.process.wait(timeout=15) == 1
    supervised.reader.join(timeout=5)
    assert "zoomsim exited with code -9; stopping everything else" in supervised.output
    assert not [name for name, pid in children.items() if process_exists(pid)]
