"""What the lesson page shows of a session's recording: one player per run of the meeting (a
meeting the host started twice has two instances, each with its own recording), in the order
they started, each with its transcript as captions and its chat as a download; for Course Admins
what is not on the page yet; and, for an event recording to the cloud, where the search for the
recording stands ("recording not available from Zoom: …" once given up after 72 hours)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from campus.formats import time_of_day
from live_events.models import (
    LiveEventRecording,
    LiveEventRecordingStatus,
    LiveEventRecordingSync,
    RecordingSyncState,
)
from live_events.not_available import SessionData, not_available_words


@dataclass(frozen=True)
class RecordingPart:
    """The published files of one instance's recording."""

    number: int  # among the session's instances, by start
    started_at: datetime | None
    video: LiveEventRecording | None
    transcript: LiveEventRecording | None
    chat: LiveEventRecording | None


@dataclass(frozen=True)
class SessionRecordings:
    parts: tuple[RecordingPart, ...]
    # Listed by Zoom, not on the page: waiting for Import, being imported, or failed.
    not_imported: tuple[LiveEventRecording, ...]
    # Nothing listed yet: where the search stands, in words (Course Admins), and the verdict.
    search_words: str = ""
    not_available: bool = False
    # More than one run of the meeting: each part is labelled.
    several_parts: bool = False
    # Ids of the not-imported files whose import work is queued: the Import click was taken, so
    # the page says "importing" rather than offering the button again.
    import_queued: frozenset[int] = frozenset()

    @property
    def waiting_for_import(self) -> bool:
        waiting = (LiveEventRecordingStatus.AVAILABLE, LiveEventRecordingStatus.FAILED)
        return any(
            r.status in waiting and r.pk not in self.import_queued for r in self.not_imported
        )

    @property
    def importing(self) -> bool:
        return any(
            r.status == LiveEventRecordingStatus.IMPORTING or r.pk in self.import_queued
            for r in self.not_imported
        )

    @property
    def problems(self) -> list[str]:
        return [r.problem for r in self.not_imported if r.problem]


def _first(files: Sequence[LiveEventRecording], file_type: str) -> LiveEventRecording | None:
    return next((f for f in files if f.file_type == file_type), None)


def _started(files: Sequence[LiveEventRecording]) -> datetime | None:
    video = _first(files, "MP4")
    if video is not None and video.recording_start is not None:
        return video.recording_start
    return min((f.recording_start for f in files if f.recording_start is not None), default=None)


def _parts(rows: Sequence[LiveEventRecording]) -> tuple[list[RecordingPart], int]:
    """Every instance's published files, instances numbered by their recording's start; and how
    many instances Zoom listed (published or not)."""
    by_instance: dict[str, list[LiveEventRecording]] = {}
    for row in rows:
        # Files Zoom listed under one instance UUID are one run's recording.
        by_instance.setdefault(row.zoom_meeting_uuid, []).append(row)
    never = datetime.max.replace(tzinfo=UTC)
    ordered = sorted(
        by_instance.values(),
        key=lambda files: (_started(files) or never, min(f.pk or 0 for f in files)),
    )
    parts = []
    for number, files in enumerate(ordered, start=1):
        published = [f for f in files if f.is_published]
        if published:
            parts.append(
                RecordingPart(
                    number=number,
                    started_at=_started(files),
                    video=_first(published, "MP4"),
                    transcript=_first(published, "TRANSCRIPT"),
                    chat=_first(published, "CHAT"),
                )
            )
    return parts, len(ordered)


def _search_words(sync: LiveEventRecordingSync | None, zone: tzinfo) -> str:
    if sync is None:
        return "waiting for Zoom to make the recording"
    if sync.state == RecordingSyncState.UNAVAILABLE:
        return not_available_words(data=SessionData.RECORDING, reason=sync.last_reason)
    if sync.next_try_at is not None:
        return f"next try {time_of_day(sync.next_try_at, zone)}: {sync.last_reason}"
    return sync.last_reason or "waiting for Zoom to make the recording"


def session_recordings(
    rows: Sequence[LiveEventRecording],
    *,
    sync: LiveEventRecordingSync | None = None,
    records_to_cloud: bool = False,
    is_over: bool = False,
    zone: tzinfo = UTC,
    import_queued: frozenset[int] = frozenset(),
) -> SessionRecordings | None:
    """The recording block of one session; None when there is nothing to show (no file listed,
    and no cloud recording waited for after the meeting). `import_queued`: ids of files whose
    import work is queued (recording_selectors.recordings_with_import_queued)."""
    if rows:
        parts, instances = _parts(rows)
        not_imported = tuple(r for r in rows if not r.is_published)
        return SessionRecordings(
            parts=tuple(parts),
            not_imported=not_imported,
            several_parts=instances > 1,
            import_queued=frozenset(r.pk for r in not_imported if r.pk in import_queued),
        )
    if not (records_to_cloud and is_over):
        return None
    return SessionRecordings(
        parts=(),
        not_imported=(),
        search_words=_search_words(sync, zone),
        not_available=sync is not None and sync.state == RecordingSyncState.UNAVAILABLE,
    )


def recording_status_words(
    rows: Sequence[LiveEventRecording],
    *,
    sync: LiveEventRecordingSync | None,
    records_to_cloud: bool,
    auto_upload: bool,
    is_over: bool,
    zone: tzinfo = UTC,
) -> str:
    """Where the session's recording stands in one line, for the Course Admins' attendance page
    (the lesson page shows the same beside its players), times in the viewer's zone: "imported
    14:02", "importing…", "available in Zoom…", "import failed: …", "next try 15:00: <Zoom's
    answer>", "recording not available from Zoom: …". Empty when no recording is waited for."""
    if not rows:
        if not (records_to_cloud and is_over):
            return ""
        return _search_words(sync, zone)
    imported = [r for r in rows if r.is_published]
    problems = [r.problem for r in rows if not r.is_published and r.problem]
    if len(imported) == len(rows):
        last = max((r.imported_at for r in imported if r.imported_at is not None), default=None)
        words = f"imported {time_of_day(last, zone)}" if last is not None else "imported"
        if sync is not None and sync.state == RecordingSyncState.WAITING and sync.next_try_at:
            # A later run of the meeting is still looked for (the poll opened again).
            words += f"; next try {time_of_day(sync.next_try_at, zone)}: {sync.last_reason}"
        return words
    statuses = {r.status for r in rows if not r.is_published}
    # Listed with automatic upload on: its import is queued, which is importing to the reader.
    if LiveEventRecordingStatus.IMPORTING in statuses or (
        LiveEventRecordingStatus.AVAILABLE in statuses and auto_upload
    ):
        words = f"importing ({len(imported)} of {len(rows)} files on the lesson page)"
    elif LiveEventRecordingStatus.FAILED in statuses:
        words = "import failed"
    else:
        words = "available in Zoom: Import it on the lesson page"
    return f"{words}: {problems[0]}" if problems else words
