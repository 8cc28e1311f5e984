"""Everything Campus creates under var/ is private to its owner: folders 0700, files 0600 (the
database with its WAL and SHM, the keys, mail, media, the Celery broker's folders), even when the
process is started from a shell whose umask is the usual 022."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import httpx

from tests.support.waiting import eventually, free_port
from zoomsim.state import State

ROOT = Path(__file__).resolve().parents[2]


def modes_after_campus_ran(var_dir: Path) -> dict[str, int]:
    env = {
        **os.environ,
        "CAMPUS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "campus.settings",
    }
    for name in ("DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_HOST", "FIELD_ENCRYPTION_KEYS"):
        env.pop(name, None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        umask=0o022,
        timeout=120,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", "import tests.campus.var_writer"],
        cwd=ROOT,
        env=env,
        check=True,
        umask=0o022,
        capture_output=True,
        text=True,
        timeout=120,
    )
    modes: dict[str, int] = json.loads(result.stdout.strip().splitlines()[-1])
    return modes


def assert_private(var_dir: Path, modes: dict[str, int]) -> None:
    loose = {
        name: oct(mode)
        for name, mode in modes.items()
        if mode != (0o700 if (var_dir / name).is_dir() else 0o600)
    }
    assert loose == {}


def test_a_fresh_var_folder_is_made_private(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"

    modes = modes_after_campus_ran(var_dir)

    # Every kind of file is there to be checked.
    for expected in [
        ".",
        "campus.sqlite3",
        "campus.sqlite3-wal",
        "campus.sqlite3-shm",
        "secret.key",
        "fernet.key",
        "mail",
        "media/recordings/private.mp4",
        "celery/queue",
        "celery/processed",
        "celery/control",
    ]:
        assert expected in modes, sorted(modes)
    assert any(name.startswith("mail/") for name in modes)
    assert any(name.startswith("celery/queue/") for name in modes)
    assert_private(var_dir, modes)


def test_a_var_folder_left_readable_by_an_earlier_version_is_tightened(tmp_path: Path) -> None:
    var_dir = tmp_path / "var"
    (var_dir / "mail").mkdir(parents=True)
    (var_dir / "campus.sqlite3").touch()
    (var_dir / "campus.sqlite3-wal").touch()
    for path in (var_dir, var_dir / "mail"):
        path.chmod(0o755)
    for path in (var_dir / "campus.sqlite3", var_dir / "campus.sqlite3-wal"):
        path.chmod(0o644)

    modes = modes_after_campus_ran(var_dir)

    assert_private(var_dir, modes)


def test_zoomsims_state_is_saved_private_whatever_the_umask(tmp_path: Path) -> None:
    before = os.umask(0o022)
    try:
        State().save(tmp_path / "zoomsim" / "state.json")
    finally:
        os.umask(before)

    assert stat.S_IMODE((tmp_path / "zoomsim").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "zoomsim" / "state.json").stat().st_mode) == 0o600


def test_zoomsim_started_from_a_loose_shell_keeps_its_state_private(tmp_path: Path) -> None:
    state = tmp_path / "zoomsim" / "state.json"  # its folder made by zoomsim itself
    port = free_port()
    zoomsim = subprocess.Popen(
        [sys.executable, "-m", "zoomsim", "--port", str(port), "--state", str(state)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        umask=0o022,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        eventually(lambda: _answers(f"http://127.0.0.1:{port}/_sim/health"), timeout=30)
    finally:
        zoomsim.send_signal(signal.SIGTERM)  # it writes its state on the way out
        zoomsim.wait(timeout=30)

    assert stat.S_IMODE(state.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(state.stat().st_mode) == 0o600


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False
