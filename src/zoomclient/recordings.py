"""Cloud recordings of one meeting instance, and the date range of a host's list (reference §2.1,
§6)."""

from __future__ import annotations

import calendar
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from zoomclient.json_fields import JsonObject, instant, integer, objects, optional_text, text


@dataclass(frozen=True)
class RecordingFile:
    """`file_type` can be "" while Zoom is still processing the file; only `status`
    "completed" files can be downloaded."""

    id: str
    meeting_uuid: str
    file_type: str
    file_extension: str
    file_size: int
    recording_type: str
    recording_start: datetime | None
    recording_end: datetime | None
    download_url: str
    play_url: str
    status: str

    @property
    def is_ready(self) -> bool:
        return self.status == "completed" and bool(self.file_type) and bool(self.download_url)

    @classmethod
    def from_json(cls, obj: JsonObject) -> RecordingFile:
        return cls(
            id=text(obj, "id"),
            meeting_uuid=text(obj, "meeting_id"),  # Zoom's `meeting_id` here is the UUID
            file_type=text(obj, "file_type"),
            file_extension=text(obj, "file_extension"),
            file_size=integer(obj, "file_size"),
            recording_type=text(obj, "recording_type"),
            recording_start=instant(obj, "recording_start"),
            recording_end=instant(obj, "recording_end"),
            download_url=text(obj, "download_url"),
            play_url=text(obj, "play_url"),
            status=text(obj, "status"),
        )


@dataclass(frozen=True)
class MeetingRecordings:
    """GET /meetings/{id|uuid}/recordings. `download_access_token` is only there when asked for
    (and the app's role may view recording content); it is a bearer token for the files."""

    uuid: str
    id: int
    host_id: str
    topic: str
    start_time: datetime | None
    duration_minutes: int
    total_size: int
    share_url: str
    download_access_token: str | None = field(repr=False)
    recording_files: tuple[RecordingFile, ...]
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: JsonObject) -> MeetingRecordings:
        return cls(
            uuid=text(obj, "uuid"),
            id=integer(obj, "id"),
            host_id=text(obj, "host_id"),
            topic=text(obj, "topic"),
            start_time=instant(obj, "start_time"),
            duration_minutes=integer(obj, "duration"),
            total_size=integer(obj, "total_size"),
            share_url=text(obj, "share_url"),
            download_access_token=optional_text(obj, "download_access_token"),
            recording_files=tuple(
                RecordingFile.from_json(item) for item in objects(obj, "recording_files")
            ),
            raw=obj,
        )


def month_before(day: date) -> date:
    """The same day a calendar month earlier (the month's last day when it is shorter)."""
    if day.year == 1 and day.month == 1:
        return date.min
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def recordings_range(from_date: date, to_date: date) -> dict[str, str]:
    """The `from`/`to` query of GET /users/{userId}/recordings, checked first.

    Zoom lists at most a calendar month and does not refuse a longer range: it quietly starts it
    a month before `to` (zoom/api#36) and recordings before that are simply missing. So a longer
    range is a ValueError here; ask a month at a time. The days are UTC days, both included."""
    for name, value in (("from_date", from_date), ("to_date", to_date)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise ValueError(f"{name} must be a date (a UTC day), not {type(value).__name__}")
    if to_date < from_date:
        raise ValueError("to_date is before from_date")
    if from_date < month_before(to_date):
        raise ValueError(
            "Zoom lists recordings a month at a time: from_date must be no earlier than "
            f"{month_before(to_date).isoformat()} for to_date {to_date.isoformat()}"
        )
    return {"from": from_date.isoformat(), "to": to_date.isoformat()}
