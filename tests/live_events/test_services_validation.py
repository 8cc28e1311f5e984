"""Bad input to the live-event services: a clear message beside each field, nothing saved,
nothing sent to Zoom (zoomsim holds no meeting and Campus no work). Hosts are checked with the
live zoomsim: unknown, another account's, pending, inactive, Basic; alternative hosts alike."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager as ContextManager
from dataclasses import replace
from datetime import datetime, timedelta

import httpx
import pytest
from django.core.exceptions import ValidationError
from django.http import Http404

from courses.models import Course
from live_events.inputs import EventInput, EventOptions, SessionInput
from live_events.models import HostMeetingWrites, LiveEvent, LiveEventSession
from live_events.selectors import live_events_for_lesson, zoom_day
from live_events.services import (
    OverlapsNeedConfirmation,
    live_event_create,
    live_event_host_validate,
    live_event_update,
)
from organizations.models import Organization
from tests.django_conftest import People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import (
    event_input,
    in_days,
    run_due_work,
    same_sessions,
)
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_zoom(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> Organization:
    connect_acme_account(acme, acme_people.org_admin)
    return acme


def one_session(**changes: object) -> tuple[SessionInput, ...]:
    session = SessionInput(starts_at=in_days(3), time_zone="UTC", duration_minutes=60)
    return (replace(session, **changes),)  # type: ignore[arg-type]


def refused(
    organization: Organization, people: People, course: Course, data: EventInput
) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as raised:
        live_event_create(
            organization=organization,
            actor=people.course_builder,
            lesson=first_lesson(course),
            data=data,
        )
    return raised.value.message_dict


def assert_nothing_saved_or_sent(zoomsim: LiveZoomsim) -> None:
    assert LiveEvent.objects.count() == 0
    assert LiveEventSession.objects.count() == 0
    assert WorkItem.objects.count() == 0
    assert httpx.get(f"{zoomsim.base_url}/_sim/meetings").json()["meetings"] == []


FIRST = "sessions.0"
BAD_INPUT = [
    ({"sessions": one_session(starts_at=datetime(2020, 1, 1, 9))}, f"{FIRST}.starts_at", "past"),
    ({"sessions": one_session(duration_minutes=0)}, f"{FIRST}.duration_minutes", "1 minute"),
    ({"sessions": one_session(duration_minutes=1441)}, f"{FIRST}.duration_minutes", "24 hours"),
    ({"sessions": one_session(time_zone="Mars/Olympus")}, f"{FIRST}.time_zone", "not a time"),
    ({"sessions": one_session(time_zone="+05:00")}, f"{FIRST}.time_zone", "not a time zone"),
    ({"topic": "x" * 201}, "topic", "200 characters"),
    ({"topic": "   "}, "topic", "topic"),
    ({"description": "x" * 2001}, "description", "2,000 characters"),
    ({"sessions": ()}, "sessions", "at least one session"),
    ({"sessions": one_session() * 51}, "sessions", "at most 50 sessions"),
    ({"alternative_hosts": ("cohost@acme.test", "COHOST@acme.test")}, "alternative_hosts", "twice"),
    ({"alternative_hosts": ("host@acme.test",)}, "alternative_hosts", "is the host"),
    ({"alternative_hosts": ("not an email",)}, "alternative_hosts", "not an email"),
    ({"host_email": ""}, "host_email", "Name the host"),
    ({"options": EventOptions(auto_upload_recording=True)}, "auto_upload_recording", "cloud"),
    ({"options": EventOptions(track_attendance=False)}, "track_attendance", "always"),
]


@pytest.mark.parametrize(("data_changes", "field", "words"), BAD_INPUT)
def test_bad_input_gets_a_message_beside_the_field_and_changes_nothing(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    data_changes: dict[str, object],
    field: str,
    words: str,
) -> None:
    data = replace(event_input(), **data_changes)  # type: ignore[arg-type]
    errors = refused(on_zoom, acme_people, acme_course, data)

    assert field in errors, errors
    assert any(words in message for message in errors[field]), errors[field]
    assert_nothing_saved_or_sent(zoomsim)


def test_two_sessions_at_the_same_time_are_refused_beside_the_second(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    start = in_days(5)
    sessions = (
        SessionInput(starts_at=start, time_zone="UTC", duration_minutes=30),
        # The same instant written in another zone.
        SessionInput(
            starts_at=start + timedelta(hours=1), time_zone="Europe/Paris", duration_minutes=30
        )
        if start.month in (1, 2, 3, 11, 12)
        else SessionInput(
            starts_at=start + timedelta(hours=2), time_zone="Europe/Paris", duration_minutes=30
        ),
    )
    errors = refused(on_zoom, acme_people, acme_course, event_input(sessions=sessions))
    assert "same time" in errors["sessions.1.starts_at"][0]
    assert_nothing_saved_or_sent(zoomsim)


def test_a_time_the_clocks_skip_is_refused_rather_than_moved(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    skipped = SessionInput(
        starts_at=datetime(2027, 3, 14, 2, 30), time_zone="America/New_York", duration_minutes=60
    )
    errors = refused(on_zoom, acme_people, acme_course, event_input(sessions=(skipped,)))
    assert "does not exist" in errors["sessions.0.starts_at"][0]
    assert_nothing_saved_or_sent(zoomsim)


@pytest.mark.parametrize(
    ("host", "words"),
    [
        ("nobody@acme.test", "No one with the email nobody@acme.test"),
        ("host@globex.test", "No one with the email host@globex.test"),  # another Zoom account
        ("pending@acme.test", "has not accepted the invitation"),
        ("inactive@acme.test", "deactivated"),
        ("basic@acme.test", "Basic (unlicensed)"),
    ],
)
def test_a_host_zoom_does_not_allow_is_refused_with_the_reason(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    host: str,
    words: str,
) -> None:
    errors = refused(on_zoom, acme_people, acme_course, event_input(host_email=host))
    assert any(words in message for message in errors["host_email"]), errors
    assert_nothing_saved_or_sent(zoomsim)


def test_a_basic_host_is_told_what_they_cannot_host(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    data = event_input(host_email="basic@acme.test", options=EventOptions(auto_record_cloud=True))
    (message,) = refused(on_zoom, acme_people, acme_course, data)["host_email"]
    assert "cloud recording" in message
    assert "meetings over 40 minutes" in message  # the sessions last 60 and 90 minutes


def test_alternative_hosts_are_checked_like_the_host(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    data = event_input(alternative_hosts=("basic@acme.test", "nobody@acme.test"))
    messages = refused(on_zoom, acme_people, acme_course, data)["alternative_hosts"]
    assert len(messages) == 2
    assert "licensed users as alternative hosts" in messages[0]
    assert "No one with the email nobody@acme.test" in messages[1]
    assert_nothing_saved_or_sent(zoomsim)


def test_a_valid_event_names_the_host_as_zoom_knows_them(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(host_email="Host@Acme.test"),
    )
    assert event.host_email == "host@acme.test"
    assert event.host_zoom_user_id == "acme-host"
    assert event.host_name
    assert event.lesson_component is not None
    assert event.lesson_component.kind == "live_event"


def test_without_a_zoom_connection_the_form_says_so_and_sends_nothing(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, acme_course: Course
) -> None:
    errors = refused(acme, acme_people, acme_course, event_input())
    assert "not connected" in errors["__all__"][0]
    assert_nothing_saved_or_sent(zoomsim)


def test_another_organizations_lesson_is_a_404(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, globex_course: Course
) -> None:
    with pytest.raises(Http404):
        live_event_create(
            organization=on_zoom,
            actor=acme_people.course_builder,
            lesson=first_lesson(globex_course),
            data=event_input(),
        )
    assert_nothing_saved_or_sent(zoomsim)


def test_a_session_id_of_another_event_is_a_404_and_changes_nothing(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    lesson = first_lesson(acme_course)
    mine, other = (
        live_event_create(
            organization=on_zoom, actor=acme_people.course_builder, lesson=lesson, data=data
        )
        for data in (
            event_input(topic="Mine"),
            event_input(topic="Other", host_email="cohost@acme.test"),
        )
    )
    stranger = other.sessions.first()
    assert stranger is not None
    tampered = replace(
        event_input(topic="Renamed"),
        sessions=(
            SessionInput(
                starts_at=in_days(6), time_zone="UTC", duration_minutes=30, session_id=stranger.pk
            ),
        ),
    )
    with pytest.raises(Http404):
        live_event_update(
            organization=on_zoom, actor=acme_people.course_builder, event=mine, data=tampered
        )
    mine.refresh_from_db()
    assert mine.title == "Mine"


def test_sessions_overlapping_the_hosts_other_sessions_need_confirming(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    lesson = first_lesson(acme_course)
    start = in_days(8)
    first = event_input(
        topic="Morning",
        sessions=(SessionInput(starts_at=start, time_zone="UTC", duration_minutes=60),),
    )
    live_event_create(
        organization=on_zoom, actor=acme_people.course_builder, lesson=lesson, data=first
    )
    overlapping = event_input(
        topic="Later",
        sessions=(
            SessionInput(
                starts_at=start + timedelta(minutes=30), time_zone="UTC", duration_minutes=60
            ),
        ),
    )
    with pytest.raises(OverlapsNeedConfirmation) as raised:
        live_event_create(
            organization=on_zoom, actor=acme_people.course_builder, lesson=lesson, data=overlapping
        )
    assert "overlaps “Morning”" in raised.value.warnings[0]
    assert LiveEvent.objects.count() == 1

    live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=lesson,
        data=overlapping,
        confirm_overlaps=True,
    )
    assert LiveEvent.objects.count() == 2


def test_an_edit_beyond_the_hosts_daily_zoom_budget_is_refused_with_the_reason(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    data = event_input()
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=data,
    )
    run_due_work()
    HostMeetingWrites.objects.filter(host_zoom_user_id="acme-host", day=zoom_day()).update(count=99)
    with pytest.raises(ValidationError) as raised:
        live_event_update(
            organization=on_zoom,
            actor=acme_people.course_builder,
            event=event,
            data=replace(same_sessions(event, data), topic="Renamed"),  # touches both meetings
        )
    (message,) = raised.value.message_dict["__all__"]
    assert "would change 2 Zoom meetings" in message
    assert "only 1 of Zoom's 100" in message
    event.refresh_from_db()
    assert event.title == "Office hours"
    assert "00:00 UTC" in message


def test_the_lesson_page_reads_its_events_in_the_same_queries_however_many_sessions(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    django_assert_num_queries: Callable[..., ContextManager[object]],
) -> None:
    lesson = first_lesson(acme_course)
    few = tuple(
        SessionInput(starts_at=in_days(2 + n), time_zone="UTC", duration_minutes=30)
        for n in range(2)
    )
    many = tuple(
        SessionInput(
            starts_at=in_days(2, hour=0) + timedelta(hours=n), time_zone="UTC", duration_minutes=30
        )
        for n in range(50)
    )
    for topic, sessions in (("Few", few), ("Many", many)):
        live_event_create(
            organization=on_zoom,
            actor=acme_people.course_builder,
            lesson=lesson,
            data=event_input(topic=topic, sessions=sessions),
            confirm_overlaps=True,
        )

    with django_assert_num_queries(2):  # events, then every session with its seats counted
        events = live_events_for_lesson(organization=on_zoom, lesson=lesson)
        sessions = [s for event in events for s in event.sessions.all()]
    assert len(sessions) == 52
    assert all(s.seats_taken == 0 for s in sessions)  # type: ignore[attr-defined]


def test_validate_names_the_host_or_says_why_not_and_saves_nothing(
    zoomsim: LiveZoomsim, on_zoom: Organization
) -> None:
    ok = live_event_host_validate(organization=on_zoom, email=" Host@acme.test ")
    assert ok.ok
    assert ok.name == "Hal Host"
    assert ok.user_id == "acme-host"
    basic = live_event_host_validate(
        organization=on_zoom, email="basic@acme.test", longest_session_minutes=90
    )
    assert "meetings over 40 minutes" in basic.problem
    alternative = live_event_host_validate(
        organization=on_zoom, email="basic@acme.test", alternative=True
    )
    assert "licensed users as alternative hosts" in alternative.problem
    assert_nothing_saved_or_sent(zoomsim)
