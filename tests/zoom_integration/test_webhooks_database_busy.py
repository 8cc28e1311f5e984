"""Zoom's 3-second deadline while another process holds SQLite's write lock: the delivery is
answered in time, kept in the spool, and stored exactly once when the database is free again."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from campus.celery import app
from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.conftest import WEBHOOK_SECRET
from tests.zoom_integration.live_server_threads import let_request_threads_finish
from tests.zoom_integration.test_webhooks import envelope
from tests.zoom_integration.test_webhooks import post_webhook as deliver_in_process
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem
from zoom_integration.models import ZoomWebhookEvent
from zoom_integration.services.webhook_spool import spool_write
from zoom_integration.services.webhooks import zoom_webhook_spool_drain
from zoom_integration.tasks import SPOOL_DRAIN_TASK
from zoomsim.webhooks import signed_headers

pytestmark = pytest.mark.django_db(transaction=True)

ZOOM_DEADLINE_SECONDS = 3.0
LOCK_HELD_SECONDS = 6.0

# Another process takes SQLite's write lock (BEGIN IMMEDIATE), says so, holds it, then commits.
_HOLD_THE_WRITE_LOCK = """
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
time.sleep(float(sys.argv[2]))
db.execute("COMMIT")
"""


@pytest.fixture
def spool_dir(settings: Settings, tmp_path: Path) -> Path:
    settings.ZOOM_WEBHOOK_SPOOL_DIR = tmp_path / "spool"
    return settings.ZOOM_WEBHOOK_SPOOL_DIR  # type: ignore[no-any-return]


@contextmanager
def write_lock_held() -> Iterator[subprocess.Popen[str]]:
    """The Campus database file, write-locked by a separate process for LOCK_HELD_SECONDS."""
    if connection.vendor != "sqlite":
        pytest.skip("the write lock of a whole database file is SQLite's")
    database = str(connection.settings_dict["NAME"])
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLD_THE_WRITE_LOCK, database, str(LOCK_HELD_SECONDS)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    try:
        yield holder
    finally:
        holder.wait(timeout=LOCK_HELD_SECONDS + 10)


def deliver(url: str, body: bytes) -> tuple[httpx.Response, float]:
    headers = signed_headers(WEBHOOK_SECRET, str(int(time.time())), body, "req-busy")
    started = time.monotonic()
    with httpx.Client(timeout=30) as client:
        response = client.post(f"{url}/zoom/webhooks/", content=body, headers=headers)
    return response, time.monotonic() - started


def test_a_delivery_while_another_process_holds_the_write_lock_is_answered_in_time_and_stored_once(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    spool_dir: Path,
    live_server: LiveServer,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    body = envelope("meeting.ended", object={"id": "81000000101", "uuid": "busy=="})
    started = time.monotonic()

    with write_lock_held() as holder:
        response, elapsed = deliver(live_server.url, body)
        still_locked = holder.poll() is None and time.monotonic() - started < LOCK_HELD_SECONDS

        assert still_locked, "the lock was released before the answer: nothing was proved"
        assert response.status_code == 200, response.text
        assert elapsed < ZOOM_DEADLINE_SECONDS - 1, f"answered after {elapsed:.1f} s"
        assert response.json() == {"status": "spooled"}
        assert not ZoomWebhookEvent.objects.exists()  # WAL: reading beside the writer
        assert len(list(spool_dir.glob("*.json"))) == 1
    let_request_threads_finish()

    assert zoom_webhook_spool_drain() == 1
    assert ZoomWebhookEvent.objects.get().raw_body == body.decode()
    assert WorkItem.objects.filter(kind="zoom.webhook.process").count() == 1
    assert not list(spool_dir.iterdir())
    # Drained twice, or delivered again after the drain: still one event, one piece of work.
    assert zoom_webhook_spool_drain() == 0
    again, _elapsed = deliver(live_server.url, body)
    assert again.json() == {"status": "duplicate"}
    assert ZoomWebhookEvent.objects.count() == 1
    assert WorkItem.objects.filter(kind="zoom.webhook.process").count() == 1


def test_when_neither_database_nor_spool_can_keep_a_delivery_it_is_not_acknowledged(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    settings: Settings,
    tmp_path: Path,
    live_server: LiveServer,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    in_the_way = tmp_path / "a-file-where-the-spool-should-be"
    in_the_way.write_text("")
    settings.ZOOM_WEBHOOK_SPOOL_DIR = in_the_way / "spool"

    with write_lock_held():
        response, elapsed = deliver(live_server.url, envelope("meeting.ended"))

    # 503: Zoom delivers it again later, when the database may take it.
    assert response.status_code == 503, response.text
    assert response.json()["error"] == "storage_unavailable"
    assert elapsed < ZOOM_DEADLINE_SECONDS - 1
    let_request_threads_finish()
    assert not ZoomWebhookEvent.objects.exists()


def test_a_spooled_delivery_whose_event_was_already_stored_is_removed_without_a_second_row(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    spool_dir: Path,
    live_server: LiveServer,
) -> None:
    """A drain that died after its commit but before removing the file, or the same bytes
    delivered again once the database was free: the file goes, the event stays one row."""
    connect_acme_account(acme, acme_people.org_admin)
    body = envelope("meeting.ended", object={"id": "81000000101"})
    first, _elapsed = deliver(live_server.url, body)
    assert first.json() == {"status": "accepted"}
    spool_write(directory=spool_dir, raw_body=body)
    spool_write(directory=spool_dir, raw_body=body)  # the same bytes are one file

    assert zoom_webhook_spool_drain() == 0

    assert ZoomWebhookEvent.objects.count() == 1
    assert WorkItem.objects.filter(kind="zoom.webhook.process").count() == 1
    assert not list(spool_dir.iterdir())


def test_a_spooled_delivery_for_an_account_campus_does_not_know_is_dropped(
    db: None, spool_dir: Path
) -> None:
    spool_write(directory=spool_dir, raw_body=envelope("meeting.ended", "acct-nobody"))

    assert zoom_webhook_spool_drain() == 0

    assert not ZoomWebhookEvent.objects.exists()
    assert not list(spool_dir.iterdir())


def test_a_damaged_spool_file_is_set_aside_not_stored(db: None, spool_dir: Path) -> None:
    written = spool_write(directory=spool_dir, raw_body=envelope("meeting.ended"))
    written.write_bytes(b'{"event": "meeting.ended", "payload": {"account_id": "acct-acme"}}')

    assert zoom_webhook_spool_drain() == 0

    assert not ZoomWebhookEvent.objects.exists()
    assert [p.name for p in spool_dir.iterdir()] == [written.name + ".damaged"]


def test_spool_files_are_private_to_their_owner(spool_dir: Path) -> None:
    written = spool_write(directory=spool_dir, raw_body=b"{}")

    assert spool_dir.stat().st_mode & 0o777 == 0o700
    assert written.stat().st_mode & 0o777 == 0o600


def test_the_spool_drain_task_moves_spooled_deliveries_in(db: None, spool_dir: Path) -> None:
    # Beat runs it every 15 seconds: tests/campus/test_beat_schedule.py.
    app.loader.import_default_modules()
    spool_write(directory=spool_dir, raw_body=envelope("meeting.ended", "acct-nobody"))

    app.tasks[SPOOL_DRAIN_TASK].apply()

    assert not list(spool_dir.iterdir())


def test_the_bounded_wait_is_only_the_intakes_the_connection_keeps_its_own(
    db: None, spool_dir: Path
) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("the busy timeout is SQLite's")
    configured_ms = int(connection.settings_dict["OPTIONS"]["timeout"] * 1000)

    delivered = deliver_in_process(envelope("meeting.ended", "acct-nobody"))

    assert delivered.status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone() == (configured_ms,)


def test_the_spool_can_be_drained_by_a_command(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    spool_dir: Path,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    spool_write(directory=spool_dir, raw_body=envelope("meeting.ended", object={"id": "1"}))
    out = io.StringIO()

    call_command("drain_zoom_webhook_spool", stdout=out)

    assert out.getvalue().startswith("1 new webhook event(s)")
    assert ZoomWebhookEvent.objects.count() == 1


def test_the_same_delivery_arriving_many_times_at_once_is_stored_once(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    spool_dir: Path,
    live_server: LiveServer,
) -> None:
    """Zoom retrying while its first attempt is still in flight: each copy reads "not stored yet"
    before any has written, and the unique SHA-256 decides which insert wins."""
    connect_acme_account(acme, acme_people.org_admin)
    body = envelope("meeting.ended", object={"id": "81000000101", "uuid": "twice=="})
    copies = 16
    start_together = threading.Barrier(copies)

    def one_copy(_index: int) -> str:
        start_together.wait()
        response, _elapsed = deliver(live_server.url, body)
        assert response.status_code == 200, response.text
        return str(response.json()["status"])

    with ThreadPoolExecutor(copies) as pool:
        statuses = Counter(pool.map(one_copy, range(copies)))
    let_request_threads_finish()
    zoom_webhook_spool_drain()

    assert statuses["accepted"] <= 1
    assert set(statuses) <= {"accepted", "duplicate", "spooled"}
    assert ZoomWebhookEvent.objects.count() == 1
    assert WorkItem.objects.filter(kind="zoom.webhook.process").count() == 1


def test_temporary_files_of_writes_that_never_finished_are_removed_after_an_hour(
    db: None, spool_dir: Path
) -> None:
    """A process that died mid-write never acknowledged: Zoom delivers that event again, so its
    half-written file is rubbish; a write in progress right now is left alone."""
    spool_dir.mkdir(mode=0o700)
    abandoned = spool_dir / ".abc.1.tmp"
    in_progress = spool_dir / ".def.2.tmp"
    for path in (abandoned, in_progress):
        path.write_bytes(b'{"event": "meeting.en')
    two_hours_ago = time.time() - 7200
    os.utime(abandoned, (two_hours_ago, two_hours_ago))

    assert zoom_webhook_spool_drain() == 0

    assert [p.name for p in spool_dir.iterdir()] == [in_progress.name]
