"""A session recording as the import leaves it (published, its bytes in the default storage) on
Acme's lesson page, for the tests of who may see it and how it is served."""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from courses.models import Course, LessonComponent
from live_events.models import (
    LiveEvent,
    LiveEventProvider,
    LiveEventRecording,
    LiveEventRecordingStatus,
    LiveEventSession,
)
from tests.django_conftest import first_lesson

CONTENT = bytes(range(256)) * 40  # 10,240 bytes, each position's value known


def published_recording(
    course: Course,
    *,
    file_type: str = "MP4",
    extension: str = "MP4",
    content: bytes = CONTENT,
    file_id: str = "file-1",
) -> LiveEventRecording:
    lesson = first_lesson(course)
    component = LessonComponent.objects.create(
        lesson=lesson, kind="live_event", position=lesson.components.count() + 1
    )
    event = LiveEvent.objects.create(
        organization=course.organization,
        lesson_component=component,
        title="Office hours",
        provider=LiveEventProvider.ZOOM,
    )
    session = LiveEventSession.objects.create(
        event=event,
        starts_at=datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
        duration_minutes=60,
        zoom_meeting_id=81_000_000_999,
    )
    name = default_storage.save(f"recordings/{file_id}.{extension.lower()}", ContentFile(content))
    return LiveEventRecording.objects.create(
        session=session,
        source="zoom",
        zoom_file_id=file_id,
        file_type=file_type,
        file_extension=extension,
        file_size=len(content),
        status=LiveEventRecordingStatus.IMPORTED,
        file=name,
        imported_at=timezone.now(),
    )
