"""Reads of session recordings, each scoped to the organization and to the people of the course:
learners enrolled in it and its organization's course admins. Anyone else gets 404, exactly as
for a recording that does not exist."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import QuerySet
from django.http import Http404

from live_events.models import (
    LiveEventRecording,
    LiveEventRecordingStatus,
    LiveEventRecordingSync,
)
from organizations.models import Membership, Organization
from work.models import WorkItem, WorkState

# The provider's import work, one row a file (live_events does not import zoom_integration, which
# names its work this way; tests/zoom_integration/test_recording_import_button.py checks both).
RECORDING_IMPORT_WORK_KIND = "zoom.recording.import"
RECORDING_IMPORT_WORK_SUBJECT = "recording:{recording_id}"
# A queued row is an import under way as far as the page is concerned: the Course Admin clicked.
_IMPORT_UNDER_WAY = (WorkState.PENDING, WorkState.RUNNING, WorkState.PAUSED)

# Which MP4 the page shows when Zoom made several views: the shared screen with the speaker
# beside it shows what the class saw; the others are fallbacks in this order.
VIDEO_PREFERENCE = (
    "shared_screen_with_speaker_view",
    "shared_screen_with_speaker_view(CC)",
    "active_speaker",
    "shared_screen_with_gallery_view",
    "shared_screen",
    "gallery_view",
    "speaker_view",
)


def _of_the_course(
    recordings: QuerySet[LiveEventRecording], *, organization: Organization, membership: Membership
) -> QuerySet[LiveEventRecording]:
    scoped = recordings.filter(
        session__event__organization=organization,
        session__event__removed_at__isnull=True,
        session__removed_at__isnull=True,
        session__event__lesson_component__isnull=False,
    )
    if membership.is_course_admin:
        return scoped
    return scoped.filter(
        session__event__lesson_component__lesson__course__enrollments__learner=membership.user
    )


def live_event_recording_get_published(
    *, organization: Organization, membership: Membership, recording_id: int
) -> LiveEventRecording:
    """A recording file on the lesson page that the viewer may see, else Http404."""
    found = (
        _of_the_course(
            LiveEventRecording.objects.select_related("session__event"),
            organization=organization,
            membership=membership,
        )
        .filter(pk=recording_id, status=LiveEventRecordingStatus.IMPORTED)
        .exclude(file="")
        .first()
    )
    if found is None:
        raise Http404("No such recording.")
    return found


def recordings_by_session(*, session_ids: Iterable[int]) -> dict[int, list[LiveEventRecording]]:
    """The recording rows of these sessions, in one query (the lesson page's loader)."""
    grouped: dict[int, list[LiveEventRecording]] = {}
    for recording in LiveEventRecording.objects.filter(session_id__in=list(session_ids)).order_by(
        "recording_start", "id"
    ):
        grouped.setdefault(recording.session_id, []).append(recording)
    return grouped


def recordings_with_import_queued(*, recording_ids: Iterable[int]) -> frozenset[int]:
    """Which of these recordings have import work queued or running, in one query (the lesson
    page says "importing" from the Import click on, before a worker takes the row)."""
    subjects = {
        RECORDING_IMPORT_WORK_SUBJECT.format(recording_id=recording_id): recording_id
        for recording_id in recording_ids
    }
    if not subjects:
        return frozenset()
    queued = WorkItem.objects.filter(
        kind=RECORDING_IMPORT_WORK_KIND, subject__in=list(subjects), state__in=_IMPORT_UNDER_WAY
    ).values_list("subject", flat=True)
    return frozenset(subjects[subject] for subject in queued)


def recording_syncs_by_session(*, session_ids: Iterable[int]) -> dict[int, LiveEventRecordingSync]:
    """Where the search for each session's recording stands, in one query (the lesson page)."""
    return {
        sync.session_id: sync
        for sync in LiveEventRecordingSync.objects.filter(session_id__in=list(session_ids))
    }


def video_choice(files: Iterable[LiveEventRecording]) -> LiveEventRecording | None:
    """The one MP4 of an instance worth importing and showing (see VIDEO_PREFERENCE)."""
    videos = [f for f in files if f.file_type == "MP4"]
    if not videos:
        return None

    def rank(recording: LiveEventRecording) -> int:
        try:
            return VIDEO_PREFERENCE.index(recording.recording_type)
        except ValueError:
            return len(VIDEO_PREFERENCE)

    return min(videos, key=lambda v: (rank(v), v.pk or 0))
