"""Campus's own invitations: each registration's email carries an iCalendar event that parses
with `icalendar`, keeps its UID, and raises SEQUENCE on a reschedule; moving and removal send the
CANCEL. The registrations come from the live zoomsim (the personal link is in the invitation)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import icalendar
import pytest
from django.core import mail

from courses.models import Course
from live_events.inputs import EventInput
from live_events.models import LiveEvent, LiveEventRegistration
from live_events.services import (
    live_event_create,
    live_event_registration_create,
    live_event_session_remove,
    live_event_update,
)
from organizations.models import Organization
from tests.django_conftest import People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import event_input, run_due_work, same_sessions
from tests.zoom_integration.zoom_account_scenes import Connect

pytestmark = pytest.mark.django_db


@pytest.fixture
def data() -> EventInput:
    return event_input()


@pytest.fixture
def event(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    data: EventInput,
) -> LiveEvent:
    connect_acme_account(acme, acme_people.org_admin)
    created = live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=data,
    )
    run_due_work()
    return created


def calendar_event(message: mail.EmailMessage) -> tuple[str, icalendar.Event]:
    (attachment,) = message.attachments
    name, content, mimetype = attachment  # type: ignore[misc]
    assert name == "invitation.ics"
    calendar = icalendar.Calendar.from_ical(content)
    assert mimetype.startswith(f"text/calendar; method={calendar['method']}")
    (entry,) = calendar.walk("VEVENT")
    return str(calendar["method"]), entry


def test_registering_sends_an_invitation_with_the_personal_link(
    acme: Organization, acme_people: People, event: LiveEvent
) -> None:
    session = event.sessions.order_by("starts_at").first()
    assert session is not None
    registration = live_event_registration_create(
        organization=acme, session=session, learner=acme_people.learner
    )
    run_due_work()

    registration.refresh_from_db()
    (message,) = mail.outbox
    assert message.to == [acme_people.learner.email]
    method, entry = calendar_event(message)
    assert method == "REQUEST"
    assert str(entry["uid"]) == f"registration-{registration.pk}@testserver"
    assert int(entry["sequence"]) == 0
    assert entry.decoded("dtstart") == session.starts_at
    assert entry.decoded("dtend") == session.starts_at + timedelta(minutes=60)
    assert str(entry["location"]) == registration.join_url
    assert registration.join_url in message.body
    assert registration.invitation_sent_at is not None  # "join link sent", for Course Admins


def test_a_reschedule_sends_the_same_uid_with_a_higher_sequence(
    acme: Organization, acme_people: People, event: LiveEvent, data: EventInput
) -> None:
    session = event.sessions.order_by("starts_at").first()
    assert session is not None
    live_event_registration_create(organization=acme, session=session, learner=acme_people.learner)
    run_due_work()

    edited = same_sessions(event, data)
    later = replace(edited.sessions[0], starts_at=session.starts_at + timedelta(hours=3))
    live_event_update(
        organization=acme,
        actor=acme_people.course_builder,
        event=event,
        data=replace(edited, sessions=(later, *edited.sessions[1:])),
    )
    run_due_work()

    first, second = (calendar_event(message) for message in mail.outbox)
    assert second[0] == "REQUEST"
    assert second[1]["uid"] == first[1]["uid"]
    assert int(second[1]["sequence"]) == int(first[1]["sequence"]) + 1
    assert second[1].decoded("dtstart") == session.starts_at + timedelta(hours=3)


def test_moving_cancels_the_old_invitation_and_sends_a_new_one(
    acme: Organization, acme_people: People, event: LiveEvent
) -> None:
    first_session, second_session = event.sessions.order_by("starts_at")
    old = live_event_registration_create(
        organization=acme, session=first_session, learner=acme_people.learner
    )
    run_due_work()

    new = live_event_registration_create(
        organization=acme, session=second_session, learner=acme_people.learner
    )
    run_due_work()

    sent = [calendar_event(message) for message in mail.outbox]
    by_uid = {(method, str(entry["uid"])): entry for method, entry in sent}
    old_uid = f"registration-{old.pk}@testserver"
    assert int(by_uid[("CANCEL", old_uid)]["sequence"]) == 1
    assert ("REQUEST", f"registration-{new.pk}@testserver") in by_uid
    assert len(sent) == 3


def test_removing_the_session_sends_the_cancel_once(
    acme: Organization, acme_people: People, event: LiveEvent
) -> None:
    session = event.sessions.order_by("starts_at").first()
    assert session is not None
    live_event_registration_create(organization=acme, session=session, learner=acme_people.learner)
    run_due_work()

    live_event_session_remove(organization=acme, session=session, notify_registrants=False)
    run_due_work()
    run_due_work()

    methods = [calendar_event(message)[0] for message in mail.outbox]
    assert methods == ["REQUEST", "CANCEL"]
    registration = LiveEventRegistration.objects.get(session=session)
    assert registration.cancellation_sent_at is not None
