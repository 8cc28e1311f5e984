"""Meetings changed on Zoom's side, against zoomsim over HTTP with Campus as a live server: zoomsim
sends the signed meeting.updated / meeting.deleted webhooks to Campus's intake, and the worker
(eager here) processes them.

- rescheduled at Zoom → the session takes the new time, learners get an updated invitation, and
  Campus does not send the old values back;
- Campus's own change echoed by Zoom → nothing changes;
- deleted at Zoom → marked, registrations wait → a builder recreates it → exactly one new
  meeting, the learners registered on it and sent an invitation with the new link;
- a bad signature → nothing changes;
- a new host (confirmed by the builder, told before saving what may happen) → the same meeting
  moves (links kept) where Zoom allows it, else a new meeting replaces it (links change, learners
  registered again and sent their new links).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.core import mail
from django.db import transaction
from django.test import Client
from django.urls import reverse
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from live_events.inputs import EventInput, SessionInput
from live_events.models import (
    LiveEvent,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
    ZoomMeetingState,
)
from live_events.services import (
    NewLinksNeedConfirmation,
    live_event_create,
    live_event_registration_create,
    live_event_update,
)
from organizations.models import Organization
from tests.django_conftest import People, first_lesson, signed_in
from tests.support.waiting import eventually
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.conftest import WEBHOOK_SECRET
from tests.zoom_integration.live_event_scenes import (
    HOST,
    edit_form_post,
    event_input,
    host_writes_counted,
    in_days,
    knobs,
    run_pending_work_now,
    sim_meetings,
    sim_registrants_listed,
    zoom_loses_create_answers,
)
from tests.zoom_integration.live_server_threads import (
    close_zoomsim_webhook_connections,
    let_request_threads_finish,
)
from tests.zoom_integration.zoom_account_scenes import Connect, point_zoomsim_webhooks_at
from zoom_integration.models import ZoomWebhookEvent
from zoom_integration.services.meeting_webhooks import on_meeting_deleted, on_meeting_updated
from zoom_integration.services.meetings import zoom_meeting_sync

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _close_connections_to_the_live_server(zoomsim: LiveZoomsim) -> Iterator[None]:
    yield
    close_zoomsim_webhook_connections(zoomsim)
    let_request_threads_finish()


def _office_hours(
    *,
    starts_at: datetime,
    session_id: int | None = None,
    topic: str = "Office hours",
    host_email: str = HOST,
    duration_minutes: int = 60,
) -> EventInput:
    """The event of one session in UTC as the builder sends it: new, or naming its session."""
    return event_input(
        topic=topic,
        description="",
        host_email=host_email,
        sessions=(
            SessionInput(
                starts_at=starts_at,
                time_zone="UTC",
                duration_minutes=duration_minutes,
                session_id=session_id,
            ),
        ),
    )


@pytest.fixture
def event(
    zoomsim: LiveZoomsim,
    live_server: LiveServer,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
) -> LiveEvent:
    """A Zoom event of one session, its meeting made at zoomsim, the learner registered on it,
    and zoomsim's webhooks pointed at the live Campus."""
    connect_acme_account(acme, acme_people.org_admin)
    created = live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=_office_hours(starts_at=in_days(3)),
    )
    session = created.sessions.get()
    assert session.zoom_meeting_id is not None, session.zoom_problem
    live_event_registration_create(organization=acme, session=session, learner=acme_people.learner)
    assert _registration(acme_people).status == RegistrationStatus.REGISTERED
    point_zoomsim_webhooks_at(zoomsim, live_server)
    mail.outbox.clear()
    return created


def _session(event: LiveEvent) -> LiveEventSession:
    return event.sessions.get()


def _registration(people: People) -> LiveEventRegistration:
    return LiveEventRegistration.objects.get(
        learner=people.learner, status__in=["waiting", "registered"]
    )


def _as_host(zoomsim: LiveZoomsim, user_id: str = "acme-host") -> httpx.Client:
    """The host changing the meeting at Zoom itself (a token of theirs, not Campus's)."""
    return zoomsim.client(zoomsim.token(user_id))


