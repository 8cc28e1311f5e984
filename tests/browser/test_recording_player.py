"""A learner plays a session's recording on the lesson page in Chromium and seeks in it: the
player's requests are Range requests answered 206 by Campus's recording view, the video is
seekable to its end, a seek lands where asked, and the transcript is its captions track."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from playwright.sync_api import Page, Response, expect
from pytest_django.fixtures import Settings
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from live_events.models import LiveEventRecording, LiveEventRecordingStatus
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
