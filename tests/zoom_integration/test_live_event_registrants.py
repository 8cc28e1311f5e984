"""Learners registered with Zoom through the live zoomsim: the registrant and its personal link
stored, a move cancels the old registrant and adds the new one, and a cohort of 500 goes in
batches of 30 (at most 17 calls)."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.http import Http404

from courses.models import Course
from live_events.models import (
    LiveEvent,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
)
from live_events.selectors import live_event_join_url
from live_events.services import (
    live_event_create,
    live_event_registration_cancel,
    live_event_registration_create,
    live_event_session_register_batch,
    live_event_session_start_url,
)
from organizations.models import Membership, Organization, Role, User
from tests.django_conftest import People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import event_input, knobs, run_due_work
from tests.zoom_integration.zoom_account_scenes import Connect

pytestmark = pytest.mark.django_db


@pytest.fixture
def scheduled_event(
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
        data=event_input(),
    )
    run_due_work()
    return event


def sessions_of(event: LiveEvent) -> list[LiveEventSession]:
    return list(event.sessions.order_by("starts_at", "id"))


def sim_registrants(zoomsim: LiveZoomsim, meeting_id: int | None) -> list[dict[str, object]]:
    answer = httpx.get(f"{zoomsim.base_url}/_sim/meetings/{meeting_id}/registrants")
    registrants: list[dict[str, object]] = answer.json()["registrants"]
    return registrants


def test_registering_stores_the_zoom_registrant_and_its_personal_link(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled_event: LiveEvent
) -> None:
    second = sessions_of(scheduled_event)[1]

    registration = live_event_registration_create(
        organization=acme, session=second, learner=acme_people.learner
    )
    assert registration.status == RegistrationStatus.WAITING
    run_due_work()

    registration.refresh_from_db()
    (at_zoom,) = sim_registrants(zoomsim, second.zoom_meeting_id)
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.zoom_registrant_id == at_zoom["id"]
    assert registration.join_url == at_zoom["join_url"]
    assert registration.join_url.startswith(f"{zoomsim.base_url}/w/{second.zoom_meeting_id}?tk=")
    assert at_zoom["email"] == acme_people.learner.email
    assert at_zoom["status"] == "approved"


def test_moving_to_another_session_cancels_the_old_registrant_and_adds_a_new_one(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled_event: LiveEvent
) -> None:
    first, second = sessions_of(scheduled_event)
    live_event_registration_create(organization=acme, session=first, learner=acme_people.learner)
    run_due_work()

    moved = live_event_registration_create(
        organization=acme, session=second, learner=acme_people.learner
    )
    run_due_work()

    old = LiveEventRegistration.objects.get(session=first)
    moved.refresh_from_db()
    assert old.status == RegistrationStatus.CANCELLED
    assert moved.status == RegistrationStatus.REGISTERED
    assert [r["status"] for r in sim_registrants(zoomsim, first.zoom_meeting_id)] == ["denied"]
    (new_at_zoom,) = sim_registrants(zoomsim, second.zoom_meeting_id)
    assert new_at_zoom["id"] == moved.zoom_registrant_id
    # One active registration per learner per event.
    active = LiveEventRegistration.objects.filter(
        event=scheduled_event, status__in=("waiting", "registered")
    )
    assert active.count() == 1


def test_cancelling_cancels_the_registrant_at_zoom(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled_event: LiveEvent
) -> None:
    first = sessions_of(scheduled_event)[0]
    registration = live_event_registration_create(
        organization=acme, session=first, learner=acme_people.learner
    )
    run_due_work()

    live_event_registration_cancel(organization=acme, registration=registration)
    run_due_work()

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED
    assert [r["status"] for r in sim_registrants(zoomsim, first.zoom_meeting_id)] == ["denied"]


def test_registering_before_the_meeting_exists_waits_and_follows_its_creation(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    event = live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(),
    )
    first = sessions_of(event)[0]
    registration = live_event_registration_create(
        organization=acme, session=first, learner=acme_people.learner
    )

    run_due_work()  # the meetings are made, then the waiting registrant is added

    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.REGISTERED
    assert registration.join_url


def cohort(organization: Organization, size: int) -> list[User]:
    users = User.objects.bulk_create(
        User(
            username=f"learner{n}@cohort.example",
            email=f"learner{n}@cohort.example",
            first_name=f"Learner{n}",
            last_name="Cohort",
        )
        for n in range(size)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organization=organization, role=Role.LEARNER) for user in users
    )
    return users


def heavy_calls(zoomsim: LiveZoomsim) -> int:
    """Zoom's daily count of Heavy calls of acct-acme (batch_registrants is Heavy)."""
    counters = httpx.get(f"{zoomsim.base_url}/_sim/ratelimits").json()["counters"]
    return sum(count for key, count in counters.items() if key.startswith("day:acct-acme:Heavy"))


def test_a_cohort_of_500_is_registered_in_at_most_17_calls_each_with_a_personal_link(
    zoomsim: LiveZoomsim, acme: Organization, scheduled_event: LiveEvent
) -> None:
    # Zoom's 100 ms a call keeps a Pro account's 10 Heavy calls a second without any 429 here.
    knobs(zoomsim, latency_ms=110)
    session = sessions_of(scheduled_event)[0]
    learners = cohort(acme, 500)

    made = live_event_session_register_batch(organization=acme, session=session, learners=learners)
    assert made == 500
    run_due_work()

    assert heavy_calls(zoomsim) == 17  # ceil(500 / 30)
    registrations = LiveEventRegistration.objects.filter(session=session)
    assert registrations.filter(status=RegistrationStatus.REGISTERED).count() == 500
    assert all(r.join_url and r.zoom_registrant_id for r in registrations)
    at_zoom = {r["email"]: r["id"] for r in sim_registrants(zoomsim, session.zoom_meeting_id)}
    assert len(at_zoom) == 500
    assert all(at_zoom[r.learner.email] == r.zoom_registrant_id for r in registrations)
    # Registering the same cohort again makes nothing new and calls nobody.
    assert (
        live_event_session_register_batch(organization=acme, session=session, learners=learners)
        == 0
    )


def test_the_join_link_shows_from_15_minutes_before_until_the_end(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled_event: LiveEvent
) -> None:
    session = sessions_of(scheduled_event)[0]
    registration = live_event_registration_create(
        organization=acme, session=session, learner=acme_people.learner
    )
    run_due_work()
    registration.refresh_from_db()
    start, end = session.starts_at, session.starts_at + timedelta(minutes=session.duration_minutes)

    assert live_event_join_url(registration=registration, now=start - timedelta(minutes=16)) == ""
    opened = live_event_join_url(registration=registration, now=start - timedelta(minutes=15))
    assert opened == registration.join_url
    assert live_event_join_url(registration=registration, now=end) == registration.join_url
    assert live_event_join_url(registration=registration, now=end + timedelta(seconds=1)) == ""


def test_hosts_get_a_fresh_start_link_and_nobody_else_does(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, scheduled_event: LiveEvent
) -> None:
    from organizations.models import Role
    from tests.django_conftest import make_member

    session = sessions_of(scheduled_event)[0]
    host = make_member(acme, "host@acme.test", Role.COURSE_ADMIN)

    first = live_event_session_start_url(organization=acme, session=session, user=host)
    second = live_event_session_start_url(organization=acme, session=session, user=host)
    assert first.startswith(f"{zoomsim.base_url}/s/{session.zoom_meeting_id}?zak=")
    assert first != second  # fetched from Zoom each time, never stored
    with pytest.raises(Http404):
        live_event_session_start_url(organization=acme, session=session, user=acme_people.learner)