def _edit(
    event: LiveEvent,
    organization: Organization,
    people: People,
    *,
    starts_at: datetime | None = None,
    confirm_new_links: bool = False,
    **changes: Any,
) -> None:
    """The builder saves the event's one session with `changes` (topic, host_email,
    duration_minutes), the rest of `_office_hours` as it is."""
    session = _session(event)
    live_event_update(
        organization=organization,
        actor=people.course_builder,
        event=event,
        data=_office_hours(
            starts_at=starts_at or session.starts_at.replace(tzinfo=None),
            session_id=session.pk,
            **changes,
        ),
        confirm_new_links=confirm_new_links,
    )


def _handled_directly(handler: Callable[..., Any], account_id: str, obj: dict[str, Any]) -> None:
    """A stored webhook of `account_id` about `obj`, given to its handler as processing does."""
    event_type = {on_meeting_updated: "meeting.updated", on_meeting_deleted: "meeting.deleted"}
    envelope = {
        "event": event_type[handler],
        "payload": {"account_id": account_id, "object": obj},
    }
    raw_body = json.dumps(envelope)
    stored = ZoomWebhookEvent.objects.create(
        body_sha256=hashlib.sha256(raw_body.encode()).hexdigest(),
        event_type=event_type[handler],
        zoom_account_id=account_id,
        raw_body=raw_body,
    )
    with transaction.atomic():  # as processing runs it
        handler(stored, envelope)


def _assert_renewed_invitation(body: str, registration: LiveEventRegistration) -> None:
    """Campus's invitation renewed: its join page, never Zoom's personal link, in the email."""
    assert "was renewed" in body
    assert registration.join_url not in body
    assert f"/sessions/{registration.session_id}/join/" in body


def _processed(event_type: str, count: int = 1) -> Callable[[], bool]:
    return lambda: (
        ZoomWebhookEvent.objects.filter(event_type=event_type, processed_at__isnull=False).count()
        >= count
    )


# --- rescheduled at Zoom --------------------------------------------------------------------------


def test_a_meeting_rescheduled_at_zoom_moves_the_session_and_campus_sends_nothing_back(
    event: LiveEvent, zoomsim: LiveZoomsim, acme_people: People
) -> None:
    session = _session(event)
    new_start = (session.starts_at + timedelta(days=1, hours=2)).astimezone(UTC)
    # The host moves it in Zoom's web portal (zoomsim's control API stands in for the portal).
    changed = httpx.patch(
        f"{zoomsim.base_url}/_sim/meetings/{session.zoom_meeting_id}",
        json={
            "start_time": new_start.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timezone": "Europe/Berlin",
            "duration": 90,
        },
    )
    assert changed.status_code == 200, changed.text
    writes_before = host_writes_counted(zoomsim)

    eventually(_processed("meeting.updated"), timeout=10)

    session.refresh_from_db()
    assert session.starts_at == new_start
    assert (session.time_zone, session.duration_minutes) == ("Europe/Berlin", 90)
    assert session.zoom_sent["start_time"] == new_start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (session.zoom_sent["timezone"], session.zoom_sent["duration"]) == ("Europe/Berlin", 90)
    # The learner's link stays; they are told of the new time.
    registration = _registration(acme_people)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.join_url
    # Campus's invitation, updated (sent by work after the processing commits).
    eventually(lambda: bool(mail.outbox), timeout=10)
    assert [m.to for m in mail.outbox] == [[acme_people.learner.email]]
    # The new time in the learner's own zone (Acme's New York), the calendar entry moved with it.
    learner_time = new_start.astimezone(ZoneInfo("America/New_York"))
    assert f"{learner_time:%-d %B %Y, %H:%M}" in mail.outbox[0].body
    assert "this is the new time" in mail.outbox[0].body
    # The next sync finds nothing to send: Zoom's values are what Campus recorded.
    zoom_meeting_sync(session_id=session.pk)
    assert host_writes_counted(zoomsim) == writes_before


