"""Campus's calendar invitations through the pages, against zoomsim over HTTP: registering
emails a REQUEST once Zoom has registered the learner; a new time in the edit form emails every
registrant a REQUEST with the same UID and a higher SEQUENCE; moving emails a CANCEL for the old
registration and a REQUEST for the new; cancelling and removal email CANCELs. Work runs as a
worker would; mail goes to Django's locmem outbox."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.urls import reverse

from courses.models import Course
from courses.services import course_enroll
from live_events.inputs import EventInput, SessionInput
from live_events.models import LiveEvent, LiveEventRegistration, LiveEventSession
from live_events.services import live_event_create
from organizations.models import Organization, Role, User
from tests.django_conftest import People, first_lesson, make_member, signed_in
from tests.live_events.invitation_reading import SentInvitation, run_due_work, sent_invitations
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import edit_form_post
from zoom_integration.models import ZoomAccount

Connect = Callable[..., ZoomAccount]


def _start_in(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(
        hour=15, minute=0, second=0, microsecond=0, tzinfo=None
    )


@pytest.fixture
def event(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    zoomsim: LiveZoomsim,
) -> LiveEvent:
    connect_acme_account(acme, acme_people.org_admin)
    created = live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=EventInput(
            topic="Office hours",
            description="Bring your questions.",
            host_email="host@acme.test",
            sessions=(
                SessionInput(starts_at=_start_in(3), time_zone="UTC", duration_minutes=60),
                SessionInput(starts_at=_start_in(5), time_zone="UTC", duration_minutes=45),
            ),
        ),
    )
    run_due_work()
    return created


def _sessions(event: LiveEvent) -> list[LiveEventSession]:
    sessions = list(event.sessions.order_by("starts_at"))
    assert all(s.zoom_meeting_id for s in sessions)  # zoomsim made the meetings
    return sessions


def _register(learner: User, session: LiveEventSession) -> None:
    response = signed_in(learner).post(reverse("live_events:register", args=[session.pk]))
    assert response.status_code == 302
    run_due_work()


def _enrolled_learners(
    acme: Organization, course: Course, count: int, prefix: str = "cohort"
) -> list[User]:
    people = [make_member(acme, f"{prefix}{n}@acme.example", Role.LEARNER) for n in range(count)]
    for person in people:
        course_enroll(course=course, learner=person)
    return people


def _registration(learner: User, session: LiveEventSession) -> LiveEventRegistration:
    return LiveEventRegistration.objects.get(learner=learner, session=session)


def _uid(registration: LiveEventRegistration) -> str:
    return f"registration-{registration.pk}@"


def _by_recipient(sent: list[SentInvitation]) -> dict[str, list[SentInvitation]]:
    grouped: dict[str, list[SentInvitation]] = {}
    for invitation in sent:
        grouped.setdefault(invitation.to[0], []).append(invitation)
    return grouped


def test_registering_emails_a_request_once_zoom_has_registered_the_learner(
    event: LiveEvent, acme_people: People
) -> None:
    _first, second = _sessions(event)

    _register(acme_people.learner, second)

    registration = _registration(acme_people.learner, second)
    assert registration.join_url  # Zoom's personal link came first
    [sent] = sent_invitations()
    assert sent.to == [acme_people.learner.email]
    assert sent.method == "REQUEST"
    assert sent.uid.startswith(_uid(registration))
    assert sent.sequence == 0
    assert sent.starts_at == second.starts_at
    assert sent.ends_at == second.starts_at + timedelta(minutes=45)
    assert reverse("live_events:join", args=[second.pk]) in str(sent.event["DESCRIPTION"])
    assert registration.join_url not in sent.body
    assert LiveEventRegistration.objects.get(pk=registration.pk).invitation_sent_at is not None


def test_a_new_time_emails_every_registrant_the_same_uid_with_a_higher_sequence(
    event: LiveEvent, acme: Organization, acme_people: People, acme_course: Course
) -> None:
    first, second = _sessions(event)
    cohort = _enrolled_learners(acme, acme_course, 2)
    for learner in [acme_people.learner, *cohort]:
        _register(learner, first)
    [elsewhere] = _enrolled_learners(acme, acme_course, 1, prefix="elsewhere")
    _register(elsewhere, second)
    before = _by_recipient(sent_invitations())
    mail.outbox.clear()
    new_start = first.starts_at + timedelta(hours=2)

    response = edit_form_post(
        signed_in(acme_people.course_builder),
        event,
        **{
            "sessions-0-starts_at": new_start.strftime("%Y-%m-%dT%H:%M"),
            "sessions-0-duration_minutes": "90",
        },
    )

    assert response.status_code == 302
    assert LiveEventSession.objects.get(pk=first.pk).starts_at == new_start
    after = _by_recipient(sent_invitations())
    # Only the rescheduled session's registrants, one REQUEST each.
    assert sorted(after) == sorted(p.email for p in [acme_people.learner, *cohort])
    for email, [update] in after.items():
        [original] = before[email]
        assert update.method == "REQUEST"
        assert update.uid == original.uid
        assert update.sequence == original.sequence + 1
        assert update.starts_at == new_start
        assert update.ends_at == new_start + timedelta(minutes=90)
        assert update.subject.startswith("New time: Office hours")


def test_an_edit_that_keeps_the_times_emails_no_one(event: LiveEvent, acme_people: People) -> None:
    first, _second = _sessions(event)
    _register(acme_people.learner, first)
    mail.outbox.clear()

    response = edit_form_post(signed_in(acme_people.course_builder), event)

    assert response.status_code == 302
    assert mail.outbox == []


def test_moving_emails_a_cancel_for_the_old_registration_and_a_request_for_the_new(
    event: LiveEvent, acme_people: People
) -> None:
    first, second = _sessions(event)
    _register(acme_people.learner, first)
    old = _registration(acme_people.learner, first)
    mail.outbox.clear()

    _register(acme_people.learner, second)

    new = _registration(acme_people.learner, second)
    sent = sent_invitations()
    assert sorted((s.method, s.uid.split("@")[0]) for s in sent) == [
        ("CANCEL", f"registration-{old.pk}"),
        ("REQUEST", f"registration-{new.pk}"),
    ]
    cancel = next(s for s in sent if s.method == "CANCEL")
    request = next(s for s in sent if s.method == "REQUEST")
    assert cancel.sequence == 1
    assert cancel.starts_at == first.starts_at
    assert "moved to another session" in cancel.body
    assert request.sequence == 0
    assert request.starts_at == second.starts_at


def test_cancelling_on_the_page_emails_a_cancel(event: LiveEvent, acme_people: People) -> None:
    first, _second = _sessions(event)
    _register(acme_people.learner, first)
    registration = _registration(acme_people.learner, first)

    response = signed_in(acme_people.learner).post(reverse("live_events:cancel", args=[first.pk]))
    run_due_work()

    assert response.status_code == 302
    request, cancel = sent_invitations()
    assert cancel.method == "CANCEL"
    assert cancel.uid == request.uid
    assert cancel.uid.startswith(_uid(registration))
    assert cancel.sequence == 1


def test_removing_a_session_emails_a_cancel_to_all_its_registrants(
    event: LiveEvent, acme: Organization, acme_people: People, acme_course: Course
) -> None:
    first, second = _sessions(event)
    cohort = _enrolled_learners(acme, acme_course, 3)
    for learner in cohort:
        _register(learner, first)
    _register(acme_people.learner, second)
    mail.outbox.clear()

    response = signed_in(acme_people.course_builder).post(
        reverse("live_events:session_remove", args=[event.pk, first.pk])
    )
    run_due_work()

    assert response.status_code == 302
    sent = sent_invitations()
    assert sorted(s.to[0] for s in sent) == sorted(p.email for p in cohort)
    assert {(s.method, s.sequence, s.status) for s in sent} == {("CANCEL", 1, "CANCELLED")}


def test_removing_the_event_emails_a_cancel_to_everyone_registered(
    event: LiveEvent, acme: Organization, acme_people: People, acme_course: Course
) -> None:
    first, second = _sessions(event)
    cohort = _enrolled_learners(acme, acme_course, 2)
    _register(cohort[0], first)
    _register(cohort[1], second)
    mail.outbox.clear()

    response = signed_in(acme_people.course_builder).post(
        reverse("live_events:remove", args=[event.pk])
    )
    run_due_work()

    assert response.status_code == 302
    sent = sent_invitations()
    assert sorted(s.to[0] for s in sent) == sorted(p.email for p in cohort)
    assert {s.method for s in sent} == {"CANCEL"}


def test_registering_the_whole_course_emails_each_learner_once(
    event: LiveEvent, acme: Organization, acme_people: People, acme_course: Course
) -> None:
    first, _second = _sessions(event)
    cohort = _enrolled_learners(acme, acme_course, 4)

    response = signed_in(acme_people.course_assistant).post(
        reverse("live_events:register_learners", args=[first.pk]), {"whole_course": "1"}
    )
    run_due_work()
    run_due_work()

    assert response.status_code == 302
    sent = sent_invitations()
    assert sorted(s.to[0] for s in sent) == sorted(p.email for p in [acme_people.learner, *cohort])
    assert {(s.method, s.sequence) for s in sent} == {("REQUEST", 0)}
    assert len({s.uid for s in sent}) == len(sent)


def test_course_admins_see_when_the_email_went(event: LiveEvent, acme_people: People) -> None:
    first, _second = _sessions(event)
    _register(acme_people.learner, first)
    page = reverse("live_events:registrations", args=[first.pk])
    sent_at = _registration(acme_people.learner, first).invitation_sent_at
    assert sent_at is not None

    html = signed_in(acme_people.course_assistant).get(page).content.decode()

    assert "Join link sent" in html
    assert "Yes, emailed" in html
