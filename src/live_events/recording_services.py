"""Writes of session recordings: what Zoom listed (upserted by Zoom's file id, so a webhook and a
poll that both find the files, or an import run twice, leave one row per file), and the file
published once it is wholly stored.

The bytes themselves are fetched by the provider (zoom_integration's recording import); this
module only moves a row through its states: available → importing → imported (or failed, with
the reason, and importing again on the next try)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from live_events.models import (
    LiveEventRecording,
    LiveEventRecordingSource,
    LiveEventRecordingStatus,
    LiveEventRecordingSync,
    LiveEventSession,
    RecordingSyncState,
)
from live_events.not_available import REASON_LENGTH, SessionData, not_available_verdict
from live_events.recording_selectors import video_choice

log = logging.getLogger("live_events.recordings")

# The file types worth a place on the lesson page besides the one video.
COMPANION_TYPES = ("TRANSCRIPT", "CHAT")


@dataclass(frozen=True)
class ListedRecordingFile:
    """One file as the provider listed it (for Zoom: an entry of `recording_files`)."""

    file_id: str
    file_type: str
    file_extension: str
    recording_type: str
    file_size: int
    download_url: str
    recording_start: datetime | None


def _wanted(files: Sequence[ListedRecordingFile]) -> list[ListedRecordingFile]:
    """The video (one, see VIDEO_PREFERENCE) and the transcript and chat when there are."""
    candidates = [
        LiveEventRecording(
            zoom_file_id=f.file_id, file_type=f.file_type, recording_type=f.recording_type
        )
        for f in files
    ]
    video = video_choice(candidates)
    chosen = {video.zoom_file_id} if video is not None else set()
    for file_type in COMPANION_TYPES:
        first = next((f for f in files if f.file_type == file_type and f.file_size > 0), None)
        if first is not None:
            chosen.add(first.file_id)
    return [f for f in files if f.file_id in chosen and f.file_size > 0]


def live_event_recording_files_record(
    *,
    session_id: int,
    source_account_id: str,
    meeting_uuid: str,
    files: Sequence[ListedRecordingFile],
) -> list[int]:
    """Upsert the files of one instance's recording; returns the ids of the rows to import now
    (all not yet imported when the event uploads by itself, none otherwise: a Course Admin's
    Import asks for them)."""
    session = LiveEventSession.objects.select_related("event").get(pk=session_id)
    to_import: list[int] = []
    now = timezone.now()
    with transaction.atomic():
        for listed in _wanted(files):
            row, created = LiveEventRecording.objects.select_for_update().get_or_create(
                zoom_file_id=listed.file_id,
                defaults={
                    "session": session,
                    "source": LiveEventRecordingSource.ZOOM,
                    "source_account_id": source_account_id,
                    "listed_at": now,
                },
            )
            if row.session_id != session.pk:
                # A Zoom file id names one file of one meeting: never move it between sessions.
                log.warning(
                    "live_events.recording_other_session",
                    extra={"recording_id": row.pk, "session_id": session.pk},
                )
                continue
            if row.status != LiveEventRecordingStatus.IMPORTED:
                # Zoom's facts may change while processing (a size, a fresh download_url).
                row.zoom_meeting_uuid = meeting_uuid
                row.file_type = listed.file_type
                row.file_extension = listed.file_extension
                row.recording_type = listed.recording_type
                row.file_size = listed.file_size
                row.download_url = listed.download_url
                row.recording_start = listed.recording_start
                row.save()
                if session.event.auto_upload_recording:
                    to_import.append(row.pk)
            if created:
                log.info(
                    "live_events.recording_listed",
                    extra={"recording_id": row.pk, "session_id": session.pk},
                )
    return to_import


def live_event_recording_import_begin(*, recording_id: int) -> LiveEventRecording | None:
    """Mark the row importing; None when it is already on the page (twice is once)."""
    with transaction.atomic():
        row = LiveEventRecording.objects.select_for_update().get(pk=recording_id)
        if row.is_published:
            return None
        row.status = LiveEventRecordingStatus.IMPORTING
        row.save(update_fields=["status"])
        return row


def live_event_recording_publish(*, recording_id: int, stored_name: str) -> bool:
    """Point the row at its stored, checked file. False (and nothing changed) when another run
    published it first; the caller then deletes its own copy."""
    with transaction.atomic():
        row = LiveEventRecording.objects.select_for_update().get(pk=recording_id)
        if row.is_published:
            return False
        row.file.name = stored_name
        row.status = LiveEventRecordingStatus.IMPORTED
        row.problem = ""
        row.imported_at = timezone.now()
        row.save(update_fields=["file", "status", "problem", "imported_at"])
    log.info("live_events.recording_published", extra={"recording_id": recording_id})
    return True


def live_event_recording_problem(*, recording_id: int, problem: str, failed: bool) -> None:
    """Say why the import has not finished (and, when it gave up, that it failed)."""
    updates: dict[str, str] = {"problem": problem[:500]}
    if failed:
        updates["status"] = LiveEventRecordingStatus.FAILED
    LiveEventRecording.objects.filter(pk=recording_id).exclude(
        status=LiveEventRecordingStatus.IMPORTED
    ).update(**updates)


def live_event_recordings_to_import(*, session: LiveEventSession) -> list[int]:
    """The session's files still waiting for an import (a Course Admin's Import button)."""
    return list(
        LiveEventRecording.objects.filter(session=session)
        .exclude(status=LiveEventRecordingStatus.IMPORTED)
        .values_list("pk", flat=True)
    )


# --- where the search for the recording stands ---------------------------------------------------


def _recording_sync(session_id: int) -> LiveEventRecordingSync:
    sync, _created = LiveEventRecordingSync.objects.select_for_update().get_or_create(
        session_id=session_id
    )
    return sync


def live_event_recording_sync_waiting(
    *, session_id: int, next_try_at: datetime, reason: str
) -> None:
    """Zoom has no recording of the session yet: the next try, and Zoom's answer in words."""
    with transaction.atomic():
        sync = _recording_sync(session_id)
        if sync.state == RecordingSyncState.UNAVAILABLE:
            return  # the verdict stands; a late recording.completed still adds the files
        sync.state = RecordingSyncState.WAITING
        sync.next_try_at = next_try_at
        sync.last_reason = reason[:REASON_LENGTH]
        sync.attempts += 1
        sync.save()


