"""`make run` (scripts/run_all.py) starts Campus, the worker and zoomsim, keeps them up, and stops
them all; the real supervisor, real servers, real signals."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import stat
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.run_all_process import ROOT, Supervised, group_exists, process_exists
from tests.support.waiting import eventually, free_port
from zoomsim.webhooks import signed_headers

WEBHOOK_SECRET = "campus-webhook-secret"  # zoomsim's demo app, Campus's default


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Supervised]:
    """One stack for the tests that only look at it."""
    running = Supervised(tmp_path_factory.mktemp("stack") / "var")
    try:
        running.wait_for("Ctrl-C stops everything.", timeout=90)
        running.wait_for("campus@", timeout=30, in_log=True)  # the worker consumes
        yield running
    finally:
        running.stop()


def test_make_run_on_other_ports_starts_everything_and_ctrl_c_stops_every_child(
    tmp_path: Path,
) -> None:
    supervised = Supervised(tmp_path / "var", via_make=True)
    try:
        supervised.wait_for("Ctrl-C stops everything.", timeout=90)
        supervised.wait_for("campus@", timeout=30, in_log=True)

        web = httpx.get(f"http://127.0.0.1:{supervised.web_port}/sign-in/", timeout=5)
        zoom = httpx.get(f"http://127.0.0.1:{supervised.zoomsim_port}/v2/users/me", timeout=5)
        assert web.status_code == 200
        assert b"Sign in to Campus" in web.content
        assert zoom.status_code == 401
        assert set(supervised.children()) == {"zoomsim", "web", "worker"}
        assert f"Campus           http://127.0.0.1:{supervised.web_port}/" in supervised.output
        assert "admin@campus.test" in supervised.output
        assert "admin@acme.test          zoom-admin" in supervised.output
        assert (tmp_path / "var" / "campus.sqlite3").exists()

        supervised.ctrl_c()  # as a terminal does: to make and run_all alike

        supervised.process.wait(timeout=20)
        supervised.reader.join(timeout=5)
        assert "run_all: everything stopped" in supervised.output
        eventually(lambda: not any(map(group_exists, supervised.children().values())), timeout=5)
        with pytest.raises(httpx.ConnectError):
            httpx.get(f"http://127.0.0.1:{supervised.web_port}/", timeout=2)
    finally:
        supervised.stop()


def test_a_taken_port_is_named_and_nothing_starts(tmp_path: Path) -> None:
    web_port = free_port()
    with socket.socket() as someone_else:
        someone_else.bind(("127.0.0.1", web_port))
        someone_else.listen()
        supervised = Supervised(tmp_path / "var", via_make=True, web_port=web_port)
        try:
            assert supervised.process.wait(timeout=60) != 0
            supervised.reader.join(timeout=5)
        finally:
            supervised.stop()

    assert f"port {web_port} on 127.0.0.1 is taken" in supervised.output
    assert "make run WEB_PORT=8400 ZOOMSIM_PORT=8401" in supervised.output
    assert "Campus is running" not in supervised.output
    assert "run_all: started" not in supervised.output
    assert not (tmp_path / "var").exists()  # nothing migrated, nothing made


def test_a_python_without_django_is_told_to_use_make_run(tmp_path: Path) -> None:
    # What a fresh clone's `python3 scripts/run_all.py` runs on: a Python 3.11 without the
    # project's packages.
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(tmp_path / "bare")], check=True
    )
    completed = subprocess.run(
        [str(tmp_path / "bare" / "bin" / "python"), "scripts/run_all.py"],
        cwd=ROOT,
        env={**os.environ, "CAMPUS_VAR_DIR": str(tmp_path / "var")},
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )

    assert completed.returncode == 2, completed.stdout + completed.stderr
    assert "ModuleNotFoundError" not in completed.stdout + completed.stderr
    assert "has no Django: run `make run`" in completed.stdout
    assert not (tmp_path / "var").exists()


def _signed_delivery(number: int) -> tuple[bytes, dict[str, str]]:
    # An account Campus does not know: acknowledged and ignored (nothing is written), so what is
    # measured is the server taking connections, not the database.
    body = json.dumps(
        {
            "event": "meeting.started",
            "event_ts": int(time.time() * 1000),
            "payload": {"account_id": "acct-nobody", "object": {"id": number}},
        }
    ).encode()
    return body, signed_headers(WEBHOOK_SECRET, str(int(time.time())), body, f"burst-{number}")


def test_a_burst_of_simultaneous_webhook_deliveries_is_all_answered(stack: Supervised) -> None:
    # Django's development server listens with a backlog of 10: a burst like this lost about
    # a third of the connections to resets.
    deliveries = 100
    start_together = threading.Barrier(deliveries)
    outcomes: Counter[str] = Counter()

    def deliver(number: int) -> None:
        body, headers = _signed_delivery(number)
        # http.client, light enough that the connections really are opened together.
        connection = http.client.HTTPConnection("127.0.0.1", stack.web_port, timeout=30)
        start_together.wait()
        try:
            connection.request("POST", "/zoom/webhooks/", body=body, headers=headers)
            answer = connection.getresponse()
            answer.read()
            outcomes[str(answer.status)] += 1
        except OSError as error:
            outcomes[type(error).__name__] += 1
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(n,)) for n in range(deliveries)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes == {"200": deliveries}


def test_static_files_are_served_by_hashed_name_to_keep(
    stack: Supervised,
) -> None:
    campus = f"http://127.0.0.1:{stack.web_port}"
    page = httpx.get(f"{campus}/sign-in/", timeout=5)
    [stylesheet] = re.findall(r'href="(/static/campus/campus\.[0-9a-f]{12}\.css)"', page.text)

    css = httpx.get(f"{campus}{stylesheet}", timeout=5)
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "immutable" in css.headers["cache-control"]  # a changed file gets a new name


def test_a_path_out_of_the_static_files_is_404_and_serves_nothing(stack: Supervised) -> None:
    secret = (stack.var_dir / "secret.key").read_text()
    for attempt in (
        "/static/../var/secret.key",
        "/static/%2e%2e/var/secret.key",
        "/static/../../" + str(stack.var_dir / "secret.key").lstrip("/"),
        "/static/../src/campus/settings.py",
    ):
        with socket.create_connection(("127.0.0.1", stack.web_port), timeout=5) as raw:
            # A raw request: an HTTP client would tidy the `..` away before sending it.
            raw.sendall(
                f"GET {attempt} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            answer = b"".join(iter(lambda: raw.recv(65536), b""))
        status_line = answer.split(b"\r\n", 1)[0]
        assert status_line == b"HTTP/1.1 404 Not Found", (attempt, answer[:300])
        assert secret.encode() not in answer
        assert b"Traceback" not in answer


def test_the_terminal_keeps_what_a_person_needs_and_the_log_file_has_the_rest(
    stack: Supervised,
) -> None:
    campus = f"http://127.0.0.1:{stack.web_port}"
    httpx.get(f"{campus}/no-such-page/", timeout=5)
    httpx.get(f"{campus}/admin-tools/integrations/zoom/callback?code=c0de-42&state=5tate-42")
    # The sweeper runs every 15 seconds, each run three INFO lines.
    stack.wait_for("Task work.sweep", timeout=30, in_log=True)
    stack.wait_for("Not Found: /no-such-page/", timeout=10)

    log_file = stack.var_dir / "log" / "run_all.log"
    assert f"Full log         {log_file}" in stack.output
    # Private to its owner, like everything under var/ (it holds emails and request lines).
    assert stat.S_IMODE(log_file.stat().st_mode) == 0o600
    assert stat.S_IMODE(log_file.parent.stat().st_mode) == 0o700
    for routine in ("work.sweep", "celery.apps.worker", "Applying", "[tasks]", "zoomsim listening"):
        assert routine in stack.log
        assert routine not in stack.output
    # Campus's request lines, in the server's one format, with nothing secret in them.
    assert re.search(
        r'web \| \S+ INFO gunicorn\.access "GET /no-such-page/ HTTP/1\.1" 404 \d+ \d+ms$',
        stack.output,
        re.MULTILINE,
    )
    assert "WARNING django.request Not Found: /no-such-page/" in stack.output
    assert "/zoom/callback?code=[redacted]&state=[redacted] HTTP/1.1" in stack.output
    for secret in ("c0de-42", "5tate-42"):
        assert secret not in stack.output
        assert secret not in stack.log


def test_a_killed_worker_is_started_again_and_the_servers_stay_up(
    supervised: Supervised,
) -> None:
    supervised.wait_for("Ctrl-C stops everything.", timeout=90)
    supervised.wait_for("campus@", timeout=30, in_log=True)
    first = supervised.children()

    os.kill(first["worker"], signal.SIGKILL)

    supervised.wait_for("run_all: worker was killed by SIGKILL; starting it again in 1s", 15)
    supervised.wait_for("run_all: started worker (pid", 15)
    eventually(lambda: supervised.log.count("campus@") >= 4, timeout=60)  # banner + ready, twice
    second = supervised.children()
    assert second["worker"] != first["worker"]
    assert process_exists(second["worker"])
    # Celery's beat ran inside the killed worker's group: nothing of it is left to sweep twice.
    eventually(lambda: not group_exists(first["worker"]), timeout=5)
    assert {name: second[name] for name in ("web", "zoomsim")} == {
        name: first[name] for name in ("web", "zoomsim")
    }
    assert (
        httpx.get(f"http://127.0.0.1:{supervised.web_port}/sign-in/", timeout=5).status_code == 200
    )
    zoom = httpx.get(f"http://127.0.0.1:{supervised.zoomsim_port}/v2/users/me", timeout=5)
    assert zoom.status_code == 401

    # Dying again at once: it waits longer before the next start.
    os.kill(second["worker"], signal.SIGKILL)
    supervised.wait_for("run_all: worker was killed by SIGKILL; starting it again in 2s", 15)
    eventually(lambda: supervised.output.count("run_all: started worker") == 3, timeout=15)

    supervised.ctrl_c()
    assert supervised.process.wait(timeout=20) == 0
    eventually(lambda: not any(map(group_exists, supervised.children().values())), timeout=5)


def test_a_killed_web_server_is_started_again_on_its_port(supervised: Supervised) -> None:
    supervised.wait_for("Ctrl-C stops everything.", timeout=90)
    first = supervised.children()

    os.kill(first["web"], signal.SIGKILL)  # gunicorn's master: its workers held the port

    supervised.wait_for("run_all: web was killed by SIGKILL; starting it again in 1s", 15)

    def answers_again() -> bool:
        try:
            page = httpx.get(f"http://127.0.0.1:{supervised.web_port}/sign-in/", timeout=2)
        except httpx.HTTPError:
            return False
        return page.status_code == 200

    eventually(answers_again, timeout=30, interval=0.5, explain=lambda: supervised.output[-3000:])
    assert supervised.children()["web"] != first["web"]
    eventually(lambda: not group_exists(first["web"]), timeout=5)
    assert supervised.children()["worker"] == first["worker"]
