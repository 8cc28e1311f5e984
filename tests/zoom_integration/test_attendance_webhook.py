"""`meeting.ended` into Campus's intake: the run is noted on the meeting's sessions of the
organizations linked to the sending account, and their fetch enqueued; bad payloads change
nothing and still count as processed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from live_events.attendance_models import AttendanceInstance, AttendanceSync
from organizations.models import Organization
from tests.django_conftest import People
from tests.live_events.fixtures import zoom_event
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.test_webhooks import envelope, post_webhook
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem
from zoom_integration.models import ZoomWebhookEvent

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., Any]
ENDED = "2026-03-03T16:01:00Z"


@pytest.fixture
def linked(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    connect_acme_account(acme, acme_people.org_admin)


def _ended(**meeting: Any) -> bytes:
    return envelope("meeting.ended", object=meeting)


def test_the_run_is_noted_and_the_fetch_enqueued_only_for_linked_organizations(
    linked: None,
    acme: Organization,
    globex: Organization,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    acme_session = zoom_event(acme, file_id="a-1").sessions[0]
    # Globex has a session with the same meeting id but is not linked to acct-acme.
    globex_session = zoom_event(globex, file_id="g-1").sessions[0]

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(
            _ended(
                id=str(acme_session.zoom_meeting_id),
                uuid="run-1==",
                start_time="2026-03-03T15:00:00Z",
                end_time=ENDED,
            )
        )

    assert response.status_code == 200
    instance = AttendanceInstance.objects.get()
    assert (instance.session_id, instance.zoom_uuid) == (acme_session.pk, "run-1==")
    assert instance.ended_at == datetime(2026, 3, 3, 16, 1, tzinfo=UTC)
    sync = AttendanceSync.objects.get(session=acme_session)
    assert sync.first_ended_at == instance.ended_at
    fetches = WorkItem.objects.filter(kind="zoom.attendance.fetch")
    assert list(fetches.values_list("subject", flat=True)) == [f"session:{acme_session.pk}"]
    assert not AttendanceSync.objects.filter(session=globex_session).exists()


@pytest.mark.parametrize(
    "meeting",
    [{}, {"id": "not-a-number", "uuid": "x=="}, {"id": "", "uuid": "x=="}],
    ids=["no-object-fields", "bad-id", "empty-id"],
)
def test_a_malformed_meeting_ended_changes_nothing_and_is_processed(
    linked: None,
    acme: Organization,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    meeting: dict[str, str],
) -> None:
    zoom_event(acme, file_id="a-1")

    with django_capture_on_commit_callbacks(execute=True):
        response = post_webhook(_ended(**meeting))

    assert response.status_code == 200
    assert ZoomWebhookEvent.objects.get().processed_at is not None
    assert not AttendanceInstance.objects.exists()
    assert not WorkItem.objects.filter(kind="zoom.attendance.fetch").exists()
