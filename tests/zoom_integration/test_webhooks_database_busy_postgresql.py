"""Zoom's 3-second deadline on PostgreSQL: another connection locks the events table against
writes for several seconds while a delivery arrives over HTTP; the intake's insert gives up at its
lock timeout, the delivery is spooled and acknowledged in time, and stored once afterwards."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_server_threads import let_request_threads_finish
from tests.zoom_integration.test_webhooks import envelope
from tests.zoom_integration.test_webhooks_database_busy import ZOOM_DEADLINE_SECONDS, deliver
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem
from zoom_integration.models import ZoomWebhookEvent
from zoom_integration.services.webhooks import zoom_webhook_spool_drain

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL=postgres://... (table locks are real there)",
    ),
]

LOCK_HELD_SECONDS = 5.0


def test_a_delivery_while_the_events_table_is_locked_is_answered_in_time_and_stored_once(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    settings: Settings,
    tmp_path: Path,
    live_server: LiveServer,
) -> None:
    settings.ZOOM_WEBHOOK_SPOOL_DIR = tmp_path / "spool"
    connect_acme_account(acme, acme_people.org_admin)
    body = envelope("meeting.ended", object={"id": "81000000101", "uuid": "locked=="})
    params = connection.get_connection_params()
    locked = threading.Event()

    def hold_the_lock() -> None:
        # EXCLUSIVE blocks inserts and lets reads through: the intake reads, then waits to write.
        with psycopg.connect(**params) as other, other.transaction():
            other.execute("LOCK TABLE zoom_integration_zoomwebhookevent IN EXCLUSIVE MODE")
            locked.set()
            time.sleep(LOCK_HELD_SECONDS)

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    assert locked.wait(10)
    started = time.monotonic()
    response, elapsed = deliver(live_server.url, body)
    lock_still_held = time.monotonic() - started < LOCK_HELD_SECONDS
    holder.join()
    let_request_threads_finish()

    assert lock_still_held, "the lock was released before the answer: nothing was proved"
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "spooled"}
    assert elapsed < ZOOM_DEADLINE_SECONDS - 1, f"answered after {elapsed:.1f} s"
    assert not ZoomWebhookEvent.objects.exists()

    assert zoom_webhook_spool_drain() == 1
    assert ZoomWebhookEvent.objects.get().raw_body == body.decode()
    assert WorkItem.objects.filter(kind="zoom.webhook.process").count() == 1
    assert zoom_webhook_spool_drain() == 0
    assert ZoomWebhookEvent.objects.count() == 1
