"""What Zoom does on its side, and the host's daily budget: a meeting deleted at Zoom is marked and
made anew with its learners re-registered (their calendar entry updated, not doubled); a time
changed at Zoom is taken over without being sent back, and the learners' calendars follow; a host
whose 100 daily writes are used waits for 00:00 UTC; a PATCH carries only the fields that
changed."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from django.core import mail
from django.utils import timezone

from courses.models import Course
from live_events.models import (
    HostMeetingWrites,
    LiveEvent,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
    ZoomMeetingState,
)
from live_events.selectors import zoom_day
from live_events.services import (
    NewLinksNeedConfirmation,
    live_event_create,
    live_event_registration_create,
    live_event_session_changed_at_zoom,
    live_event_session_deleted_at_zoom,
    live_event_session_retry,
    live_event_update,
)
from organizations.models import Organization
from tests.django_conftest import People, first_lesson
from tests.live_events.invitation_reading import SentInvitation, sent_invitations
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import (
    COHOST,
    event_input,
    host_writes_counted,
    run_due_work,
    same_sessions,
    sim_meeting,
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


def invitations_to(registration: LiveEventRegistration) -> list[SentInvitation]:
    return [sent for sent in sent_invitations() if sent.to == [registration.learner.email]]


def assert_calendar_entry_updated(
    registration: LiveEventRegistration, *, old_link: str
) -> SentInvitation:
    """Registered again at Zoom (a new meeting): a second REQUEST updates the same calendar entry
    (same UID, higher SEQUENCE), and neither link of Zoom's is in it (Campus's join page is)."""
    first, again = invitations_to(registration)
    assert (first.method, again.method) == ("REQUEST", "REQUEST")
    # The time may be the one they had: the email says what happened, not "new time".
    assert again.subject.startswith("Updated: ")
    assert "was renewed" in again.body
    assert "new time" not in again.body
    assert again.uid == first.uid
    assert again.sequence > first.sequence
    for sent in (first, again):
        assert old_link not in sent.body
        assert registration.join_url not in sent.body
        assert registration.join_url not in sent.event.to_ical().decode()
        assert f"/sessions/{registration.session_id}/join/" in str(sent.event["URL"])
    return again


def test_a_meeting_deleted_at_zoom_is_marked_and_made_anew_with_its_learners(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled: LiveEvent
) -> None:
    session = only_session(scheduled)
    registration = live_event_registration_create(
        organization=acme, session=session, learner=acme_people.learner
    )
    run_due_work()
    registration.refresh_from_db()
    old_link = registration.join_url
    with zoomsim.client(zoomsim.token("acme-admin")) as api:
        assert api.delete(f"/v2/meetings/{session.zoom_meeting_id}").status_code == 204

    marked = live_event_session_deleted_at_zoom(
        organization_ids=[acme.pk], meeting_id=session.zoom_meeting_id or 0
    )
    assert marked == 1
    session.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.DELETED_AT_ZOOM

    live_event_session_retry(organization=acme, session=session)
    run_due_work()

    session.refresh_from_db()
    registration.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.SCHEDULED
    assert sim_meeting(zoomsim, session)["deleted"] is False
    assert len(sim_meetings(zoomsim)) == 1
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.join_url
    assert registration.join_url != old_link  # the old meeting's link died with it
    assert_calendar_entry_updated(registration, old_link=old_link)


def test_a_time_changed_at_zoom_is_taken_over_and_not_sent_back(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled: LiveEvent
) -> None:
    session = only_session(scheduled)
    registration = live_event_registration_create(
        organization=acme, session=session, learner=acme_people.learner
    )
    run_due_work()
    later = session.starts_at + timedelta(hours=2)
    writes = host_writes_counted(zoomsim)

    live_event_session_changed_at_zoom(
        organization_ids=[scheduled.organization_id],
        meeting_id=session.zoom_meeting_id or 0,
        starts_at=later,
        duration_minutes=75,
        time_zone="America/Chicago",
    )
    meeting_sync_enqueue(session=session)
    run_due_work()

    session.refresh_from_db()
    assert session.starts_at == later
    assert session.duration_minutes == 75
    assert host_writes_counted(zoomsim) == writes  # nothing sent back to Zoom
    first, moved = invitations_to(registration)
    assert (moved.method, moved.uid, moved.sequence) == ("REQUEST", first.uid, first.sequence + 1)
    assert (moved.starts_at, moved.ends_at) == (later, later + timedelta(minutes=75))


def test_a_new_zone_alone_at_zoom_emails_no_one(
    acme: Organization, acme_people: People, scheduled: LiveEvent
) -> None:
    session = only_session(scheduled)
    live_event_registration_create(organization=acme, session=session, learner=acme_people.learner)
    run_due_work()
    assert len(mail.outbox) == 1

    updated = live_event_session_changed_at_zoom(
        organization_ids=[scheduled.organization_id],
        meeting_id=session.zoom_meeting_id or 0,
        starts_at=session.starts_at,
        duration_minutes=session.duration_minutes,
        time_zone="Asia/Tokyo",
    )
    run_due_work()

    assert updated == 1
    assert len(mail.outbox) == 1  # the same instant: the calendar entry needs no update


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


def test_zooms_meeting_updated_and_deleted_webhooks_reach_the_session(
    zoomsim: LiveZoomsim, scheduled: LiveEvent
) -> None:
    session = only_session(scheduled)
    new_start = (session.starts_at + timedelta(days=1)).astimezone(UTC)
    with zoomsim.client(zoomsim.token("acme-admin")) as api:
        changed = api.patch(
            f"/v2/meetings/{session.zoom_meeting_id}",
            json={"start_time": new_start.strftime("%Y-%m-%dT%H:%M:%SZ"), "duration": 50},
        )
        assert changed.status_code == 204
    (updated_body,) = zoomsim_sent(zoomsim, "meeting.updated")

    process_as_intake(updated_body)

    session.refresh_from_db()
    assert session.starts_at == new_start
    assert session.duration_minutes == 50
    assert session.zoom_state == ZoomMeetingState.SCHEDULED

    with zoomsim.client(zoomsim.token("acme-admin")) as api:
        assert api.delete(f"/v2/meetings/{session.zoom_meeting_id}").status_code == 204
    (deleted_body,) = zoomsim_sent(zoomsim, "meeting.deleted")
    process_as_intake(deleted_body)
    session.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.DELETED_AT_ZOOM


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


def test_a_new_host_gets_new_meetings_and_the_learners_new_links_once_confirmed(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled: LiveEvent
) -> None:
    session = only_session(scheduled)
    registration = live_event_registration_create(
        organization=acme, session=session, learner=acme_people.learner
    )
    run_due_work()
    registration.refresh_from_db()
    old_meeting, old_link = session.zoom_meeting_id, registration.join_url
    data = replace(same_sessions(scheduled, event_input()), host_email=COHOST)

    with pytest.raises(NewLinksNeedConfirmation) as raised:
        live_event_update(
            organization=acme, actor=acme_people.course_builder, event=scheduled, data=data
        )
    assert "1 registered learner will be registered on the new meetings" in raised.value.message
    assert sim_meeting(zoomsim, session)["deleted"] is False  # nothing changed yet

    live_event_update(
        organization=acme,
        actor=acme_people.course_builder,
        event=scheduled,
        data=data,
        confirm_new_links=True,
    )
    run_due_work()

    session.refresh_from_db()
    registration.refresh_from_db()
    new_meeting = sim_meeting(zoomsim, session)
    assert new_meeting["host_id"] == "acme-cohost"
    assert session.zoom_meeting_id != old_meeting
    assert session.zoom_meeting_to_delete is None
    deleted = [m for m in sim_meetings(zoomsim, include_deleted=True) if m["id"] == old_meeting]
    assert deleted[0]["deleted"] is True
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.join_url.startswith(f"{zoomsim.base_url}/w/{session.zoom_meeting_id}")
    assert registration.join_url != old_link
    again = assert_calendar_entry_updated(registration, old_link=old_link)
    assert again.starts_at == session.starts_at
