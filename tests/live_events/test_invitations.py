"""Campus's own calendar invitations: what the iCalendar says, that a registration keeps its UID
while its SEQUENCE grows, that removal cancels for everyone, that running the work again sends
nothing twice, and that one mailbox refusing does not stop the others (a real SMTP exchange).

Zoom is not involved here: registrations are registered the way the Zoom work records it
(`registration_zoom_registered`); the flows against zoomsim are in
tests/zoom_integration/test_invitations_from_zoomsim.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from pytest_django.fixtures import Settings

from live_events.invitation_services import (
    INVITATION_SEND_KIND,
    invitation_dedupe_key,
    registration_invitation_send,
    registrations_invitation_plan,
    session_invitations_plan,
)
from live_events.models import (
    LiveEvent,
    LiveEventProvider,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
)
from live_events.services import (
    live_event_registration_cancel,
    live_event_remove,
    live_event_session_remove,
    registration_zoom_registered,
)
from organizations.models import Organization, Role, User
from tests.browser.smtp_server import LocalSmtpServer
from tests.django_conftest import People, make_member
from tests.live_events.invitation_reading import (
    invitation_of_mime,
    run_due_work,
    sent_invitations,
)
from work.models import WorkItem, WorkState
from work.services import work_enqueue, work_run

pytestmark = pytest.mark.django_db

STARTS_AT = datetime(2027, 3, 2, 15, 0, tzinfo=UTC)  # 10:00 in New York (EST), 00:00 in Tokyo


@pytest.fixture
def session(acme: Organization) -> LiveEventSession:
    event = LiveEvent.objects.create(
        organization=acme,
        title="Office hours",
        description="Bring your questions.",
        provider=LiveEventProvider.ZOOM,
        time_zone="America/New_York",
        host_email="host@acme.test",
    )
    return LiveEventSession.objects.create(
        event=event,
        starts_at=STARTS_AT,
        time_zone="America/New_York",
        duration_minutes=60,
        zoom_meeting_id=81_000_000_001,
        zoom_join_url="https://zoom.us/j/81000000001",
    )


def registered(session: LiveEventSession, learner: User) -> LiveEventRegistration:
    """A registration the Zoom work has just registered (its personal link stored)."""
    registration = LiveEventRegistration.objects.create(
        event=session.event, session=session, learner=learner
    )
    assert registration_zoom_registered(
        registration_id=registration.pk,
        registrant_id=f"reg-{registration.pk}",
        join_url=f"https://zoom.us/w/81000000001?tk=personal-{registration.pk}",
    )
    return LiveEventRegistration.objects.get(pk=registration.pk)


def learners(acme: Organization, count: int) -> list[User]:
    return [make_member(acme, f"learner{n}@acme.example", Role.LEARNER) for n in range(count)]


def test_the_invitation_parses_and_says_what_a_calendar_needs(
    session: LiveEventSession, acme_people: People
) -> None:
    registration = registered(session, acme_people.learner)
    run_due_work()

    [sent] = sent_invitations()
    assert sent.to == [acme_people.learner.email]
    assert sent.method == "REQUEST"
    assert sent.content_type.startswith("text/calendar")
    assert "method=REQUEST" in sent.content_type.replace('"', "")
    campus_host = urlsplit(settings.CAMPUS_BASE_URL).hostname
    assert sent.uid == f"registration-{registration.pk}@{campus_host}"
    assert sent.sequence == 0
    assert sent.status == "CONFIRMED"
    assert sent.starts_at == STARTS_AT
    assert sent.starts_at.tzinfo is not None
    assert sent.ends_at == STARTS_AT + timedelta(minutes=60)
    assert sent.event.to_ical().decode().count("DTSTART:20270302T150000Z") == 1
    assert str(sent.event["SUMMARY"]) == "Office hours"
    join_page = settings.CAMPUS_BASE_URL + reverse("live_events:join", args=[session.pk])
    description = str(sent.event["DESCRIPTION"])
    assert "Bring your questions." in description
    assert join_page in description
    # Zoom's personal link stays behind Campus's page, in the calendar as in the body.
    assert registration.join_url not in description
    assert registration.join_url not in sent.body
    assert str(sent.event["ORGANIZER"]).lower() == "mailto:campus@campus.test"
    assert str(sent.event["ATTENDEE"]).lower() == f"mailto:{acme_people.learner.email}"
    assert "DTSTAMP" in sent.event
    assert LiveEventRegistration.objects.get(pk=registration.pk).invitation_sent_sequence == 0


def test_the_body_gives_the_time_in_the_learners_zone_and_names_it(
    session: LiveEventSession, acme: Organization, acme_people: People
) -> None:
    tokyo = make_member(acme, "tokyo@acme.example", Role.LEARNER)
    User.objects.filter(pk=tokyo.pk).update(time_zone="Asia/Tokyo")
    registered(session, User.objects.get(pk=tokyo.pk))
    registered(session, acme_people.learner)  # no own zone: the organization's (New York)
    run_due_work()

    by_person = {sent.to[0]: sent for sent in sent_invitations()}
    assert "Wednesday 3 March 2027, 00:00 to 01:00 (Asia/Tokyo, JST)" in by_person[tokyo.email].body
    new_york = by_person[acme_people.learner.email]
    assert "Tuesday 2 March 2027, 10:00 to 11:00 (America/New_York, EST)" in new_york.body
    assert new_york.subject == "Registered: Office hours, Tuesday 2 March 2027, 10:00 to 11:00"
    join_page = settings.CAMPUS_BASE_URL + reverse("live_events:join", args=[session.pk])
    assert join_page in new_york.body


def test_summer_time_is_named_and_the_description_survives_icalendars_escaping(
    session: LiveEventSession, acme_people: People
) -> None:
    description = "Agenda: one, two; three.\nBring a laptop, and questions\\answers."
    LiveEvent.objects.filter(pk=session.event_id).update(description=description)
    # After New York's clocks went forward (14 March 2027): 15:00 UTC is 11:00 EDT.
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=datetime(2027, 7, 6, 15, 0, tzinfo=UTC)
    )
    registered(LiveEventSession.objects.get(pk=session.pk), acme_people.learner)
    run_due_work()

    [sent] = sent_invitations()
    assert "Tuesday 6 July 2027, 11:00 to 12:00 (America/New_York, EDT)" in sent.body
    assert str(sent.event["DESCRIPTION"]).startswith(description + "\n\nJoin from Campus: ")
    assert sent.starts_at == datetime(2027, 7, 6, 15, 0, tzinfo=UTC)


def test_a_topic_saved_with_a_line_break_still_makes_a_one_line_subject(
    session: LiveEventSession, acme_people: People
) -> None:
    LiveEvent.objects.filter(pk=session.event_id).update(title="Office\r\nBcc: all@evil.example")
    registered(LiveEventSession.objects.get(pk=session.pk), acme_people.learner)
    run_due_work()

    [sent] = sent_invitations()
    assert sent.subject.startswith("Registered: Office Bcc: all@evil.example, Tuesday")
    assert mail.outbox[0].message()["Bcc"] is None
    assert mail.outbox[0].recipients() == [acme_people.learner.email]


def test_cancelling_sends_a_cancel_with_the_same_uid_and_a_higher_sequence(
    session: LiveEventSession, acme: Organization, acme_people: People
) -> None:
    registration = registered(session, acme_people.learner)
    run_due_work()

    live_event_registration_cancel(organization=acme, registration=registration)
    run_due_work()

    request, cancel = sent_invitations()
    assert (request.method, cancel.method) == ("REQUEST", "CANCEL")
    assert cancel.uid == request.uid
    assert cancel.sequence == request.sequence + 1
    assert cancel.status == "CANCELLED"
    assert cancel.subject.startswith("Cancelled: Office hours")
    assert "is cancelled" in cancel.body


def test_a_new_time_sends_a_request_with_the_same_uid_and_sequence_plus_one(
    session: LiveEventSession, acme_people: People
) -> None:
    registered(session, acme_people.learner)
    run_due_work()
    new_start = STARTS_AT + timedelta(days=1, hours=2)
    LiveEventSession.objects.filter(pk=session.pk).update(starts_at=new_start)

    assert session_invitations_plan(session_id=session.pk) == 1
    run_due_work()

    first, update = sent_invitations()
    assert update.method == "REQUEST"
    assert update.uid == first.uid
    assert update.sequence == first.sequence + 1
    assert update.starts_at == new_start
    assert update.subject.startswith("New time: Office hours")


def test_a_cancel_before_any_invitation_was_sent_sends_nothing(
    session: LiveEventSession, acme: Organization, acme_people: People
) -> None:
    waiting = LiveEventRegistration.objects.create(
        event=session.event, session=session, learner=acme_people.learner
    )

    live_event_registration_cancel(organization=acme, registration=waiting)
    run_due_work()

    assert mail.outbox == []
    assert not WorkItem.objects.filter(kind=INVITATION_SEND_KIND).exists()


def test_removing_the_session_sends_a_cancel_to_every_registrant(
    session: LiveEventSession, acme: Organization
) -> None:
    people = learners(acme, 3)
    registrations = [registered(session, person) for person in people]
    run_due_work()
    mail.outbox.clear()

    assert live_event_session_remove(
        organization=acme, session=session, notify_registrants=False
    ) == len(people)
    run_due_work()

    sent = sent_invitations()
    assert sorted(s.to[0] for s in sent) == sorted(p.email for p in people)
    assert {s.method for s in sent} == {"CANCEL"}
    assert sorted(s.uid.split("@")[0] for s in sent) == sorted(
        f"registration-{r.pk}" for r in registrations
    )
    assert {s.sequence for s in sent} == {1}
    assert all("was removed" in s.body for s in sent)


def test_removing_the_event_sends_a_cancel_to_every_registrant_of_every_session(
    session: LiveEventSession, acme: Organization
) -> None:
    second = LiveEventSession.objects.create(
        event=session.event,
        starts_at=STARTS_AT + timedelta(days=7),
        time_zone="UTC",
        duration_minutes=30,
    )
    first_people, second_people = (
        learners(acme, 2),
        [make_member(acme, "other@acme.example", Role.LEARNER)],
    )
    for person in first_people:
        registered(session, person)
    for person in second_people:
        registered(second, person)
    run_due_work()
    mail.outbox.clear()

    live_event_remove(organization=acme, event=session.event, notify_registrants=False)
    run_due_work()

    sent = sent_invitations()
    assert sorted(s.to[0] for s in sent) == sorted(p.email for p in first_people + second_people)
    assert {s.method for s in sent} == {"CANCEL"}
    assert all('"Office hours" was removed' in s.body for s in sent)


def test_the_same_work_run_twice_sends_one_email(
    session: LiveEventSession, acme: Organization, acme_people: People
) -> None:
    registration = registered(session, acme_people.learner)
    key = invitation_dedupe_key(registration_id=registration.pk, sequence=0)
    run_due_work()

    # The same piece of work again: its row is armed afresh and runs a second time.
    again = work_enqueue(
        kind=INVITATION_SEND_KIND,
        subject=f"registration:{registration.pk}",
        payload={"registration_id": registration.pk, "sequence": 0},
        organization=acme,
        dedupe_key=key,
    )
    assert again.state == WorkState.PENDING
    run_due_work()
    assert not registration_invitation_send(registration_id=registration.pk, sequence=0)

    assert len(mail.outbox) == 1
    assert WorkItem.objects.filter(dedupe_key=key).count() == 1
    assert WorkItem.objects.get(dedupe_key=key).state == WorkState.DONE


def test_changes_made_before_the_work_ran_send_only_the_latest(
    session: LiveEventSession, acme_people: People
) -> None:
    registration = registered(session, acme_people.learner)  # sequence 0 planned
    registrations_invitation_plan(registration_ids=[registration.pk], only_if_invited=False)

    run_due_work()

    [sent] = sent_invitations()
    assert sent.sequence == 1
    assert WorkItem.objects.filter(kind=INVITATION_SEND_KIND).count() == 2


def test_one_mailbox_refusing_does_not_stop_the_others(
    session: LiveEventSession, acme: Organization, settings: Settings
) -> None:
    people = learners(acme, 3)
    refused = people[1]
    smtp = LocalSmtpServer().start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        settings.EMAIL_USE_TLS = False
        smtp.refused = {refused.email}
        registrations = {person.pk: registered(session, person) for person in people}

        run_due_work()

        assert sorted(m.recipients[0] for m in smtp.received) == sorted(
            p.email for p in people if p != refused
        )
        failing = WorkItem.objects.get(subject=f"registration:{registrations[refused.pk].pk}")
        assert failing.state == WorkState.PENDING  # retried later, with backoff
        assert "SMTPRecipientsRefused" in failing.last_error
        assert (
            LiveEventRegistration.objects.get(pk=registrations[refused.pk].pk).invitation_sent_at
            is None
        )

        # The mailbox takes mail again; the retry sends that one email and no other again.
        smtp.refused = set()
        WorkItem.objects.filter(pk=failing.pk).update(next_attempt_at=failing.created_at)
        assert work_run(item_id=failing.pk) is not None
        run_due_work()

        recipients = sorted(m.recipients[0] for m in smtp.received)
        assert recipients == sorted(p.email for p in people)
        method, vevent = invitation_of_mime(smtp.received[-1].message)
        assert method == "REQUEST"
        assert str(vevent["UID"]).startswith(f"registration-{registrations[refused.pk].pk}@")
    finally:
        smtp.stop()
    assert all(
        r.status == RegistrationStatus.REGISTERED and r.invitation_sent_sequence == 0
        for r in LiveEventRegistration.objects.all()
    )


def test_the_email_leaves_after_commit_when_the_bell_rings_and_not_before(
    session: LiveEventSession,
    acme_people: People,
    eager_bell: None,
    django_capture_on_commit_callbacks: Callable[..., Any],
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        registration = registered(session, acme_people.learner)
        # Still inside the transaction that registered: nothing has left yet.
        assert mail.outbox == []

    [sent] = sent_invitations()
    assert sent.uid.startswith(f"registration-{registration.pk}@")
    item = WorkItem.objects.get(kind=INVITATION_SEND_KIND)
    assert item.state == WorkState.DONE


def test_a_cancel_waits_while_the_first_request_may_still_be_on_its_way(
    session: LiveEventSession, acme: Organization, acme_people: People
) -> None:
    registration = registered(session, acme_people.learner)
    first = WorkItem.objects.get(kind=INVITATION_SEND_KIND)
    # Another worker has claimed the REQUEST and is talking to the mail server.
    WorkItem.objects.filter(pk=first.pk).update(state=WorkState.RUNNING)
    live_event_registration_cancel(organization=acme, registration=registration)
    cancel = WorkItem.objects.exclude(pk=first.pk).get(kind=INVITATION_SEND_KIND)

    work_run(item_id=cancel.pk)

    waiting = WorkItem.objects.get(pk=cancel.pk)
    assert waiting.state == WorkState.PENDING
    assert waiting.last_error == "an earlier invitation is being sent"
    assert mail.outbox == []
    # That worker sent its REQUEST (sequence 0) and finished: the CANCEL now follows it.
    LiveEventRegistration.objects.filter(pk=registration.pk).update(invitation_sent_sequence=0)
    WorkItem.objects.filter(pk=first.pk).update(state=WorkState.DONE)
    WorkItem.objects.filter(pk=cancel.pk).update(next_attempt_at=waiting.created_at)
    work_run(item_id=cancel.pk)

    [sent] = sent_invitations()
    assert (sent.method, sent.sequence) == ("CANCEL", 1)


def test_a_registration_waiting_for_zoom_again_gets_no_cancel_and_then_a_higher_request(
    session: LiveEventSession, acme_people: People
) -> None:
    registration = registered(session, acme_people.learner)
    run_due_work()
    # Its meeting is made anew (as after a host change): Zoom registers the learner again.
    LiveEventRegistration.objects.filter(pk=registration.pk).update(
        status=RegistrationStatus.WAITING, join_url="", zoom_registrant_id=""
    )
    new_start = STARTS_AT + timedelta(hours=1)
    LiveEventSession.objects.filter(pk=session.pk).update(starts_at=new_start)
    session_invitations_plan(session_id=session.pk)
    run_due_work()
    assert len(mail.outbox) == 1  # no CANCEL while Zoom registers it again

    assert registration_zoom_registered(
        registration_id=registration.pk, registrant_id="again", join_url="https://zoom.us/w/2"
    )
    run_due_work()

    first, again = sent_invitations()
    assert (again.method, again.uid) == ("REQUEST", first.uid)
    assert again.sequence == 2
    assert again.starts_at == new_start
