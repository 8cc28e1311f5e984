"""A learner plays a session's recording on the lesson page in Chromium and seeks in it: the
player's requests are Range requests answered 206 by Campus's recording view, the video is
seekable to its end, a seek lands where asked, and the transcript is its captions track."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from playwright.sync_api import Page, Response, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from courses.models import Course, LessonComponent
from live_events.attendance_models import AttendanceSync, AttendanceSyncState
from live_events.models import (
    LiveEvent,
    LiveEventProvider,
    LiveEventRecording,
    LiveEventRecordingStatus,
    LiveEventRecordingSync,
    LiveEventSession,
    RecordingSyncState,
)
from organizations.models import User
from tests.browser.conftest import screenshot
from tests.browser.test_live_events import sign_in
from tests.django_conftest import People, first_lesson
from tests.live_events.recording_rows import published_recording
from zoomsim.media import fixture_mp4

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TRANSCRIPT = (
    "WEBVTT\n\n1\n00:00:00.500 --> 00:00:02.500\nAda Guest: Hello everyone.\n\n"
    "2\n00:00:02.500 --> 00:00:03.000\nBen Guest: Hi Ada.\n"
)


def test_the_learner_plays_the_recording_and_seeks(
    page: Page,
    live_server: LiveServer,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    video = published_recording(acme_course, content=fixture_mp4(), file_id="video-1")
    LiveEventRecording.objects.create(
        session=video.session,
        source="zoom",
        zoom_file_id="transcript-1",
        file_type="TRANSCRIPT",
        file_extension="VTT",
        file_size=len(TRANSCRIPT.encode()),
        status=LiveEventRecordingStatus.IMPORTED,
        file=video.file.storage.save(
            "recordings/transcript-1.vtt", ContentFile(TRANSCRIPT.encode())
        ),
    )
    ranges: list[Response] = []
    page.on(
        "response",
        lambda response: ranges.append(response) if "/recordings/" in response.url else None,
    )
    sign_in(page, live_server, acme_people.learner.email)
    lesson = first_lesson(acme_course)
    page.goto(f"{live_server.url}/courses/{acme_course.pk}/lessons/{lesson.pk}/")

    player = page.locator("video.recording-player")
    expect(player).to_be_visible()
    page.wait_for_function(
        "() => { const v = document.querySelector('video.recording-player');"
        " return v && v.readyState >= 1 && v.seekable.length > 0; }"
    )
    seekable_end = player.evaluate("v => v.seekable.end(0)")
    assert seekable_end > 2.5
    landed = player.evaluate(
        "v => new Promise(done => { v.muted = true;"
        " v.addEventListener('seeked', () => done(v.currentTime), {once: true});"
        " v.currentTime = 2.0; })"
    )
    assert abs(landed - 2.0) < 0.1
    played = player.evaluate(
        "v => v.play().then(() => new Promise(done => setTimeout(() => done(v.currentTime), 400)))"
    )
    assert played >= 2.0
    cues = player.evaluate(
        "v => new Promise(done => { const t = v.textTracks[0]; t.mode = 'showing';"
        " const wait = () => t.cues && t.cues.length ? done(t.cues.length) : setTimeout(wait, 50);"
        " wait(); })"
    )
    assert cues == 2
    screenshot(page, "recording-01-player-on-the-lesson-page")

    video_answers = [r for r in ranges if f"/recordings/{video.pk}/" in r.url]
    assert video_answers
    assert all(r.request.headers.get("range", "").startswith("bytes=") for r in video_answers)
    assert {r.status for r in video_answers} == {206}
    assert all(r.headers["content-range"].endswith(f"/{len(fixture_mp4())}") for r in video_answers)


def _second_run_of(first: LiveEventRecording, *, content: bytes) -> LiveEventRecording:
    """The same session's meeting restarted: a second instance (UUID) with its own recording,
    started an hour and a half after the first."""
    started = first.session.starts_at
    LiveEventRecording.objects.filter(pk=first.pk).update(
        zoom_meeting_uuid="run-1==", recording_start=started
    )
    second = LiveEventRecording.objects.create(
        session=first.session,
        source="zoom",
        zoom_file_id="video-2",
        zoom_meeting_uuid="run-2==",
        file_type="MP4",
        file_extension="MP4",
        file_size=len(content),
        recording_start=started + timedelta(minutes=90),
        status=LiveEventRecordingStatus.IMPORTED,
        file=first.file.storage.save("recordings/video-2.mp4", ContentFile(content)),
    )
    for video, text in ((first, TRANSCRIPT), (second, TRANSCRIPT.replace("Hello", "Welcome back"))):
        LiveEventRecording.objects.create(
            session=first.session,
            source="zoom",
            zoom_file_id=f"transcript-of-{video.zoom_file_id}",
            zoom_meeting_uuid="run-1==" if video.pk == first.pk else "run-2==",
            file_type="TRANSCRIPT",
            file_extension="VTT",
            file_size=len(text.encode()),
            status=LiveEventRecordingStatus.IMPORTED,
            file=first.file.storage.save(
                f"recordings/transcript-of-{video.zoom_file_id}.vtt", ContentFile(text.encode())
            ),
        )
    return second


def test_a_restarted_meeting_shows_each_run_in_its_own_player_with_its_captions(
    page: Page,
    live_server: LiveServer,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    first = published_recording(acme_course, content=fixture_mp4(), file_id="video-1")
    second = _second_run_of(first, content=fixture_mp4())
    User.objects.filter(pk=acme_people.learner.pk).update(time_zone="Europe/Paris")
    sign_in(page, live_server, acme_people.learner.email)
    lesson = first_lesson(acme_course)
    page.goto(f"{live_server.url}/courses/{acme_course.pk}/lessons/{lesson.pk}/")

    parts = page.locator("[data-recording-part]")
    expect(parts).to_have_count(2)
    # 15:00 UTC in March is 16:00 in Paris; the restart 90 minutes later.
    expect(parts.nth(0).locator(".recording-part-title")).to_have_text(
        "Part 1 · started 4 p.m. CET"
    )
    expect(parts.nth(1).locator(".recording-part-title")).to_have_text(
        "Part 2 · started 5:30 p.m. CET"
    )
    players = page.locator("video.recording-player")
    expect(players).to_have_count(2)
    assert players.nth(1).get_attribute("src") == f"/courses/recordings/{second.pk}/"
    page.wait_for_function(
        "() => [...document.querySelectorAll('video.recording-player')]"
        ".every(v => v.readyState >= 1 && v.seekable.length > 0)"
    )
    first_cues = players.nth(0).evaluate(
        "v => new Promise(done => { const t = v.textTracks[0]; t.mode = 'showing';"
        " const wait = () => t.cues && t.cues.length ? done(t.cues[0].text) : setTimeout(wait, 50);"
        " wait(); })"
    )
    second_cues = players.nth(1).evaluate(
        "v => new Promise(done => { const t = v.textTracks[0]; t.mode = 'showing';"
        " const wait = () => t.cues && t.cues.length ? done(t.cues[0].text) : setTimeout(wait, 50);"
        " wait(); })"
    )
    assert "Hello everyone" in first_cues
    assert "Welcome back everyone" in second_cues
    screenshot(page, "recording-02-two-parts-of-a-restarted-meeting")


def test_the_course_admin_sees_recording_not_available_from_zoom(
    page: Page, live_server: LiveServer, acme_people: People, acme_course: Course
) -> None:
    lesson = first_lesson(acme_course)
    component = LessonComponent.objects.create(
        lesson=lesson, kind="live_event", position=lesson.components.count() + 1
    )
    event = LiveEvent.objects.create(
        organization=acme_course.organization,
        lesson_component=component,
        title="Office hours",
        provider=LiveEventProvider.ZOOM,
        auto_record_cloud=True,
        auto_upload_recording=True,
    )
    session = LiveEventSession.objects.create(
        event=event,
        starts_at=timezone.now() - timedelta(hours=80),
        duration_minutes=60,
        zoom_meeting_id=81_000_000_998,
    )
    ended = session.starts_at + timedelta(minutes=60)
    # Attendance came back a minute after the end; the recording never did.
    AttendanceSync.objects.create(
        session=session,
        state=AttendanceSyncState.FETCHED,
        first_ended_at=ended,
        last_fetched_at=ended + timedelta(seconds=63),
    )
    LiveEventRecordingSync.objects.create(
        session=session,
        state=RecordingSyncState.UNAVAILABLE,
        last_reason="Zoom has no recording of this meeting",
        admins_told_at=timezone.now(),
    )
    sign_in(page, live_server, acme_people.course_assistant.email)
    page.goto(f"{live_server.url}/courses/{acme_course.pk}/lessons/{lesson.pk}/")

    status = page.locator("[data-recording-status]")
    expect(status).to_have_text(
        "Recording: recording not available from Zoom: Zoom has no recording of this meeting"
    )
    expect(page.locator("[data-attendance-status]")).to_contain_text("attendance fetched")
    expect(page.locator("video")).to_have_count(0)
    screenshot(page, "recording-03-not-available-from-zoom")
