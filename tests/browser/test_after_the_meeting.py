"""The whole path after a Zoom meeting, for real: the Org Admin connects Campus to zoomsim through
its sign-in and consent pages (the OAuth code exchanged over HTTP), a cloud-recorded event with
automatic upload has learners registered at zoomsim, the meeting is run by zoomsim's control API
(a rejoin and a guest among the participants), zoomsim's report and recording come after delays
above zero, and Campus's background work brings both in. Then in Chromium the Course Admin reads
attendance and durations and downloads the CSV, checked against zoomsim's own join segments; the
learner sees their attendance on the lesson page and plays the recording Campus imported from
zoomsim, seeking in it through Range requests answered 206."""

from __future__ import annotations

import csv
import io
import re
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, Response, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from live_events.attendance_models import AttendanceRecord
from live_events.models import LiveEventRecording, LiveEventRecordingStatus, LiveEventSession
from organizations.models import Organization
from tests.browser.conftest import screenshot
from tests.browser.test_live_events import sign_in
from tests.browser.test_zoom_integration import connect_as_zoom_admin
from tests.django_conftest import People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.attendance_scenes import (
    deliver_meeting_ended,
    ground_truth_segments,
    learner,
    next_try_comes,
    registered,
)
from tests.zoom_integration.attendance_scenes import run_meeting as run_meeting_with
from tests.zoom_integration.recording_scenes import (
    deliver_to_campus,
    knobs,
    recorded_event,
    recording_completed_bodies,
)
from zoomsim.media import fixture_mp4

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Seconds, small but above zero: Campus has to wait for Zoom's report and recording, as on Zoom.
# The steps before each is due take well under a second; the margins are for a loaded machine.
REPORT_DELAY = 8.0
RECORDING_DELAY = 14.0
MEETING_MINUTES = 60
GUEST = "Grace (phone)"
# (first, last, join segments in minutes of the meeting, the duration as the pages say it);
# Ada leaves and rejoins.
CLASS = [
    ("Ada", "Lovelace", [[0, 20], [30, 60]], "50 min"),
    ("Bob", "Byte", [[5, 15]], "10 min"),
    ("Cora", "Diaz", [[0, 60]], "1 h 00 min"),
]


def _at(moment: str | float) -> datetime:
    """A time from the CSV (ISO 8601) or from zoomsim's control API (Unix seconds)."""
    if isinstance(moment, float | int):
        # Zoom's report gives whole seconds, and so does the CSV.
        return datetime.fromtimestamp(int(moment), UTC)
    return datetime.fromisoformat(moment)


Truth = dict[str, tuple[int, datetime, datetime]]


def _people_at_zoom(segments: list[dict[str, Any]], names: dict[str, str]) -> Truth:
    """zoomsim's ground truth per person: total seconds present (overlaps once), first join and
    last leave. Learners named through their registrant id, the guest by the name given."""
    stays: dict[str, list[tuple[datetime, datetime]]] = defaultdict(list)
    for segment in segments:
        who = names.get(segment["registrant_id"] or "", segment["name"])
        stays[who].append((_at(segment["join_time"]), _at(segment["leave_time"])))
    truth: Truth = {}
    for who, spans in stays.items():
        spans.sort()
        total, reached = 0.0, spans[0][0]
        for start, end in spans:
            start = max(start, reached)
            if end > start:
                total += (end - start).total_seconds()
                reached = end
        truth[who] = (int(total), spans[0][0], max(end for _start, end in spans))
    return truth


def _wait_until(moment: float) -> None:
    """Zoom's delays pass in real time (the `time.monotonic()` moment given)."""
    time.sleep(max(0.0, moment - time.monotonic()))


def _meeting_held_and_data_in(
    zoom: LiveZoomsim, session: LiveEventSession, participants: list[dict[str, Any]]
) -> str:
    """The meeting runs at zoomsim (ending now; over in Campus's time too), then Campus's work
    runs as workers would: `meeting.ended` schedules the attendance fetch and Zoom has no report
    yet; the next try after the report delay gets it; `recording.completed`, sent once the
    recording delay has passed, brings the files in. Zoom's clock is left alone, so the pages'
    "fetched … after the meeting ended" is the real time. Returns the instance's UUID."""
    instance = run_meeting_with(zoom, session, participants, duration_minutes=MEETING_MINUTES)
    ended = time.monotonic()
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=MEETING_MINUTES + 1)
    )
    deliver_meeting_ended(zoom, instance["uuid"])
    took = time.monotonic() - ended
    assert took < REPORT_DELAY, f"the first fetch came {took:.1f} s after the end: too late"
    assert not AttendanceRecord.objects.filter(session=session).exists()  # no report yet
    _wait_until(ended + REPORT_DELAY)
    next_try_comes(session)
    assert AttendanceRecord.objects.filter(session=session).exists()
    assert recording_completed_bodies(zoom) == []  # Zoom is still processing the recording
    _wait_until(ended + RECORDING_DELAY)
    [body] = recording_completed_bodies(zoom)
    assert deliver_to_campus(body) == 200
    uuid: str = instance["uuid"]
    return uuid


