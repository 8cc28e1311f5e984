"""Editing and removing a Zoom live event through its pages, against zoomsim: the same meetings
change (learners keep their links), an edit that changes nothing sends nothing, and removal asks
first with the number of registered learners."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from django.urls import reverse

from courses.models import Course
from live_events.inputs import EventInput, SessionInput
from live_events.models import (
    HostMeetingWrites,
    LiveEvent,
    LiveEventRegistration,
    LiveEventSession,
)
from live_events.services import live_event_create, live_event_registration_create
from organizations.models import Organization
from tests.django_conftest import ROLES, People, first_lesson, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import edit_form_post, run_due_work
from zoom_integration.models import ZoomAccount

Connect = Callable[..., ZoomAccount]


@pytest.fixture
def event(
    acme: Organization, acme_people: People, acme_course: Course, connect_acme_account: Connect
) -> LiveEvent:
    connect_acme_account(acme, acme_people.org_admin)
    start = (datetime.now(UTC) + timedelta(days=3)).replace(
        hour=15, minute=0, second=0, microsecond=0, tzinfo=None
    )
    created = live_event_create(
        organization=acme,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=EventInput(
            topic="Office hours",
            host_email="host@acme.test",
            sessions=(SessionInput(starts_at=start, time_zone="UTC", duration_minutes=60),),
        ),
    )
    run_due_work()
    return created


def _meeting_at_zoom(zoomsim: LiveZoomsim, meeting_id: int | None) -> dict[str, Any]:
    response = httpx.get(f"{zoomsim.base_url}/_sim/meetings")
    body = response.json()
    rows = body.get("meetings", body) if isinstance(body, dict) else body
    found = [row for row in rows if row.get("id") == meeting_id]
    assert found, rows
    return found[0]


def test_the_edit_form_shows_the_event_as_it_is(event: LiveEvent, acme_people: People) -> None:
    html = (
        signed_in(acme_people.course_builder)
        .get(reverse("live_events:edit", args=[event.pk]))
        .content.decode()
    )

    assert 'value="Office hours"' in html
    assert 'value="host@acme.test"' in html
    assert "Remove this session" in html
    assert ">SAVE<" in html


def test_an_edit_changes_the_same_meeting_and_keeps_the_learners_link(
    event: LiveEvent, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    session = event.sessions.get()
    live_event_registration_create(
        organization=event.organization, session=session, learner=acme_people.learner
    )
    run_due_work()
    link = LiveEventRegistration.objects.get().join_url
    meeting_id = LiveEventSession.objects.get().zoom_meeting_id

    response = edit_form_post(
        signed_in(acme_people.course_builder), event, topic="Office hours (moved)"
    )

    assert response.status_code == 302
    assert LiveEventSession.objects.get().zoom_meeting_id == meeting_id
    assert _meeting_at_zoom(zoomsim, meeting_id)["topic"] == "Office hours (moved)"
    assert LiveEventRegistration.objects.get().join_url == link


def test_saving_without_a_change_sends_nothing_to_zoom(
    event: LiveEvent, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    def host_writes() -> dict[str, int]:
        # zoomsim counts each host's meeting creates and updates a day, as Zoom limits them.
        counters = httpx.get(f"{zoomsim.base_url}/_sim/ratelimits").json()["counters"]
        return {key: value for key, value in counters.items() if key.startswith("host:")}

    before = host_writes()

    response = edit_form_post(signed_in(acme_people.course_builder), event)

    assert response.status_code == 302
    assert before  # the create counted
    assert host_writes() == before  # no PATCH


def test_removing_a_session_asks_first_with_the_registered_count(
    event: LiveEvent, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    session = event.sessions.get()
    live_event_registration_create(
        organization=event.organization, session=session, learner=acme_people.learner
    )
    run_due_work()
    client = signed_in(acme_people.course_builder)
    url = reverse("live_events:session_remove", args=[event.pk, session.pk])

    confirmation = client.get(url).content.decode()
    response = client.post(url, {"notify_registrants": "on"})
    run_due_work()

    assert "1 learner is registered" in confirmation
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.removed_at is not None
    meetings = httpx.get(f"{zoomsim.base_url}/_sim/meetings").json()
    rows = meetings.get("meetings", meetings) if isinstance(meetings, dict) else meetings
    assert session.zoom_meeting_id not in [row.get("id") for row in rows if not row.get("deleted")]


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("org_admin", "course_builder")])
def test_only_builders_edit_or_remove(event: LiveEvent, acme_people: People, role: str) -> None:
    client = signed_in(acme_people.by_role(role))
    session = event.sessions.get()

    assert client.get(reverse("live_events:edit", args=[event.pk])).status_code == 404
    assert client.post(reverse("live_events:remove", args=[event.pk])).status_code == 404
    assert (
        client.post(reverse("live_events:session_remove", args=[event.pk, session.pk])).status_code
        == 404
    )
    assert LiveEvent.objects.get().removed_at is None


def test_a_session_id_of_another_event_is_404(
    event: LiveEvent, acme_people: People, acme_course: Course
) -> None:
    other = live_event_create(
        organization=event.organization,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=EventInput(
            topic="Other",
            host_email="host@acme.test",
            sessions=(
                SessionInput(
                    starts_at=(datetime.now(UTC) + timedelta(days=9)).replace(
                        second=0, microsecond=0, tzinfo=None
                    ),
                    time_zone="UTC",
                    duration_minutes=30,
                ),
            ),
        ),
    )
    foreign = other.sessions.get()

    response = signed_in(acme_people.course_builder).post(
        reverse("live_events:session_remove", args=[event.pk, foreign.pk])
    )

    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.removed_at is None


def test_the_form_shows_a_hosts_low_budget_and_refuses_an_edit_past_it(
    event: LiveEvent, acme_people: People
) -> None:
    client = signed_in(acme_people.course_builder)
    writes = HostMeetingWrites.objects.get(host_zoom_user_id=event.host_zoom_user_id)
    HostMeetingWrites.objects.filter(pk=writes.pk).update(count=90)

    low = client.get(reverse("live_events:edit", args=[event.pk])).content.decode()
    HostMeetingWrites.objects.filter(pk=writes.pk).update(count=100)
    refused = edit_form_post(client, event, topic="One change too many")

    assert "10 more meeting changes today" in low
    assert refused.status_code == 400
    assert "meeting changes a day left" in refused.content.decode()
    event.refresh_from_db()
    assert event.title == "Office hours"
