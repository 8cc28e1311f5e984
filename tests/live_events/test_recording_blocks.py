"""The lesson page's recording block: one part per run of the meeting, numbered by the runs'
start so a label never changes as imports finish; and, for a cloud-recorded session with nothing
listed yet, where the search stands, the verdict shown to learners without Zoom's reason."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from live_events.models import (
    LiveEvent,
    LiveEventRecording,
    LiveEventRecordingStatus,
    LiveEventRecordingSync,
    RecordingSyncState,
)
from live_events.recording_blocks import recording_status_words, session_recordings
from tests.django_conftest import People, first_lesson
from tests.live_events.recording_rows import published_recording

pytestmark = pytest.mark.django_db

START = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def _listed(first: LiveEventRecording, *, file_id: str, uuid: str, minutes: int) -> None:
    """Another run's video, listed by Zoom and still being imported."""
    LiveEventRecording.objects.create(
        session=first.session,
        source="zoom",
        zoom_file_id=file_id,
        zoom_meeting_uuid=uuid,
        file_type="MP4",
        file_extension="MP4",
        file_size=10,
        recording_start=START + timedelta(minutes=minutes),
        status=LiveEventRecordingStatus.IMPORTING,
    )


def test_parts_are_numbered_by_start_whatever_is_imported_yet(acme_course: Course) -> None:
    later = published_recording(acme_course, file_id="later")
    LiveEventRecording.objects.filter(pk=later.pk).update(
        zoom_meeting_uuid="run-2", recording_start=START + timedelta(minutes=90)
    )
    _listed(later, file_id="earlier", uuid="run-1", minutes=0)
    rows = list(LiveEventRecording.objects.filter(session=later.session))

    block = session_recordings(rows)

    assert block is not None
    assert block.several_parts
    assert [(part.number, part.video and part.video.pk) for part in block.parts] == [(2, later.pk)]
    assert block.parts[0].started_at == START + timedelta(minutes=90)
    assert block.importing


def test_one_run_is_one_unlabelled_part(acme_course: Course) -> None:
    only = published_recording(acme_course)
    block = session_recordings([only])
    assert block is not None
    assert not block.several_parts
    assert [part.number for part in block.parts] == [1]


def _lesson_page(course: Course) -> str:
    lesson = first_lesson(course)
    return reverse("courses:lesson", args=[course.pk, lesson.pk])


def test_the_search_and_the_verdict_on_the_lesson_page(
    acme_course: Course, acme_people: People
) -> None:
    recording = published_recording(acme_course)
    session = recording.session
    LiveEvent.objects.filter(pk=session.event_id).update(auto_record_cloud=True)
    recording.delete()  # nothing listed by Zoom yet
    admin, learner = Client(), Client()
    admin.force_login(acme_people.course_assistant)
    learner.force_login(acme_people.learner)

    assert "Recording:</span> waiting for Zoom to make the recording" in (
        admin.get(_lesson_page(acme_course)).content.decode()
    )
    assert "data-recording-status" not in learner.get(_lesson_page(acme_course)).content.decode()

    LiveEventRecordingSync.objects.create(
        session=session,
        state=RecordingSyncState.UNAVAILABLE,
        last_reason="Zoom could not be reached",
        admins_told_at=timezone.now(),
    )
    admin_page = admin.get(_lesson_page(acme_course)).content.decode()
    learner_page = learner.get(_lesson_page(acme_course)).content.decode()
    assert "recording not available from Zoom: Zoom could not be reached" in admin_page
    assert "The recording of this session is not available from Zoom." in learner_page
    assert "Zoom could not be reached" not in learner_page

    # An event that records to no cloud waits for nothing and says nothing.
    LiveEvent.objects.filter(pk=session.event_id).update(auto_record_cloud=False)
    assert "data-recording-status" not in admin.get(_lesson_page(acme_course)).content.decode()


def test_the_status_line_says_failed_or_available_in_zoom_with_the_reason(
    acme_course: Course,
) -> None:
    imported = published_recording(acme_course, file_id="video")
    _listed(imported, file_id="chat", uuid=imported.zoom_meeting_uuid, minutes=0)
    LiveEventRecording.objects.filter(zoom_file_id="chat").update(
        status=LiveEventRecordingStatus.FAILED, problem="Import stopped after 8 tries: 503"
    )
    rows = list(LiveEventRecording.objects.filter(session=imported.session))

    def words(*, auto_upload: bool) -> str:
        return recording_status_words(
            rows, sync=None, records_to_cloud=True, auto_upload=auto_upload, is_over=True
        )

    assert words(auto_upload=True) == "import failed: Import stopped after 8 tries: 503"
    LiveEventRecording.objects.filter(zoom_file_id="chat").update(
        status=LiveEventRecordingStatus.AVAILABLE, problem=""
    )
    rows = list(LiveEventRecording.objects.filter(session=imported.session))
    assert words(auto_upload=False) == "available in Zoom: Import it on the lesson page"
    assert words(auto_upload=True) == "importing (1 of 2 files on the lesson page)"
    # Before the meeting is over, or without cloud recording, nothing is waited for.
    assert (
        recording_status_words(
            [], sync=None, records_to_cloud=True, auto_upload=True, is_over=False
        )
        == ""
    )


def test_the_next_try_is_written_as_every_other_time_of_the_page(
    acme_course: Course, acme_people: People
) -> None:
    recording = published_recording(acme_course)
    session = recording.session
    LiveEvent.objects.filter(pk=session.event_id).update(auto_record_cloud=True)
    recording.delete()
    LiveEventRecordingSync.objects.create(
        session=session,
        state=RecordingSyncState.WAITING,
        next_try_at=timezone.now().replace(minute=7, second=0) + timedelta(hours=1),
        last_reason="Zoom has no recording yet",
    )
    admin = Client()
    admin.force_login(acme_people.course_assistant)

    page = admin.get(_lesson_page(acme_course)).content.decode()

    assert re.search(r"next try \d{1,2}:\d\d [ap]\.m\.: Zoom has no recording yet", page), page
