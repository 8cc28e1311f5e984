"""A Zoom live event on the lesson page, against zoomsim over HTTP: learners register, move,
cancel and join with their personal link; the host starts with a link fetched at the click;
Course Admins see the registrations and register the course at once. Work runs as a worker
would (the bell is eager in these tests)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from courses.services import course_enroll
from live_events.inputs import EventInput, SessionInput
from live_events.models import (
    LiveEvent,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
)
from live_events.services import live_event_create
from organizations.models import Organization, Role, User
from tests.django_conftest import People, first_lesson, make_member, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import run_due_work, sim_registrants_listed
from zoom_integration.models import ZoomAccount

Connect = Callable[..., ZoomAccount]
T = TypeVar("T")


def _in_days(days: float) -> datetime:
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(second=0, microsecond=0, tzinfo=None)


@pytest.fixture
def event(
    acme: Organization, acme_people: People, acme_course: Course, connect_acme_account: Connect
) -> LiveEvent:
    connect_acme_account(acme, acme_people.org_admin)
    return live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=EventInput(
            topic="Office hours",
            host_email="host@acme.test",
            sessions=(
                SessionInput(starts_at=_in_days(2), time_zone="UTC", duration_minutes=60),
                SessionInput(starts_at=_in_days(4), time_zone="Europe/Berlin", duration_minutes=45),
            ),
        ),
    )


def _worked(response: T) -> T:
    """Run every due work row as a worker would (these tests run inside a transaction, so the
    bell rung on commit never sounds), then hand back `response`."""
    run_due_work()
    return response


def _sessions(event: LiveEvent) -> list[LiveEventSession]:
    _worked(None)
    return list(event.sessions.order_by("starts_at"))


def _lesson_html(client: Client, course: Course) -> str:
    response = client.get(reverse("courses:lesson", args=[course.pk, first_lesson(course).pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_lesson_page_shows_each_session_in_the_viewers_zone(
    event: LiveEvent, acme_people: People, acme_course: Course
) -> None:
    html = _lesson_html(signed_in(acme_people.learner), acme_course)

    assert "Office hours" in html
    assert html.count('class="session') >= 2
    # Acme's zone is New York; the Berlin session shows its own zone beside the viewer's time.
    assert "Europe/Berlin" in html
    assert "60 minutes · 0 registered" in html
    assert html.count(">Register<") == 2


def test_a_learner_registers_and_gets_a_personal_link_from_zoom(
    event: LiveEvent, acme_people: People, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    _first, second = _sessions(event)
    client = signed_in(acme_people.learner)

    response = _worked(client.post(reverse("live_events:register", args=[second.pk])))

    assert response.status_code == 302
    registration = LiveEventRegistration.objects.get(learner=acme_people.learner)
    assert registration.session_id == second.pk
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.zoom_registrant_id
    assert registration.join_url.startswith(zoomsim.base_url)
    at_zoom = sim_registrants_listed(zoomsim, second.zoom_meeting_id)
    assert [r["id"] for r in at_zoom] == [registration.zoom_registrant_id]
    html = _lesson_html(client, acme_course)
    assert "Registered" in html
    assert "Join opens" in html  # two days ahead: not yet open


def test_registering_for_another_session_moves_the_registration(
    event: LiveEvent, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    first, second = _sessions(event)
    client = signed_in(acme_people.learner)
    _worked(client.post(reverse("live_events:register", args=[first.pk])))

    _worked(client.post(reverse("live_events:register", args=[second.pk])))

    active = LiveEventRegistration.objects.filter(
        learner=acme_people.learner, status=RegistrationStatus.REGISTERED
    )
    assert [r.session_id for r in active] == [second.pk]
    assert sim_registrants_listed(zoomsim, first.zoom_meeting_id) == []
    assert len(sim_registrants_listed(zoomsim, second.zoom_meeting_id)) == 1


def test_join_opens_fifteen_minutes_before_and_leads_to_the_personal_link(
    event: LiveEvent, acme_people: People, acme_course: Course
) -> None:
    first, _second = _sessions(event)
    client = signed_in(acme_people.learner)
    _worked(client.post(reverse("live_events:register", args=[first.pk])))
    registration = LiveEventRegistration.objects.get(learner=acme_people.learner)
    join_url = reverse("live_events:join", args=[first.pk])

    early = client.get(join_url)
    LiveEventSession.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() + timedelta(minutes=10)
    )
    html = _lesson_html(client, acme_course)
    on_time = client.get(join_url)

    assert early.status_code == 302
    assert early["Location"] != registration.join_url  # back to the page, not to Zoom
    assert f'href="{join_url}"' in html
    assert ">Join<" in html
    assert on_time["Location"] == registration.join_url


def test_the_host_starts_with_a_link_fetched_at_the_click(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    host = make_member(acme, "host@acme.test", Role.COURSE_ADMIN)
    first, _second = _sessions(event)
    client = signed_in(host)

    html = _lesson_html(client, acme_course)
    response = client.post(reverse("live_events:start", args=[first.pk]))

    assert ">Start<" in html
    assert response.status_code == 302
    assert response["Location"].startswith(zoomsim.base_url)
    assert str(first.zoom_meeting_id) in response["Location"]


def test_someone_else_cannot_start(event: LiveEvent, acme_people: People) -> None:
    first, _second = _sessions(event)

    response = signed_in(acme_people.course_builder).post(
        reverse("live_events:start", args=[first.pk])
    )

    assert response.status_code == 404


def test_a_course_admin_registers_the_whole_course_and_sees_who(
    event: LiveEvent,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
) -> None:
    extra = [make_member(acme, f"l{n}@acme.example", Role.LEARNER) for n in range(3)]
    for learner in extra:
        course_enroll(course=acme_course, learner=learner)
    first, _second = _sessions(event)
    client = signed_in(acme_people.course_assistant)

    response = _worked(
        client.post(
            reverse("live_events:register_learners", args=[first.pk]), {"whole_course": "1"}
        )
    )
    page = client.get(reverse("live_events:registrations", args=[first.pk])).content.decode()

    assert response.status_code == 302
    registered = LiveEventRegistration.objects.filter(
        session=first, status=RegistrationStatus.REGISTERED
    )
    assert registered.count() == 4
    assert all(r.join_url for r in registered)
    assert len(sim_registrants_listed(zoomsim, first.zoom_meeting_id)) == 4
    for learner in [acme_people.learner, *extra]:
        assert learner.email in page
    assert "Yes" in page


def test_a_tampered_learner_id_is_404_and_registers_no_one(
    event: LiveEvent, acme: Organization, acme_people: People, globex_admin: User
) -> None:
    first, _second = _sessions(event)
    outsider = make_member(acme, "not-enrolled@acme.example", Role.LEARNER)

    for planted in (globex_admin.pk, outsider.pk):
        response = signed_in(acme_people.course_assistant).post(
            reverse("live_events:register_learners", args=[first.pk]), {"learner": [planted]}
        )
        assert response.status_code == 404
    assert not LiveEventRegistration.objects.exists()


def test_learners_not_enrolled_and_other_organizations_see_nothing(
    event: LiveEvent, acme: Organization, acme_course: Course, globex_admin: User
) -> None:
    first, _second = _sessions(event)
    outsider = make_member(acme, "outsider@acme.example", Role.LEARNER)
    lesson = reverse("courses:lesson", args=[acme_course.pk, first_lesson(acme_course).pk])

    for person in (outsider, globex_admin):
        client = signed_in(person)
        assert client.get(lesson).status_code == 404
        assert client.post(reverse("live_events:register", args=[first.pk])).status_code == 404
        assert client.get(reverse("live_events:join", args=[first.pk])).status_code == 404
    assert not LiveEventRegistration.objects.exists()


def test_course_admins_do_not_register_themselves(event: LiveEvent, acme_people: People) -> None:
    first, _second = _sessions(event)

    response = signed_in(acme_people.course_builder).post(
        reverse("live_events:register", args=[first.pk])
    )

    assert response.status_code == 404
