"""`make run` (scripts/run_all.py) starts Campus, the worker and zoomsim, and stops them all."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import httpx
import pytest

from tests.support.run_all_process import Supervised, process_exists


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
