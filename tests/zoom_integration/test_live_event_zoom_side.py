"""The host's daily budget and what Campus sends: a host whose 100 daily writes are used waits for
00:00 UTC; a PATCH carries only the fields that changed; Zoom's echo of an earlier Campus update
does not undo an edit saved meanwhile. (Meetings changed or deleted at Zoom, recreated, and host
changes end to end: test_meeting_changes_at_zoom.py.)"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.utils import timezone

from courses.models import Course
from live_events.models import (
    HostMeetingWrites,
    LiveEvent,
    LiveEventSession,
    ZoomMeetingState,
)
from live_events.selectors import zoom_day
from live_events.services import (
    live_event_create,
)
from organizations.models import Organization
from tests.django_conftest import People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import (
    event_input,
    run_due_work,
    sim_meetings,
)
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem, WorkState
from zoom_integration.models import ZoomWebhookEvent
from zoom_integration.services.meetings import (
    meeting_changes,
    meeting_spec,
    meeting_sync_enqueue,
)
from zoom_integration.services.webhooks import zoom_webhook_event_process

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
) -> LiveEvent:
    connect_acme_account(acme, acme_people.org_admin)
    event = live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(sessions=event_input().sessions[:1]),
    )
    run_due_work()
    return event


def only_session(event: LiveEvent) -> LiveEventSession:
    return event.sessions.get()


@pytest.fixture
def connected(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> Organization:
    connect_acme_account(acme, acme_people.org_admin)
    return acme


def test_the_101st_write_of_the_day_waits_for_00_00_utc_without_asking_zoom(
    zoomsim: LiveZoomsim, connected: Organization, acme_people: People, acme_course: Course
) -> None:
    event = live_event_create(
        organization=connected,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(sessions=event_input().sessions[:1]),
    )
    HostMeetingWrites.objects.create(host_zoom_user_id="acme-host", day=zoom_day(), count=100)

    run_due_work()

    item = WorkItem.objects.get()
    midnight = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert item.state == WorkState.PENDING
    assert item.next_attempt_at == midnight + timedelta(days=1)
    session = only_session(event)
    assert session.zoom_state == ZoomMeetingState.WAITING
    assert "100 meeting creates and updates for today" in session.zoom_problem
    assert sim_meetings(zoomsim) == []  # Zoom was not asked (it would have answered 429)


def test_a_patch_carries_only_the_fields_that_changed(scheduled: LiveEvent) -> None:
    session = only_session(scheduled)
    sent = meeting_spec(session).to_json()

    assert meeting_changes(meeting_spec(session), sent) is None
    session.duration_minutes = 120
    scheduled.mute_upon_entry = True
    changes = meeting_changes(meeting_spec(session), sent)
    assert changes is not None
    assert changes.to_json() == {"duration": 120, "settings": {"mute_upon_entry": True}}

    session.starts_at = datetime(2030, 5, 1, 12, tzinfo=UTC)
    moved = meeting_changes(meeting_spec(session), sent)
    assert moved is not None
    body = moved.to_json()
    # A start always goes with its zone: Zoom reads the one by the other.
    assert body["start_time"] == "2030-05-01T12:00:00Z"
    assert body["timezone"] == session.time_zone
    assert set(body) == {"start_time", "timezone", "duration", "settings"}
    assert replace(moved, settings=None).to_json().get("topic") is None


def zoomsim_sent(zoomsim: LiveZoomsim, event_type: str) -> list[str]:
    """The exact bodies zoomsim built for `event_type` deliveries, oldest first."""
    answer = httpx.get(f"{zoomsim.base_url}/_sim/deliveries", params={"event": event_type})
    return [delivery["body"] for delivery in answer.json()["deliveries"]]


def process_as_intake(raw_body: str) -> None:
    """Store the event as the webhook intake does, and process it as its work does."""
    stored = ZoomWebhookEvent.objects.create(
        body_sha256=hashlib.sha256(raw_body.encode()).hexdigest(),
        event_type=json.loads(raw_body)["event"],
        zoom_account_id="acct-acme",
        raw_body=raw_body,
    )
    zoom_webhook_event_process(webhook_event_id=stored.pk)


def test_the_echo_of_campuss_own_update_does_not_undo_a_later_edit(
    zoomsim: LiveZoomsim, scheduled: LiveEvent
) -> None:
    session = only_session(scheduled)
    first_move = session.starts_at + timedelta(hours=1)
    LiveEventSession.objects.filter(pk=session.pk).update(starts_at=first_move)
    meeting_sync_enqueue(session=session)
    run_due_work()  # Campus PATCHes the first move; Zoom's meeting.updated is on its way
    (echo,) = zoomsim_sent(zoomsim, "meeting.updated")
    second_move = session.starts_at + timedelta(hours=2)
    LiveEventSession.objects.filter(pk=session.pk).update(starts_at=second_move)  # saved meanwhile

    process_as_intake(echo)

    session.refresh_from_db()
    assert session.starts_at == second_move