def test_a_topic_changed_at_zoom_becomes_the_events_topic(
    event: LiveEvent, zoomsim: LiveZoomsim
) -> None:
    session = _session(event)
    with _as_host(zoomsim) as host:
        host.patch(f"/v2/meetings/{session.zoom_meeting_id}", json={"topic": "Office hours, live"})

    eventually(_processed("meeting.updated"), timeout=10)

    event.refresh_from_db()
    assert event.title == "Office hours, live"
    assert _session(event).zoom_sent["topic"] == "Office hours, live"
    assert mail.outbox == []  # a new name is not a new time


def test_zooms_echo_of_campuss_own_change_changes_nothing(
    event: LiveEvent, zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    session = _session(event)
    later = (session.starts_at + timedelta(hours=5)).replace(tzinfo=None)
    _edit(event, acme, acme_people, starts_at=later)
    session.refresh_from_db()
    sent_by_campus = dict(session.zoom_sent)
    writes_after_campus = host_writes_counted(zoomsim)
    mail.outbox.clear()  # the invitation of Campus's own reschedule

    eventually(_processed("meeting.updated"), timeout=10)  # Zoom's echo of Campus's PATCH

    session.refresh_from_db()
    assert session.starts_at == later.replace(tzinfo=UTC)
    assert session.zoom_sent == sent_by_campus
    assert mail.outbox == []
    assert host_writes_counted(zoomsim) == writes_after_campus


# --- deleted at Zoom, recreated ------------------------------------------------------------------


def test_deleted_at_zoom_is_marked_and_recreating_makes_exactly_one_new_meeting(
    event: LiveEvent,
    zoomsim: LiveZoomsim,
    acme_people: People,
    acme_course: Course,
) -> None:
    session = _session(event)
    old_meeting = session.zoom_meeting_id
    old_link = _registration(acme_people).join_url
    deleted = httpx.delete(f"{zoomsim.base_url}/_sim/meetings/{old_meeting}")  # in the portal
    assert deleted.status_code == 204

    eventually(_processed("meeting.deleted"), timeout=10)

    session.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.DELETED_AT_ZOOM
    waiting = _registration(acme_people)
    assert (waiting.status, waiting.join_url) == (RegistrationStatus.WAITING, "")
    builder = signed_in(acme_people.course_builder)
    lesson_url = reverse("courses:lesson", args=[acme_course.pk, first_lesson(acme_course).pk])
    page = builder.get(lesson_url).content.decode()
    assert "Deleted in Zoom" in page
    assert "Recreate at Zoom" in page
    assert "learners' join links change" in page

    recreated = builder.post(reverse("live_events:recreate", args=[session.pk]), follow=True)

    assert recreated.status_code == 200
    assert "join links change: the 1 registered learner is" in recreated.content.decode()
    session.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.SCHEDULED
    assert session.zoom_meeting_id not in (None, old_meeting)
    live = sim_meetings(zoomsim)
    assert [m["id"] for m in live] == [session.zoom_meeting_id]
    assert session.zoom_marker
    assert session.zoom_marker in live[0]["agenda"]
    registration = _registration(acme_people)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.join_url
    assert registration.join_url != old_link
    at_zoom = sim_registrants_listed(zoomsim, session.zoom_meeting_id)
    assert [r["email"] for r in at_zoom] == [acme_people.learner.email]
    assert [m.to for m in mail.outbox] == [[acme_people.learner.email]]
    _assert_renewed_invitation(mail.outbox[0].body, registration)

    # A second click finds nothing to recreate: still one meeting.
    again = builder.post(reverse("live_events:recreate", args=[session.pk]), follow=True)
    assert "not deleted at Zoom" in again.content.decode()
    assert len(sim_meetings(zoomsim)) == 1


def test_only_builders_may_recreate(
    event: LiveEvent, zoomsim: LiveZoomsim, acme_people: People, globex_admin: Any
) -> None:
    session = _session(event)
    url = reverse("live_events:recreate", args=[session.pk])
    # Course Builders (and Org Admins, who may everything) only.
    for person in (acme_people.learner, acme_people.course_assistant):
        assert signed_in(person).post(url).status_code == 404, person.email
    assert signed_in(globex_admin).post(url).status_code == 404
    assert Client().post(url).status_code in (302, 404)  # anonymous: sent to sign in
    assert len(sim_meetings(zoomsim, include_deleted=True)) == 1


def test_a_webhook_with_a_bad_signature_changes_nothing(
    event: LiveEvent, live_server: LiveServer
) -> None:
    session = _session(event)
    body = json.dumps(
        {
            "event": "meeting.deleted",
            "event_ts": int(time.time() * 1000),
            "payload": {
                "account_id": "acct-acme",
                "operator": "host@acme.test",
                "object": {"id": session.zoom_meeting_id, "uuid": "x", "host_id": "acme-host"},
            },
        },
        separators=(",", ":"),
    ).encode()
    timestamp = str(int(time.time()))
    wrong = hmac.new(b"not-the-secret", b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)

    answer = httpx.post(
        f"{live_server.url}/zoom/webhooks/",
        content=body,
        headers={
            "content-type": "application/json",
            "x-zm-request-timestamp": timestamp,
            "x-zm-signature": "v0=" + wrong.hexdigest(),
        },
    )

    assert answer.status_code == 400
    assert WEBHOOK_SECRET  # the right secret is configured; this one is not it
    session.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.SCHEDULED
    assert not ZoomWebhookEvent.objects.filter(event_type="meeting.deleted").exists()


# --- a new host ----------------------------------------------------------------------------------


def _change_host(
    event: LiveEvent, acme: Organization, people: People, email: str, *, confirmed: bool = True
) -> None:
    _edit(event, acme, people, host_email=email, confirm_new_links=confirmed)


def test_the_edit_form_says_what_a_host_change_does(event: LiveEvent, acme_people: People) -> None:
    page = signed_in(acme_people.course_builder).get(reverse("live_events:edit", args=[event.pk]))

    text = page.content.decode()
    assert "given host@acme.test scheduling privilege in Zoom" in text
    assert "learners&#x27; links change" in text or "learners' links change" in text


def test_a_new_host_gets_the_same_meeting_where_zoom_allows_the_move(
    event: LiveEvent, zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    session = _session(event)
    link = _registration(acme_people).join_url
    # The new host gave the current one scheduling privilege, as Zoom requires for a move.
    zoomsim.state.users["acme-cohost"].schedulers.append("acme-host")

    _change_host(event, acme, acme_people, "cohost@acme.test")

    moved = _session(event)
    assert (moved.zoom_meeting_id, moved.zoom_state) == (
        session.zoom_meeting_id,
        ZoomMeetingState.SCHEDULED,
    )
    assert moved.zoom_sent["host_id"] == "acme-cohost"
    [meeting] = sim_meetings(zoomsim, include_deleted=True)
    assert (meeting["id"], meeting["host_id"]) == (session.zoom_meeting_id, "acme-cohost")
    assert _registration(acme_people).join_url == link
    assert [r["join_url"] for r in sim_registrants_listed(zoomsim, meeting["id"])] == [link]
    assert mail.outbox == []


def test_where_zoom_refuses_the_move_a_new_meeting_replaces_it_and_learners_are_emailed(
    event: LiveEvent, zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    session = _session(event)
    old_link = _registration(acme_people).join_url
    with pytest.raises(NewLinksNeedConfirmation) as unconfirmed:
        _change_host(event, acme, acme_people, "cohost@acme.test", confirmed=False)
    assert "1 registered learner will be registered on the new meetings" in str(unconfirmed.value)
    assert (
        sim_meetings(zoomsim, include_deleted=True)[0]["host_id"] == "acme-host"
    )  # nothing sent yet

    _change_host(event, acme, acme_people, "cohost@acme.test")  # no scheduling privilege

    replaced = _session(event)
    assert replaced.zoom_state == ZoomMeetingState.SCHEDULED, replaced.zoom_problem
    assert replaced.zoom_meeting_id not in (None, session.zoom_meeting_id)
    assert replaced.zoom_meeting_to_delete is None  # the old one deleted once the new existed
    meetings = {m["id"]: m for m in sim_meetings(zoomsim, include_deleted=True)}
    assert meetings[session.zoom_meeting_id]["deleted"] is True
    new = meetings[replaced.zoom_meeting_id]
    assert (new["host_id"], new.get("deleted", False)) == ("acme-cohost", False)
    registration = _registration(acme_people)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.join_url
    assert registration.join_url != old_link
    assert [r["email"] for r in sim_registrants_listed(zoomsim, new["id"])] == [
        acme_people.learner.email
    ]
    assert [m.to for m in mail.outbox] == [[acme_people.learner.email]]
    _assert_renewed_invitation(mail.outbox[0].body, registration)
    # Campus's own delete of the old meeting, echoed by Zoom, does not mark the new one deleted.
    eventually(_processed("meeting.deleted"), timeout=10)
    assert _session(event).zoom_state == ZoomMeetingState.SCHEDULED


def test_a_recreate_whose_create_answer_is_lost_ends_with_one_meeting(
    event: LiveEvent, zoomsim: LiveZoomsim, acme_people: People
) -> None:
    session = _session(event)
    with _as_host(zoomsim) as host:
        host.delete(f"/v2/meetings/{session.zoom_meeting_id}")
    eventually(_processed("meeting.deleted"), timeout=10)
    zoom_loses_create_answers(zoomsim)

    signed_in(acme_people.course_builder).post(reverse("live_events:recreate", args=[session.pk]))
    run_pending_work_now()

    session.refresh_from_db()
    live = sim_meetings(zoomsim)
    assert [m["id"] for m in live] == [session.zoom_meeting_id]
    assert session.zoom_state == ZoomMeetingState.SCHEDULED
    assert _registration(acme_people).status == RegistrationStatus.REGISTERED
    assert [r["email"] for r in sim_registrants_listed(zoomsim, session.zoom_meeting_id)] == [
        acme_people.learner.email
    ]


def test_editing_a_session_deleted_at_zoom_schedules_it_again_once(
    event: LiveEvent, zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    session = _session(event)
    old_marker = session.zoom_marker
    with _as_host(zoomsim) as host:
        host.delete(f"/v2/meetings/{session.zoom_meeting_id}")
    eventually(_processed("meeting.deleted"), timeout=10)

    _edit(event, acme, acme_people, topic="Office hours, again")

    session.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.SCHEDULED
    assert session.zoom_marker != old_marker
    live = sim_meetings(zoomsim)
    assert [(m["id"], m["topic"]) for m in live] == [
        (session.zoom_meeting_id, "Office hours, again")
    ]
    assert _registration(acme_people).status == RegistrationStatus.REGISTERED
    eventually(lambda: bool(mail.outbox), timeout=10)
    _assert_renewed_invitation(mail.outbox[-1].body, _registration(acme_people))


def test_an_event_from_another_zoom_account_touches_no_session(event: LiveEvent) -> None:
    session = _session(event)
    _handled_directly(
        on_meeting_updated, "acct-globex", {"id": session.zoom_meeting_id, "duration": 5}
    )
    _handled_directly(on_meeting_deleted, "acct-globex", {"id": session.zoom_meeting_id})

    after = _session(event)
    assert (after.zoom_state, after.duration_minutes) == (ZoomMeetingState.SCHEDULED, 60)


def test_a_deletion_campus_never_heard_of_is_marked_when_an_edit_finds_it(
    event: LiveEvent, zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    session = _session(event)
    knobs(zoomsim, webhooks=False)
    with _as_host(zoomsim) as host:
        host.delete(f"/v2/meetings/{session.zoom_meeting_id}")

    _edit(event, acme, acme_people, duration_minutes=75)

    session.refresh_from_db()
    assert session.zoom_state == ZoomMeetingState.DELETED_AT_ZOOM
    waiting = _registration(acme_people)
    assert (waiting.status, waiting.join_url) == (RegistrationStatus.WAITING, "")


def test_a_session_that_is_over_is_not_recreated(
    event: LiveEvent, zoomsim: LiveZoomsim, acme_people: People
) -> None:
    session = _session(event)
    httpx.delete(f"{zoomsim.base_url}/_sim/meetings/{session.zoom_meeting_id}")
    eventually(_processed("meeting.deleted"), timeout=10)
    LiveEventSession.objects.filter(pk=session.pk).update(  # set the scene: it happened
        starts_at=datetime.now(UTC) - timedelta(days=1)
    )

    answer = signed_in(acme_people.course_builder).post(
        reverse("live_events:recreate", args=[session.pk]), follow=True
    )

    assert "This session is over" in answer.content.decode()
    assert _session(event).zoom_state == ZoomMeetingState.DELETED_AT_ZOOM
    assert sim_meetings(zoomsim) == []


def test_saving_a_new_host_in_the_form_moves_the_meeting_and_says_how(
    event: LiveEvent, zoomsim: LiveZoomsim, acme_people: People
) -> None:
    session = _session(event)
    zoomsim.state.users["acme-cohost"].schedulers.append("acme-host")
    builder = signed_in(acme_people.course_builder)

    asked = edit_form_post(builder, event, host_email="cohost@acme.test")

    # Before anything is saved or sent, the builder is told Zoom's rule and the fallback.
    assert asked.status_code == 409
    warning = asked.content.decode()
    assert "only if cohost@acme.test has given host@acme.test scheduling privilege" in warning
    assert "the links will change, and 1 registered learner will be registered" in warning
    assert 'name="confirm_new_links"' in warning
    event.refresh_from_db()
    assert event.host_email == "host@acme.test"
    assert sim_meetings(zoomsim, include_deleted=True)[0]["host_id"] == "acme-host"

    saved = edit_form_post(
        builder, event, follow=True, host_email="cohost@acme.test", confirm_new_links="on"
    )

    assert saved.status_code == 200
    text = saved.content.decode()
    assert "Zoom is asked to move the meetings from host@acme.test to cohost@acme.test" in text
    assert "where Zoom refuses, new meetings replace them" in text
    [meeting] = sim_meetings(zoomsim, include_deleted=True)
    assert (meeting["id"], meeting["host_id"]) == (session.zoom_meeting_id, "acme-cohost")


def test_a_time_zone_or_duration_zoom_would_not_hold_is_not_taken_over(event: LiveEvent) -> None:
    session = _session(event)
    for change in ({"timezone": "Mars/Olympus_Mons"}, {"duration": 0}, {"duration": 24 * 60 + 1}):
        _handled_directly(
            on_meeting_updated, "acct-acme", {"id": session.zoom_meeting_id, **change}
        )

    after = _session(event)
    assert (after.time_zone, after.duration_minutes) == ("UTC", 60)
    assert after.zoom_sent == session.zoom_sent


def test_a_host_change_while_the_create_answer_was_lost_adopts_and_moves_that_meeting(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    zoom_loses_create_answers(zoomsim)
    created = live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=_office_hours(starts_at=in_days(3)),
    )
    session = created.sessions.get()
    assert session.zoom_meeting_id is None
    assert session.zoom_create_sent_at is not None
    [made] = sim_meetings(zoomsim, include_deleted=True)  # made at Zoom, its answer lost
    zoomsim.state.users["acme-cohost"].schedulers.append("acme-host")

    _change_host(created, acme, acme_people, "cohost@acme.test")
    run_pending_work_now()

    session.refresh_from_db()
    [meeting] = sim_meetings(
        zoomsim, include_deleted=True
    )  # the lost one, adopted and moved: no second
    assert (meeting["id"], meeting["host_id"]) == (made["id"], "acme-cohost")
    assert session.zoom_meeting_id == made["id"]
    assert session.zoom_state == ZoomMeetingState.SCHEDULED
