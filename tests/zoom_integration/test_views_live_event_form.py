"""The Course Builder's Zoom meeting form, posted as a browser posts it, against zoomsim: what is
saved, what is shown beside which field, and that bad input changes nothing and sends nothing."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Course, LessonComponent
from live_events.models import LiveEvent, LiveEventSession
from tests.django_conftest import ROLES, People, first_lesson, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from work.models import WorkItem
from zoom_integration.models import ZoomAccount

Connect = Callable[..., ZoomAccount]


def _wall_clock(days: int, hour: int = 15) -> str:
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def _post(
    *,
    sessions: list[tuple[str, str, str]] | None = None,
    **fields: str,
) -> dict[str, Any]:
    rows = sessions if sessions is not None else [(_wall_clock(3), "America/New_York", "60")]
    data: dict[str, Any] = {
        "topic": "Office hours",
        "description": "Bring questions.",
        "host_email": "host@acme.test",
        "alternative_hosts": "",
        "sessions-TOTAL_FORMS": str(len(rows)),
        "sessions-INITIAL_FORMS": "0",
        "sessions-MIN_NUM_FORMS": "1",
        "sessions-MAX_NUM_FORMS": "50",
    }
    for index, (starts_at, zone, minutes) in enumerate(rows):
        data[f"sessions-{index}-starts_at"] = starts_at
        data[f"sessions-{index}-time_zone"] = zone
        data[f"sessions-{index}-duration_minutes"] = minutes
    data.update(fields)
    return data


def _urls(course: Course) -> dict[str, str]:
    kwargs = {"course_id": course.pk, "lesson_id": first_lesson(course).pk}
    return {
        "new": reverse("live_events:new", kwargs=kwargs) + "?provider=zoom&position=1",
        "create": reverse("live_events:zoom_create", kwargs=kwargs),
        "validate": reverse("live_events:host_validate", kwargs=kwargs),
    }


@pytest.fixture
def builder(acme_people: People, connect_acme_account: Connect) -> Client:
    connect_acme_account(acme_people.org_admin.membership.organization, acme_people.org_admin)
    return signed_in(acme_people.course_builder)


def test_the_form_shows_every_field_the_issue_names(builder: Client, acme_course: Course) -> None:
    html = builder.get(_urls(acme_course)["new"]).content.decode()

    for words in (
        "Topic",
        "Description",
        "Start Time",
        "Time Zone",
        "Duration",
        "add another session",
        "Host",
        "VALIDATE",
        "Alternative Hosts",
        "Auto-record the meeting on Cloud",
        "Automatically upload the cloud recording to the lesson page",
        "Start Participant Video",
        "Mute Participants Upon Entry",
        "Send Notification Emails from Zoom",
        "Track attendance",
        ">ADD<",
    ):
        assert words in html, words
    # Track attendance is checked and cannot be unchecked.
    track = re.search(r'<input[^>]*name="track_attendance"[^>]*>', html)
    assert track is not None
    assert "checked" in track.group(0)
    assert "disabled" in track.group(0)
    # The builder's own zone (the organization's, America/New_York) is the first offered.
    datalist = html[html.index('<datalist id="time-zones">') :]
    assert datalist.index("America/New_York") < datalist.index("Africa/Abidjan")
    assert "Factory" not in datalist
    assert "localtime" not in datalist


def test_add_saves_the_event_where_add_was_pressed_with_its_sessions(
    builder: Client, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    lesson = first_lesson(acme_course)
    rows = [
        (_wall_clock(3), "America/New_York", "60"),
        (_wall_clock(10), "Europe/Berlin", "90"),
    ]

    response = builder.post(
        _urls(acme_course)["create"],
        _post(sessions=rows, position="1", auto_record_cloud="on", auto_upload_recording="on"),
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    event = LiveEvent.objects.get()
    assert event.title == "Office hours"
    assert event.host_email == "host@acme.test"
    assert event.auto_upload_recording
    assert event.track_attendance
    assert event.lesson_component is not None
    assert event.lesson_component.position == 1  # above the lesson's text
    assert [c.kind for c in lesson.components.order_by("position")] == ["live_event", "text"]
    zones = list(event.sessions.order_by("starts_at").values_list("time_zone", flat=True))
    assert zones == ["America/New_York", "Europe/Berlin"]
    # 15:00 in New York is 19:00 or 20:00 UTC, never 15:00: the wall clock is the session's zone.
    first = event.sessions.order_by("starts_at").first()
    assert first is not None
    assert first.starts_at.astimezone(UTC).hour in (19, 20)


def test_validate_names_the_host_or_says_why_not(builder: Client, acme_course: Course) -> None:
    url = _urls(acme_course)["validate"]

    known = builder.post(url, {"host_email": "host@acme.test"}).content.decode()
    unknown = builder.post(url, {"host_email": "nobody@acme.test"}).content.decode()
    with_alternatives = builder.post(
        url,
        {"host_email": "host@acme.test", "alternative_hosts": "host@acme.test, pending@acme.test"},
    ).content.decode()

    assert "can host this meeting" in known
    assert "is-problem" in unknown
    assert "nobody@acme.test" in unknown
    assert "This is the host" in with_alternatives
    assert with_alternatives.count("is-problem") == 2


@pytest.mark.parametrize(
    ("fields", "sessions", "where"),
    [
        ({"topic": "x" * 201}, None, "topic"),
        ({"description": "x" * 2001}, None, "description"),
        ({}, [(_wall_clock(-2), "America/New_York", "60")], "sessions-0-starts_at"),
        ({}, [(_wall_clock(3), "America/New_York", "0")], "sessions-0-duration_minutes"),
        ({}, [(_wall_clock(3), "America/New_York", "1441")], "sessions-0-duration_minutes"),
        ({}, [(_wall_clock(3), "Mars/Olympus", "60")], "sessions-0-time_zone"),
        ({"host_email": "nobody@acme.test"}, None, "host_email"),
        ({"alternative_hosts": "host@acme.test"}, None, "alternative_hosts"),
        ({"alternative_hosts": "cohost@acme.test, cohost@acme.test"}, None, "alternative_hosts"),
        (
            {},
            [
                (_wall_clock(3), "America/New_York", "60"),
                (_wall_clock(3), "America/New_York", "30"),
            ],
            "sessions-1-starts_at",
        ),
    ],
)
def test_bad_input_is_shown_beside_its_field_and_changes_nothing(
    builder: Client,
    acme_course: Course,
    zoomsim: LiveZoomsim,
    fields: dict[str, str],
    sessions: list[tuple[str, str, str]] | None,
    where: str,
) -> None:
    components = LessonComponent.objects.count()

    response = builder.post(_urls(acme_course)["create"], _post(sessions=sessions, **fields))

    html = response.content.decode()
    assert response.status_code == 400
    start = html.index(f'name="{where}"')
    field_html = html[start : html.index("</div>", start)]  # the field's own block
    assert '<p class="field-error">' in field_html, where
    assert LiveEvent.objects.count() == 0
    assert LiveEventSession.objects.count() == 0
    assert LessonComponent.objects.count() == components
    assert not WorkItem.objects.filter(kind__startswith="zoom.meeting").exists()


def test_no_session_and_too_many_sessions_are_refused(builder: Client, acme_course: Course) -> None:
    none = builder.post(_urls(acme_course)["create"], _post(sessions=[]))
    many = builder.post(
        _urls(acme_course)["create"],
        _post(sessions=[(_wall_clock(3 + n), "UTC", "30") for n in range(51)]),
    )

    assert none.status_code == 400
    assert many.status_code == 400
    assert LiveEvent.objects.count() == 0


def test_add_another_session_without_javascript_keeps_what_was_typed(
    builder: Client, acme_course: Course
) -> None:
    response = builder.post(_urls(acme_course)["create"], _post(topic="Kept", add_session="1"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="Kept"' in html
    assert 'name="sessions-1-starts_at"' in html
    assert "field-error" not in html
    assert LiveEvent.objects.count() == 0


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("org_admin", "course_builder")])
def test_only_builders_may_post_the_form(
    acme_people: People, acme_course: Course, role: str
) -> None:
    client = signed_in(acme_people.by_role(role))
    urls = _urls(acme_course)

    assert client.post(urls["create"], _post()).status_code == 404
    assert client.post(urls["validate"], {"host_email": "host@acme.test"}).status_code == 404
    assert LiveEvent.objects.count() == 0


def test_another_organizations_lesson_is_404_and_changes_nothing(
    builder: Client, globex_course: Course
) -> None:
    response = builder.post(_urls(globex_course)["create"], _post())

    assert response.status_code == 404
    assert LiveEvent.objects.count() == 0


def test_without_zoom_connected_the_form_sends_nothing(
    acme_people: People, acme_course: Course
) -> None:
    response = signed_in(acme_people.course_builder).post(_urls(acme_course)["create"], _post())

    assert response.status_code == 400
    assert "Nothing was sent to Zoom" in response.content.decode()
    assert LiveEvent.objects.count() == 0


def test_an_overlap_with_the_hosts_other_session_needs_the_builders_confirmation(
    builder: Client, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    start = _wall_clock(5)
    first = builder.post(_urls(acme_course)["create"], _post(sessions=[(start, "UTC", "60")]))
    assert first.status_code == 302

    warned = builder.post(
        _urls(acme_course)["create"], _post(topic="Clash", sessions=[(start, "UTC", "30")])
    )
    confirmed = builder.post(
        _urls(acme_course)["create"],
        _post(topic="Clash", sessions=[(start, "UTC", "30")], confirm_overlaps="on"),
    )

    assert warned.status_code == 409
    assert "overlap other sessions of the same host" in warned.content.decode()
    assert confirmed.status_code == 302
    assert sorted(LiveEvent.objects.values_list("title", flat=True)) == ["Clash", "Office hours"]


def test_a_session_not_yet_at_zoom_shows_waiting_for_zoom_to_builders(
    builder: Client, acme_people: People, acme_course: Course
) -> None:
    builder.post(_urls(acme_course)["create"], _post())  # the work has not run yet
    lesson = reverse("courses:lesson", args=[acme_course.pk, first_lesson(acme_course).pk])

    seen_by_builder = builder.get(lesson).content.decode()
    seen_by_learner = signed_in(acme_people.learner).get(lesson).content.decode()

    assert "Waiting for Zoom" in seen_by_builder
    assert "Waiting for Zoom" not in seen_by_learner


def _field_block(html: str, name: str) -> str:
    start = html.index(f'name="{name}"')
    return html[start : html.index("</div>", start)]


def test_every_error_is_shown_at_once_beside_its_field(
    builder: Client, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    """A refused field (duration 0) no longer hides the rules checked after it (a past start, an
    upload without cloud recording, an empty topic): one round shows them all."""
    data = _post(
        sessions=[(_wall_clock(-2), "America/New_York", "0")],
        topic="",
        auto_upload_recording="on",
    )

    response = builder.post(_urls(acme_course)["create"], data)

    html = response.content.decode()
    assert response.status_code == 400
    assert "at least 1 minute" in _field_block(html, "sessions-0-duration_minutes")
    assert "in the past" in _field_block(html, "sessions-0-starts_at")
    assert "turn on Auto-record" in _field_block(html, "auto_upload_recording")
    assert '<p class="field-error">' in _field_block(html, "topic")
    assert html.count('<p class="field-error">') == 4  # each once, none twice
    assert re.search(r'<input[^>]*name="auto_upload_recording"[^>]*\schecked[\s>]', html)
    assert LiveEvent.objects.count() == 0


def test_a_field_refused_by_the_form_shows_its_own_error_only(
    builder: Client, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    """An unreadable start is not also judged by the rules (it would be judged as a placeholder)."""
    data = _post(sessions=[("next tuesday", "America/New_York", "30")])

    html = builder.post(_urls(acme_course)["create"], data).content.decode()

    block = _field_block(html, "sessions-0-starts_at")
    assert block.count('<p class="field-error">') == 1
    assert "Enter the start as a date and a time." in block
