"""Ended meetings: the instance details, its instances, and who attended (reference §2.1, §6).

Zoom returns ONE ROW PER JOIN SEGMENT: a participant who rejoins appears again, with a new
per-meeting `user_id` and a `duration` (seconds) covering that segment only. The rows are returned
as Zoom gives them; merging segments per person is the caller's (attendance) business.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from zoomclient.json_fields import JsonObject, flag, instant, integer, optional_text, text


@dataclass(frozen=True)
class PastMeeting:
    uuid: str
    id: int
    host_id: str
    topic: str
    type: int
    start_time: datetime | None
    end_time: datetime | None
    duration_minutes: int
    total_minutes: int
    participants_count: int
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: JsonObject) -> PastMeeting:
        return cls(
            uuid=text(obj, "uuid"),
            id=integer(obj, "id"),
            host_id=text(obj, "host_id"),
            topic=text(obj, "topic"),
            type=integer(obj, "type"),
            start_time=instant(obj, "start_time"),
            end_time=instant(obj, "end_time"),
            duration_minutes=integer(obj, "duration"),
            total_minutes=integer(obj, "total_minutes"),
            participants_count=integer(obj, "participants_count"),
            raw=obj,
        )


@dataclass(frozen=True)
class PastInstance:
    """One ended run of a meeting; each run has its own UUID."""

    uuid: str
    start_time: datetime | None

    @classmethod
    def from_json(cls, obj: JsonObject) -> PastInstance:
        return cls(uuid=text(obj, "uuid"), start_time=instant(obj, "start_time"))


def _segment_fields(obj: JsonObject) -> dict[str, Any]:
    """The fields every participant row (past meeting or report) has, read from Zoom's JSON."""
    return {
        "id": text(obj, "id"),
        "user_id": text(obj, "user_id"),
        "name": text(obj, "name"),
        "user_email": text(obj, "user_email"),
        "registrant_id": optional_text(obj, "registrant_id"),
        "join_time": instant(obj, "join_time"),
        "leave_time": instant(obj, "leave_time"),
        "duration_seconds": integer(obj, "duration"),
        "status": text(obj, "status"),
        "raw": obj,
    }


@dataclass(frozen=True)
class PastParticipant:
    """A row of GET /past_meetings/{uuid}/participants (one join segment)."""

    id: str
    user_id: str
    name: str
    user_email: str
    registrant_id: str | None
    join_time: datetime | None
    leave_time: datetime | None
    duration_seconds: int
    status: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: JsonObject) -> Self:
        return cls(**_segment_fields(obj))


@dataclass(frozen=True)
class ReportParticipant(PastParticipant):
    """A row of GET /report/meetings/{id|uuid}/participants (one join segment): the fields of a
    past-meeting participant row, and two more.

    `user_id` is per meeting and new on each rejoin; `participant_user_id` is the Zoom user id
    ("" for guests); `user_email` is "" for guests, external users and BAA accounts; `duration`
    0 in every row usually means the report was fetched too early (reference §6).
    """

    participant_user_id: str = ""
    failover: bool = False

    @classmethod
    def from_json(cls, obj: JsonObject) -> Self:
        # Built in one go (not the parent's row then `replace`d): reports run to thousands of rows.
        return cls(
            **_segment_fields(obj),
            participant_user_id=text(obj, "participant_user_id"),
            failover=flag(obj, "failover"),
        )
