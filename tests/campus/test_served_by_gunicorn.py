"""Campus behind gunicorn, as `make run` and production serve it: what the server says about
itself, the policy header on a real response, and a log file gunicorn opens kept private."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.support.waiting import eventually, free_port

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:campus.gunicorn_config"]


@dataclass
class Served:
    url: str
    var_dir: Path
    process: subprocess.Popen[bytes]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    var_dir = tmp_path / "var"
    env = {
        **os.environ,
        "CAMPUS_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "campus.settings",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    # As make run does: the manifest storage serves only collected files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=120,
    )
    port = free_port()
    env |= {"CAMPUS_BIND": f"127.0.0.1:{port}", "CAMPUS_WEB_WORKERS": "1"}
    process = subprocess.Popen(
        [*GUNICORN, "campus.wsgi:application"],
        cwd=ROOT,
        env=env,
        umask=0o022,  # a shell's usual umask
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        eventually(lambda: _answers(url + "/sign-in/"), timeout=60)
        yield Served(url=url, var_dir=var_dir, process=process)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def test_no_header_names_a_server_or_language_version(served: Served) -> None:
    for path in ("/sign-in/", "/no-such-page/", "/courses/"):
        response = httpx.get(served.url + path, timeout=5)
        assert response.headers.get("server") in (None, "gunicorn")  # gunicorn names no version
        assert "x-powered-by" not in response.headers
        for name, value in response.headers.items():
            assert not re.search(r"(python|wsgiserver|django|gunicorn)/", value, re.I), name


def test_a_real_response_carries_the_content_security_policy(served: Served) -> None:
    response = httpx.get(served.url + "/sign-in/", timeout=5)

    assert "script-src 'self'" in response.headers["content-security-policy"]
