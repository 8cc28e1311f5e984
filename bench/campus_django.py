"""What the Campus benchmarks share: zoomsim as a process, and Django on a fresh embedded
database (SQLite under a temporary var/ directory) pointed at it.

Django is set up in the benchmark's own process so the benchmark drives the real services and
views; the environment is set before `django.setup()` because the settings read it once.
"""

from __future__ import annotations

import atexit
import math
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "zoomsim-test.json"
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_zoomsim(port: int) -> subprocess.Popen[bytes]:
    """`python -m zoomsim` with the test seed on `port`, answering /_sim/health."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "zoomsim", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen([*command, "--seed", str(SEED)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/_sim/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("zoomsim did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    process.wait(timeout=10)


def django_on_fresh_sqlite(*, zoom_base_url: str) -> Path:
    """Set Django up on a new SQLite database in a temporary var/ directory, migrated, with
    Campus's Zoom URLs at `zoom_base_url`. Answers the var/ directory."""
    var_dir = Path(tempfile.mkdtemp(prefix="campus-bench-"))
    atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
    os.environ.pop("DATABASE_URL", None)  # the embedded default: SQLite
    os.environ.pop("CELERY_BROKER_URL", None)  # the filesystem broker under var/
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "campus.settings",
            "CAMPUS_VAR_DIR": str(var_dir),
            "CAMPUS_LOG_LEVEL": "WARNING",
            "DJANGO_ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
            "ZOOM_OAUTH_BASE_URL": zoom_base_url,
            "ZOOM_API_BASE_URL": zoom_base_url + "/v2",
        }
    )
    for path in (ROOT / "src", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    # As make run does: the pages name their stylesheets by the hashed names collected here.
    call_command("collectstatic", interactive=False, verbosity=0)
    return var_dir


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `samples` (fraction 0.95 for p95)."""
    ordered = sorted(samples)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]
