"""`--state FILE`: zoomsim run as a real process keeps its meetings and tokens across a restart,
whether it was stopped politely (SIGTERM flushes) or killed (the debounced write already ran)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.support.waiting import eventually, free_port
from tests.support.zoomsim_server import ROOT, TEST_SEED


@contextmanager
def zoomsim_process(port: int, state_file: Path) -> Iterator[subprocess.Popen[bytes]]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "zoomsim", "--port", str(port), "--seed", str(TEST_SEED)]
    process = subprocess.Popen(
        [*command, "--state", str(state_file)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:

        def answering() -> bool:
            if process.poll() is not None:
                raise RuntimeError(f"zoomsim did not start: {process.stderr}")
            try:
                return httpx.get(f"http://127.0.0.1:{port}/_sim/health").status_code == 200
            except httpx.TransportError:
                return False

        eventually(answering, timeout=15, explain=lambda: "zoomsim did not start")
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def s2s_token(base_url: str) -> str:
    response = httpx.post(
        f"{base_url}/oauth/token",
        data={"grant_type": "account_credentials", "account_id": "acct-acme"},
        auth=("acme-s2s-client-id", "acme-s2s-secret"),
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def create_meeting(base_url: str, token: str) -> int:
    response = httpx.post(
        f"{base_url}/v2/users/acme-host/meetings",
        headers={"Authorization": f"Bearer {token}"},
        json={"topic": "Survives restarts", "type": 2, "start_time": "2030-01-10T15:00:00Z"},
    )
    assert response.status_code == 201, response.text
    meeting_id: int = response.json()["id"]
    return meeting_id


def get_meeting(base_url: str, token: str, meeting_id: int) -> httpx.Response:
    return httpx.get(
        f"{base_url}/v2/meetings/{meeting_id}", headers={"Authorization": f"Bearer {token}"}
    )


def get_me(base_url: str, token: str) -> dict[str, Any]:
    response = httpx.get(f"{base_url}/v2/users/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    me: dict[str, Any] = response.json()
    return me


def test_meeting_and_token_survive_sigterm_and_restart(tmp_path: Path) -> None:
    port, state_file = free_port(), tmp_path / "state.json"
    base_url = f"http://127.0.0.1:{port}"
    with zoomsim_process(port, state_file) as process:
        token = s2s_token(base_url)
        meeting_id = create_meeting(base_url, token)
        me_before = get_me(base_url, token)
        httpx.patch(f"{base_url}/_sim/knobs", json={"latency_ms": 1})
        # Sent at once, within the write debounce: only the shutdown flush can save the knob.
        process.send_signal(signal.SIGTERM)
        # uvicorn shuts down gracefully, then re-raises the signal it caught.
        assert process.wait(timeout=10) in (0, -signal.SIGTERM)

    assert state_file.exists()
    with zoomsim_process(port, state_file):
        response = get_meeting(base_url, token, meeting_id)
        assert response.status_code == 200
        assert response.json()["topic"] == "Survives restarts"
        assert httpx.get(f"{base_url}/_sim/knobs").json()["latency_ms"] == 1
        # The same user, field for field (account_number once came from Python's salted hash()).
        assert get_me(base_url, token) == me_before


def test_a_killed_process_has_already_written_its_changes(tmp_path: Path) -> None:
    port, state_file = free_port(), tmp_path / "state.json"
    base_url = f"http://127.0.0.1:{port}"
    with zoomsim_process(port, state_file) as process:
        token = s2s_token(base_url)
        meeting_id = create_meeting(base_url, token)
        time.sleep(1.0)  # longer than the write debounce
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    with zoomsim_process(port, state_file):
        assert get_meeting(base_url, token, meeting_id).status_code == 200


def test_reset_after_restart_goes_back_to_the_seed(tmp_path: Path) -> None:
    port, state_file = free_port(), tmp_path / "state.json"
    base_url = f"http://127.0.0.1:{port}"
    with zoomsim_process(port, state_file):
        token = s2s_token(base_url)
        meeting_id = create_meeting(base_url, token)
        assert httpx.post(f"{base_url}/_sim/reset").json() == {"reset": True, "seeded": True}
        saved = httpx.post(f"{base_url}/_sim/save").json()
        assert saved == {"saved": True, "path": str(state_file)}
        assert get_meeting(base_url, token, meeting_id).json()["code"] == 124  # token gone too

    with zoomsim_process(port, state_file):
        assert httpx.get(f"{base_url}/_sim/meetings").json()["meetings"] == []
        users = httpx.get(f"{base_url}/_sim/users").json()["users"]
        assert len(users) == 14
