"""What the lesson page shows of a session's recording: the player (the video, its transcript as
captions), the chat as a download, and for Course Admins what is not on the page yet."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from live_events.models import LiveEventRecording, LiveEventRecordingStatus


@dataclass(frozen=True)
class SessionRecordings:
    video: LiveEventRecording | None
    transcript: LiveEventRecording | None
    chat: LiveEventRecording | None
    # Listed by Zoom, not on the page: waiting for Import, being imported, or failed.
    not_imported: tuple[LiveEventRecording, ...]

    @property
    def waiting_for_import(self) -> bool:
        waiting = (LiveEventRecordingStatus.AVAILABLE, LiveEventRecordingStatus.FAILED)
        return any(r.status in waiting for r in self.not_imported)

    @property
    def importing(self) -> bool:
        return any(r.status == LiveEventRecordingStatus.IMPORTING for r in self.not_imported)

    @property
    def problems(self) -> list[str]:
        return [r.problem for r in self.not_imported if r.problem]


def session_recordings(rows: Sequence[LiveEventRecording]) -> SessionRecordings | None:
    if not rows:
        return None
    published = [r for r in rows if r.is_published]

    def first(file_type: str) -> LiveEventRecording | None:
        return next((r for r in published if r.file_type == file_type), None)

    return SessionRecordings(
        video=first("MP4"),
        transcript=first("TRANSCRIPT"),
        chat=first("CHAT"),
        not_imported=tuple(r for r in rows if not r.is_published),
    )