def test_after_a_meeting_at_zoomsim_attendance_csv_and_the_imported_recording_in_chromium(
    page: Page,
    chromium: Browser,
    live_server: LiveServer,
    zoom: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    connect_as_zoom_admin(page, live_server, acme_people.org_admin.email)
    knobs(zoom, report_delay=REPORT_DELAY, recording_delay=RECORDING_DELAY)
    session = recorded_event(
        organization=acme, builder=acme_people.course_builder, course=acme_course
    )
    names: dict[str, str] = {}
    participants: list[dict[str, Any]] = []
    for first, last, segments, _words in CLASS:
        person = learner(acme, acme_course, f"{first.lower()}@acme.example", first, last)
        registrant_id = registered(acme, session, person)
        names[registrant_id] = f"{first} {last}"
        participants.append({"registrant_id": registrant_id, "segments": segments})
    participants.append({"guest_name": GUEST, "segments": [[15, 45]]})

    uuid = _meeting_held_and_data_in(zoom, session, participants)

    assert AttendanceRecord.objects.filter(session=session).count() == len(CLASS) + 1
    video = LiveEventRecording.objects.get(session=session, file_type="MP4")
    assert video.status == LiveEventRecordingStatus.IMPORTED
    assert video.file.read() == fixture_mp4()  # the bytes zoomsim served, whole
    truth = _people_at_zoom(ground_truth_segments(zoom, uuid), names)
    assert set(truth) == {*names.values(), GUEST}
    assert truth["Ada Lovelace"][0] == 50 * 60  # the rejoin: 20 + 30 minutes

    # The Course Admin: the session's attendance page, durations, and the CSV.
    lesson_url = f"{live_server.url}/courses/{acme_course.pk}/lessons/"
    lesson_url += f"{first_lesson(acme_course).pk}/"
    admin = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(admin, live_server, acme_people.course_assistant.email)
    admin.goto(lesson_url)
    # Zoom's clock was left alone: the wait Campus reports is the report delay, in real time.
    expect(admin.locator("[data-attendance-status]").first).to_contain_text(
        re.compile(r"attendance fetched .* \(\d+ s after the meeting ended\)")
    )
    admin.locator(".session").first.get_by_role("link", name="Attendance of session 1").click()
    expect(admin.get_by_role("heading", name="Attendance of session 1")).to_be_visible()
    for first, last, _segments, words in CLASS:
        shown = admin.locator("[data-attendance-row]", has_text=f"{first} {last}")
        expect(shown.locator("[data-duration]")).to_have_text(words)
    expect(admin.locator("[data-unmatched]")).to_contain_text(GUEST)
    screenshot(admin, "after-meeting-01-course-admin-attendance")
    with admin.expect_download() as downloading:
        admin.get_by_role("link", name="Download CSV").click()
    path = downloading.value.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    assert len(rows) == len(truth)
    for row in rows:
        seconds, first_join, last_leave = truth[row["learner"]]
        assert int(row["duration_seconds"]) == seconds, row
        assert _at(row["first_join"]) == first_join, row
        assert _at(row["last_leave"]) == last_leave, row
        assert row["matched"] == ("no" if row["learner"] == GUEST else "yes"), row
        assert row["attended"] == "yes", row  # any presence counts, the event's default
    admin.context.close()

    # The learner: their own attendance, and the imported recording played and sought.
    answers: list[Response] = []
    video_path = f"/courses/recordings/{video.pk}/"
    page.context.clear_cookies()
    page.on("response", lambda r: answers.append(r) if r.url.endswith(video_path) else None)
    sign_in(page, live_server, "ada@acme.example")
    page.goto(lesson_url)
    mine = page.locator("[data-my-attendance]")
    expect(mine).to_contain_text("Attended")
    expect(mine).to_contain_text("You were there 50 min")
    player = page.locator("video.recording-player")
    expect(player).to_have_attribute("src", video_path)
    page.wait_for_function(
        "() => { const v = document.querySelector('video.recording-player');"
        " return v && v.readyState >= 1 && v.seekable.length > 0 && v.duration > 2.5; }"
    )
    played = player.evaluate(
        "v => { v.muted = true; return v.play().then(() => new Promise(done => {"
        " const wait = () => v.currentTime > 0.5 ? done(v.currentTime) : setTimeout(wait, 50);"
        " wait(); })); }"
    )
    assert played > 0.5
    player.evaluate("v => v.pause()")
    landed = player.evaluate(
        "v => new Promise(done => {"
        " v.addEventListener('seeked', () => done(v.currentTime), {once: true});"
        " v.currentTime = 2.5; })"
    )
    assert abs(landed - 2.5) < 0.1
    # What a seek into a part not yet loaded asks for: a range from the middle of the file.
    middle = len(fixture_mp4()) // 2
    ranged = page.evaluate(
        "([src, from]) => fetch(src, {headers: {Range: `bytes=${from}-`}})"
        ".then(r => r.arrayBuffer().then(b => [r.status, r.headers.get('content-range'),"
        " b.byteLength]))",
        [video_path, middle],
    )
    size = len(fixture_mp4())
    assert ranged == [206, f"bytes {middle}-{size - 1}/{size}", size - middle]
    player.evaluate("v => { v.currentTime = 0.2; }")  # the screenshot shows the first frame
    page.wait_for_function("() => document.querySelector('video.recording-player').readyState >= 2")
    screenshot(page, "after-meeting-02-learner-lesson-page-attendance-and-recording")

    assert answers, "the player asked Campus for no bytes"
    assert all(r.request.headers.get("range", "").startswith("bytes=") for r in answers)
    assert {r.status for r in answers} == {206}
    assert all(r.headers["content-range"].endswith(f"/{size}") for r in answers)
