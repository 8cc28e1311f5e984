"""The attendance pages after a meeting run at zoomsim (over HTTP, report delay above zero):
Course Admins read the tables, the server-drawn timeline, the unmatched participants (and map one,
once), the sync status with Fetch now, the streamed CSV; Course Builders set the minimum;
learners see their own row on the lesson page; everyone else gets 404."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from campus.formats import time_of_day
from courses.models import Course
from live_events.attendance_models import AttendanceRecord, ParticipantMapping
from live_events.models import (
    LiveEvent,
    LiveEventRecording,
    LiveEventRecordingSync,
    LiveEventSession,
)
from organizations.models import Organization, User
from tests.django_conftest import People, first_lesson, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration import recording_scenes
from tests.zoom_integration.attendance_scenes import (
    advance_zoom_clock,
    deliver_meeting_ended,
    fetch_item,
    ground_truth_segments,
    learner,
    next_try_comes,
    registered,
    run_meeting,
    set_knobs,
    zoom_event,
)
from tests.zoom_integration.live_event_scenes import (
    fault,
    faults_clear,
    make_due_now,
    run_due_work,
)
from work.models import WorkItem, WorkState
from zoom_integration.models import ZoomAccount
from zoom_integration.services.recordings import zoom_recording_polls_enqueue

Connect = Callable[..., ZoomAccount]
REPORT_DELAY = 120
CLOCK = r"(\d{1,2}(:\d\d)? [ap]\.m\.|noon|midnight)"  # a time of day as Campus writes it


@dataclass(frozen=True)
class Scene:
    event: LiveEvent
    first: LiveEventSession
    second: LiveEventSession
    ada: User
    bob: User
    cy: User
    instance_uuid: str


@pytest.fixture
def scene(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    zoomsim: LiveZoomsim,
) -> Scene:
    """Session 1 of a two-session event run at zoomsim: Ada rejoins (50 min), Bob stays 10 min,
    a guest "Grace (phone)" matches nobody; the report is fetched after zoomsim's delay. Cy is
    enrolled and did not come."""
    connect_acme_account(acme, acme_people.org_admin)
    set_knobs(zoomsim, report_delay=REPORT_DELAY)
    event = zoom_event(acme, acme_people.course_builder, acme_course, sessions=2)
    first, second = list(event.sessions.order_by("starts_at"))
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    bob = learner(acme, acme_course, "bob@acme.example", "Bob", "Byte")
    cy = learner(acme, acme_course, "cy@acme.example", "Cy", "Young")
    instance = run_meeting(
        zoomsim,
        first,
        [
            {"registrant_id": registered(acme, first, ada), "segments": [[0, 20], [30, 60]]},
            {"registrant_id": registered(acme, first, bob), "segments": [[5, 15]]},
            {"guest_name": "Grace (phone)", "segments": [[0, 60]]},
        ],
    )
    # The meeting was held now (zoomsim's run ends at its clock's now): session 1 is over.
    LiveEventSession.objects.filter(pk=first.pk).update(
        starts_at=timezone.now() - timedelta(minutes=60)
    )
    first.refresh_from_db()
    deliver_meeting_ended(zoomsim, instance["uuid"])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(first)
    assert AttendanceRecord.objects.filter(session=first).count() == 3
    return Scene(event, first, second, ada, bob, cy, instance["uuid"])


def _session_url(scene: Scene, name: str = "session_attendance") -> str:
    return reverse(f"live_events:{name}", args=[scene.first.pk])


def _lesson_url(course: Course) -> str:
    return reverse("courses:lesson", args=[course.pk, first_lesson(course).pk])


def _csv(response: object) -> list[dict[str, str]]:
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    return list(csv.DictReader(io.StringIO(body)))


def test_the_course_admin_sees_the_table_the_timeline_and_the_status(
    scene: Scene, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    response = signed_in(acme_people.course_assistant).get(_session_url(scene))

    assert response.status_code == 200
    html = response.content.decode()
    rows = re.findall(r"<tr data-attendance-row>(.*?)</tr>", html, re.S)
    assert len(rows) == 2
    ada_row = next(row for row in rows if "Ada Lovelace" in row)
    bob_row = next(row for row in rows if "Bob Byte" in row)
    assert "<td data-duration>50 min</td>" in ada_row
    assert "<td data-duration>10 min</td>" in bob_row
    assert "Session 1" in ada_row  # the session Ada picked
    # The timeline: one bar per person (the guest too), one rectangle per join segment, as
    # many as zoomsim's ground truth has.
    timeline = re.search(r"<svg[^>]*data-timeline>.*?</svg>", html, re.S)
    assert timeline is not None
    svg = timeline.group(0)
    assert 'role="img"' in svg
    assert '<title id="timeline-title-' in svg
    assert "<desc" in svg
    assert "style=" not in svg  # the CSP allows no inline styles
    assert svg.count("data-person") == 3
    truth = ground_truth_segments(zoomsim, scene.instance_uuid)
    assert svg.count("data-segment") == len(truth) == 4
    assert "Ada Lovelace: 50 min" in svg
    # The sync status in words, and Fetch now.
    assert re.search(rf"attendance fetched {CLOCK} \(\d+ (s|min) after the meeting ended\)", html)
    assert "Fetch now" in html
    # The guest below, with a form to map them.
    unmatched = re.findall(r"<tr data-unmatched>(.*?)</tr>", html, re.S)
    assert len(unmatched) == 1
    assert "Grace (phone)" in unmatched[0]
    assert "csrfmiddlewaretoken" in unmatched[0]


def test_the_csv_streams_every_row_and_the_unmatched_below(
    scene: Scene, acme_people: People
) -> None:
    client = signed_in(acme_people.course_assistant)

    session_csv = client.get(_session_url(scene, "session_attendance_csv"))
    event_csv = client.get(reverse("live_events:attendance_csv", args=[scene.event.pk]))

    for response in (session_csv, event_csv):
        assert response.status_code == 200
        assert response.streaming
        assert response["Content-Type"].startswith("text/csv")
        assert "attachment;" in response["Content-Disposition"]
    rows = _csv(session_csv)
    assert [(r["learner"], r["matched"], r["duration_seconds"], r["attended"]) for r in rows] == [
        ("Ada Lovelace", "yes", "3000", "yes"),
        ("Bob Byte", "yes", "600", "yes"),
        ("Grace (phone)", "no", "3600", "yes"),
    ]
    assert rows[0]["email"] == "ada@acme.example"
    assert rows[0]["session"] == rows[0]["session_picked"] == "1"
    assert rows[0]["duration_minutes"] == "50.0"
    assert rows[0]["first_join"]
    assert rows[0]["last_leave"]
    assert _csv(event_csv) == rows  # session 2 has no attendance yet


def test_a_guest_known_only_by_name_is_mapped_once_for_that_session_only(
    scene: Scene, acme: Organization, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    client = signed_in(acme_people.course_assistant)
    grace = AttendanceRecord.objects.get(session=scene.first, learner__isnull=True)
    map_url = _session_url(scene, "session_attendance_map")
    # Beside the choice: a typed name alone is mapped for this session only.
    [row] = re.findall(
        r"<tr data-unmatched>(.*?)</tr>", client.get(_session_url(scene)).content.decode(), re.S
    )
    scope = re.search(r"<p class=\"help\" [^>]*data-map-scope>(.*?)</p>", row, re.S)
    assert scope is not None
    assert scope.group(1).startswith("For this session only: a guest who gave Zoom only a typed")
    described = re.search(r'<select [^>]*aria-describedby="([^"]+)"', row)
    assert described is not None
    assert f'id="{described.group(1)}"' in row

    # A learner outside the course is refused beside the field; nothing changes.
    outsider = learner(
        acme, Course.objects.create(organization=acme, title="Other"), "o@x.ex", "O", "X"
    )
    refused = client.post(map_url, {"participant": grace.identity_key, "learner": outsider.pk})
    assert refused.status_code == 400
    assert "Select a valid choice" in refused.content.decode()
    assert not ParticipantMapping.objects.exists()

    mapped = client.post(map_url, {"participant": grace.identity_key, "learner": scene.cy.pk})
    assert mapped.status_code == 302
    page = client.get(_session_url(scene)).content.decode()
    assert "this holds for this session only" in page
    assert "<tr data-unmatched>" not in page
    cy_row = next(
        r for r in re.findall(r"<tr data-attendance-row>(.*?)</tr>", page, re.S) if "Cy Young" in r
    )
    assert "<td data-duration>1 h 00 min</td>" in cy_row

    # Once: the participant is no longer unmatched here.
    again = client.post(map_url, {"participant": grace.identity_key, "learner": scene.ada.pk})
    assert again.status_code == 400
    assert "This participant is not unmatched here." in again.content.decode()
    assert ParticipantMapping.objects.get().learner == scene.cy

    # The next session: a guest typing "Grace (phone)" is not taken for Cy: listed to map again.
    bob_moved = registered(acme, scene.second, scene.bob)
    instance = run_meeting(
        zoomsim,
        scene.second,
        [
            {"registrant_id": bob_moved, "segments": [[0, 60]]},
            {"guest_name": "Grace (phone)", "segments": [[0, 30]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(scene.second)
    second = client.get(reverse("live_events:session_attendance", args=[scene.second.pk]))
    html = second.content.decode()
    [again_row] = re.findall(r"<tr data-unmatched>(.*?)</tr>", html, re.S)
    assert "Grace (phone)" in again_row
    assert "30 min" in again_row
    learners = re.findall(r"<tr data-attendance-row>(.*?)</tr>", html, re.S)
    assert ["Bob Byte" in r for r in learners] == [True]


def test_fetch_now_runs_the_same_work_and_is_refused_while_a_fetch_runs(
    scene: Scene, acme_people: People
) -> None:
    client = signed_in(acme_people.course_assistant)
    fetch_url = _session_url(scene, "session_attendance_fetch")

    pressed = client.post(fetch_url)
    assert pressed.status_code == 302
    item = fetch_item(scene.first)
    assert item.state in (WorkState.PENDING, WorkState.DONE)
    assert WorkItem.objects.filter(kind=item.kind, subject=item.subject).count() == 1

    WorkItem.objects.filter(pk=item.pk).update(state=WorkState.RUNNING)
    page = client.get(_session_url(scene)).content.decode()
    assert "fetching now" in page
    assert fetch_url not in page  # no button while it runs
    refused = client.post(fetch_url, follow=True)
    assert "A fetch of this session is running now" in refused.content.decode()
    assert WorkItem.objects.get(pk=item.pk).state == WorkState.RUNNING
    assert WorkItem.objects.filter(kind=item.kind, subject=item.subject).count() == 1

    # From the lesson page, back to the lesson page.
    WorkItem.objects.filter(pk=item.pk).update(state=WorkState.DONE)
    back = client.post(fetch_url, {"back": "lesson"})
    assert back.status_code == 302
    assert back["Location"].endswith(f"#session-{scene.first.pk}")


def test_the_event_page_lists_the_unmatched_below_the_table_by_session(
    scene: Scene, acme: Organization, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    instance = run_meeting(
        zoomsim,
        scene.second,
        [
            {"registrant_id": registered(acme, scene.second, scene.cy)},
            {"guest_name": "Sam", "segments": [[0, 30]]},
            {"guest_name": "Sam", "segments": [[20, 40]]},  # another Sam at the same time
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(scene.second)

    url = reverse("live_events:attendance", args=[scene.event.pk])
    html = signed_in(acme_people.course_assistant).get(url).content.decode()

    section = html[html.index("data-event-unmatched") :]
    groups = dict(re.findall(r'<tbody data-unmatched-session="(\d+)">(.*?)</tbody>', section, re.S))
    assert list(groups) == ["1", "2"]
    first = re.findall(r"<tr data-unmatched>(.*?)</tr>", groups["1"], re.S)
    second = re.findall(r"<tr data-unmatched>(.*?)</tr>", groups["2"], re.S)
    assert len(first) == 1
    assert "Grace (phone)" in first[0]
    assert "1 h 00 min" in first[0]
    assert [
        re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", row)).split(" Session")[0].strip()
        for row in second
    ] == ["Sam", "Sam (2)"]
    assert "30 min" in second[0]
    assert "20 min" in second[1]
    assert reverse("live_events:session_attendance", args=[scene.second.pk]) in groups["2"]
    # The event CSV says the same.
    rows = _csv(
        signed_in(acme_people.course_assistant).get(
            reverse("live_events:attendance_csv", args=[scene.event.pk])
        )
    )
    assert [(r["session"], r["learner"]) for r in rows if r["matched"] == "no"] == [
        ("1", "Grace (phone)"),
        ("2", "Sam"),
        ("2", "Sam (2)"),
    ]


def test_fetch_now_shows_for_a_session_held_before_its_scheduled_start(
    scene: Scene, acme: Organization, acme_people: People, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    second = scene.second
    client = signed_in(acme_people.course_assistant)
    fetch_url = reverse("live_events:session_attendance_fetch", args=[second.pk])
    session_url = reverse("live_events:session_attendance", args=[second.pk])
    event_url = reverse("live_events:attendance", args=[scene.event.pk])
    assert second.starts_at > timezone.now()  # days away
    assert fetch_url not in client.get(session_url).content.decode()  # nothing to fetch yet

    # The host holds session 2 today, days early; Zoom says the meeting ended.
    instance = run_meeting(
        zoomsim,
        second,
        [{"registrant_id": registered(acme, second, scene.cy)}, {"guest_name": "Visitor"}],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])

    for url in (session_url, event_url, _lesson_url(acme_course)):
        assert fetch_url in client.get(url).content.decode(), url
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    assert client.post(fetch_url).status_code == 302
    next_try_comes(second)
    rows = re.findall(
        r"<tr data-attendance-row>(.*?)</tr>", client.get(session_url).content.decode(), re.S
    )
    assert ["Cy Young" in row for row in rows] == [True]
    assert fetch_url in client.get(session_url).content.decode()  # fetched: still offered


def test_course_builders_set_the_minimum_with_errors_beside_the_field(
    scene: Scene, acme_people: People
) -> None:
    url = reverse("live_events:attendance_minimum", args=[scene.event.pk])
    builder = signed_in(acme_people.course_builder)

    too_much = builder.post(url, {"attendance_minimum": "percent", "attendance_minimum_value": 150})
    assert too_much.status_code == 400
    assert re.search(r'class="field-error">A percentage from 1 to 100.<', too_much.content.decode())
    missing = builder.post(url, {"attendance_minimum": "minutes", "attendance_minimum_value": ""})
    assert missing.status_code == 400
    assert "Give the number." in missing.content.decode()
    unknown = builder.post(url, {"attendance_minimum": "hours", "attendance_minimum_value": 1})
    assert unknown.status_code == 400
    scene.event.refresh_from_db()
    assert scene.event.attendance_minimum == "any"

    saved = builder.post(url, {"attendance_minimum": "minutes", "attendance_minimum_value": 30})
    assert saved.status_code == 302
    attended = dict(
        AttendanceRecord.objects.filter(session=scene.first, learner__isnull=False).values_list(
            "learner__email", "attended"
        )
    )
    assert attended == {"ada@acme.example": True, "bob@acme.example": False}
    page = builder.get(reverse("live_events:attendance", args=[scene.event.pk])).content.decode()
    assert 'No <span class="muted">(below the minimum)</span>' in page
    # A Course Admin who is no Course Builder reads it but cannot set it.
    assistant = signed_in(acme_people.course_assistant)
    assert assistant.post(url, {"attendance_minimum": "any"}).status_code == 404
    assert (
        "Save the minimum"
        not in assistant.get(
            reverse("live_events:attendance", args=[scene.event.pk])
        ).content.decode()
    )


def test_only_the_organizations_course_admins_reach_the_pages(
    scene: Scene, acme_people: People, globex_admin: User
) -> None:
    gets = [
        reverse("live_events:attendance", args=[scene.event.pk]),
        reverse("live_events:attendance_csv", args=[scene.event.pk]),
        _session_url(scene),
        _session_url(scene, "session_attendance_csv"),
    ]
    posts = [
        reverse("live_events:attendance_minimum", args=[scene.event.pk]),
        _session_url(scene, "session_attendance_map"),
        _session_url(scene, "session_attendance_fetch"),
    ]
    for who in (acme_people.org_admin, acme_people.course_assistant, acme_people.course_builder):
        client = signed_in(who)
        assert [client.get(url).status_code for url in gets] == [200] * 4, who.email
    for who in (scene.ada, acme_people.learner, globex_admin):
        client = signed_in(who)
        assert [client.get(url).status_code for url in gets] == [404] * 4, who.email
        assert [client.post(url).status_code for url in posts] == [404] * 3, who.email
    anonymous = Client()
    assert all(anonymous.get(url).status_code == 302 for url in gets)
    assert all(anonymous.post(url).status_code == 302 for url in posts)
    # CSRF: a form posted without its token is refused and changes nothing.
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(acme_people.course_builder)
    assert (
        strict.post(
            posts[0], {"attendance_minimum": "minutes", "attendance_minimum_value": 5}
        ).status_code
        == 403
    )
    scene.event.refresh_from_db()
    assert scene.event.attendance_minimum == "any"
    assert not ParticipantMapping.objects.exists()


def test_the_lesson_page_shows_the_status_to_admins_and_their_own_row_to_learners(
    scene: Scene, acme_people: People, acme_course: Course
) -> None:
    url = _lesson_url(acme_course)

    admin_page = signed_in(acme_people.course_assistant).get(url).content.decode()
    ada_page = signed_in(scene.ada).get(url).content.decode()
    bob_page = signed_in(scene.bob).get(url).content.decode()
    cy_page = signed_in(scene.cy).get(url).content.decode()

    assert admin_page.count("data-attendance-status") == 2  # each session
    assert re.search(rf"attendance fetched {CLOCK}", admin_page)
    assert "attendance comes after the meeting" in admin_page  # session 2
    assert reverse("live_events:session_attendance_fetch", args=[scene.first.pk]) in admin_page
    # Session 2 has not begun: nothing to fetch yet.
    assert reverse("live_events:session_attendance_fetch", args=[scene.second.pk]) not in admin_page
    mine = re.findall(r"<p class=\"attendance-mine\" data-my-attendance>(.*?)</p>", ada_page, re.S)
    assert len(mine) == 1
    assert "Attended" in mine[0]
    assert "You were there 50 min" in mine[0]
    assert "You were there 10 min" in bob_page
    assert "50 min" not in bob_page  # only their own row
    assert "data-my-attendance" not in cy_page  # not registered, not there
    for page in (ada_page, bob_page, cy_page):
        assert "data-attendance-status" not in page
        assert "Fetch now" not in page


def test_a_name_a_spreadsheet_would_run_is_quoted_in_the_csv(
    scene: Scene, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    """A participant types their own name: one that begins like a formula is not one in the CSV."""
    instance = run_meeting(
        zoomsim,
        scene.second,
        [
            {"registrant_id": registered(scene.event.organization, scene.second, scene.cy)},
            {"guest_name": '=HYPERLINK("http://x.example","hi")', "segments": [[0, 5]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(scene.second)

    response = signed_in(acme_people.course_assistant).get(
        reverse("live_events:session_attendance_csv", args=[scene.second.pk])
    )

    rows = _csv(response)
    guest = next(row for row in rows if row["matched"] == "no")
    assert guest["learner"] == '\'=HYPERLINK("http://x.example","hi")'
    assert guest["session"] == "2"
    assert guest["session_starts_at"]  # the unmatched row says which session too
    assert guest["duration_seconds"] == "300"


def test_a_meeting_without_learners_reads_fetched_with_no_learner_and_the_guest_to_map(
    scene: Scene, acme: Organization, acme_people: People, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    # Session 2 held by the host with one guest: nobody who matches a learner.
    second = scene.second
    registered(acme, second, scene.cy)  # Cy registered and did not come
    instance = run_meeting(
        zoomsim,
        second,
        [{"user_id": "acme-host"}, {"guest_name": "Visitor", "segments": [[10, 40]]}],
    )
    LiveEventSession.objects.filter(pk=second.pk).update(
        starts_at=timezone.now() - timedelta(minutes=60)
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(second)

    url = reverse("live_events:session_attendance", args=[second.pk])
    html = signed_in(acme_people.course_assistant).get(url).content.decode()
    assert re.search(rf"attendance fetched {CLOCK} \(\d+ (s|min) after the meeting ended\)", html)
    assert "<tr data-attendance-row>" not in html
    assert "No learner attended: Zoom's report names none of the course's learners" in html
    assert "No learner's attendance yet" not in html
    unmatched = re.findall(r"<tr data-unmatched>(.*?)</tr>", html, re.S)
    assert sorted("Visitor" in row for row in unmatched) == [False, True]  # the host, the guest
    assert all("csrfmiddlewaretoken" in row for row in unmatched)
    host = next(row for row in unmatched if "Hal Host" in row)
    assert "Remembered for the course&#x27;s later sessions too" in host
    cy_page = signed_in(scene.cy).get(_lesson_url(acme_course)).content.decode()
    assert "Zoom reports no attendance of yours in this session." in cy_page


HOURS = 3600


def _recording_line(html: str) -> str:
    found = re.search(r"<p [^>]*data-recording-status>(.*?)</p>", html, re.S)
    assert found is not None, "no recording status on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", found.group(1))).strip()


def _session_page(user: User, session: LiveEventSession) -> str:
    response = signed_in(user).get(reverse("live_events:session_attendance", args=[session.pk]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def recorded(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    zoomsim: LiveZoomsim,
) -> LiveEventSession:
    """A cloud-recorded session whose meeting has just been held at zoomsim, seen by a Course
    Admin who lives in Tokyo (nine hours from UTC, so a clock in UTC would show)."""
    connect_acme_account(acme, acme_people.org_admin)
    set_knobs(zoomsim, report_delay=REPORT_DELAY)
    User.objects.filter(pk=acme_people.course_assistant.pk).update(time_zone="Asia/Tokyo")
    return recording_scenes.recorded_event(
        organization=acme, builder=acme_people.course_builder, course=acme_course
    )


def test_the_session_page_shows_the_recording_beside_the_attendance_in_the_viewers_zone(
    recorded: LiveEventSession, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    recording_scenes.knobs(zoomsim, recording_delay=3 * HOURS)
    run = recording_scenes.run_meeting(zoomsim, recorded)
    deliver_meeting_ended(zoomsim, str(run["uuid"]))
    make_due_now()
    run_due_work()  # the poll: Zoom has no recording yet
    tokyo = ZoneInfo("Asia/Tokyo")
    sync = LiveEventRecordingSync.objects.get(session=recorded)
    assert sync.next_try_at is not None

    html = _session_page(acme_people.course_assistant, recorded)
    clock = time_of_day(sync.next_try_at, tokyo)
    assert _recording_line(html) == (
        f"Recording: next try {clock}: Zoom has no recording of this meeting · on the lesson page"
    )
    # Beside the attendance's own status, above the timeline.
    assert (
        html.index("data-attendance-status")
        < html.index("data-recording-status")
        < html.index('id="timeline-heading"')
    )

    # Zoom has it now, but its downloads fail for a while: importing, none on the page yet.
    advance_zoom_clock(zoomsim, 3 * HOURS + 60)
    fault(zoomsim, path=r"^/rec/download/", status=503, count=-1)
    make_due_now()
    run_due_work()
    assert _recording_line(_session_page(acme_people.course_assistant, recorded)) == (
        "Recording: importing (0 of 3 files on the lesson page): Zoom had a problem on its side;"
        " trying again · on the lesson page"
    )

    faults_clear(zoomsim)
    make_due_now()
    run_due_work()
    rows = list(LiveEventRecording.objects.filter(session=recorded))
    assert len(rows) == 3
    assert all(row.is_published for row in rows)
    last = max(row.imported_at for row in rows if row.imported_at is not None)
    assert _recording_line(_session_page(acme_people.course_assistant, recorded)) == (
        f"Recording: imported {time_of_day(last, tokyo)} · on the lesson page"
    )


def test_the_session_page_says_when_the_recording_is_not_available_from_zoom(
    recorded: LiveEventSession, acme_people: People, zoomsim: LiveZoomsim
) -> None:
    recording_scenes.knobs(zoomsim, recording_delay=100 * HOURS)  # never in time
    recording_scenes.run_meeting(zoomsim, recorded)
    zoom_recording_polls_enqueue()
    LiveEventSession.objects.filter(pk=recorded.pk).update(
        starts_at=timezone.now() - timedelta(hours=74)
    )
    make_due_now()
    run_due_work()

    html = _session_page(acme_people.course_assistant, recorded)
    assert _recording_line(html) == (
        "Recording: recording not available from Zoom: Zoom has no recording of this meeting"
        " · on the lesson page"
    )


def test_a_session_without_cloud_recording_shows_no_recording_line(
    scene: Scene, acme_people: People
) -> None:
    assert "data-recording-status" not in _session_page(acme_people.course_assistant, scene.first)