def live_event_recording_sync_found(*, session_id: int) -> None:
    with transaction.atomic():
        sync = _recording_sync(session_id)
        sync.state = RecordingSyncState.FOUND
        sync.next_try_at = None
        sync.last_reason = ""
        sync.save()


def live_event_recording_unavailable(*, session_id: int, reason: str) -> bool:
    """After 72 hours without a recording: "recording not available from Zoom" with Zoom's last
    answer, and the Course Admins emailed once (never again, however often this is called).
    Returns whether this call told them."""
    with transaction.atomic():
        tell = not_available_verdict(
            _recording_sync(session_id),
            unavailable=RecordingSyncState.UNAVAILABLE,
            data=SessionData.RECORDING,
            reason=reason,
        )
    log.info("live_events.recording_unavailable", extra={"session_id": session_id, "told": tell})
    return tell


# A session's meeting is rarely run more than a handful of times; the list stays small.
ENDED_RUNS_KEPT = 50
REASON_RAN_AGAIN = "The meeting ran again; looking for the recording of that run"


def live_event_recording_run_ended(
    *, session_id: int, zoom_uuid: str, ended_at: datetime | None
) -> LiveEventRecordingSync:
    """A run of the session's meeting ended (Zoom's `meeting.ended`): remember it, so the poll
    opened again for it looks for its recording until 72 hours after this end. A verdict given
    before goes back to looking (the Course Admins are not emailed a second time)."""
    with transaction.atomic():
        sync = _recording_sync(session_id)
        if zoom_uuid and zoom_uuid not in sync.ended_runs:
            sync.ended_runs = [*sync.ended_runs, zoom_uuid][-ENDED_RUNS_KEPT:]
        ended_at = ended_at or timezone.now()
        if sync.last_ended_at is None or ended_at > sync.last_ended_at:
            sync.last_ended_at = ended_at
        if sync.state == RecordingSyncState.UNAVAILABLE:
            sync.state = RecordingSyncState.WAITING
            sync.last_reason = REASON_RAN_AGAIN
        sync.save()
    return sync
