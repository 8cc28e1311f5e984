"""The run of a meeting that `meeting.ended` tells of, read once from the delivery for the two
things that follow it (attendance and recordings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.dateparse import parse_datetime


@dataclass(frozen=True)
class EndedRun:
    meeting_id: int
    uuid: str  # "" when Zoom left it out: the run is then found through Zoom's list of runs
    started_at: datetime | None
    ended_at: datetime | None


def _instant(value: Any) -> datetime | None:
    return parse_datetime(value) if isinstance(value, str) else None


def ended_run_of(envelope: Mapping[str, Any]) -> EndedRun | None:
    """None for a delivery without a usable meeting id (nothing to act on)."""
    payload = envelope.get("payload")
    meeting = payload.get("object") if isinstance(payload, Mapping) else None
    if not isinstance(meeting, Mapping):
        return None
    try:
        meeting_id = int(str(meeting.get("id") or ""))  # a string in meeting.* events
    except ValueError:
        return None
    uuid = meeting.get("uuid")
    return EndedRun(
        meeting_id=meeting_id,
        uuid=uuid if isinstance(uuid, str) else "",
        started_at=_instant(meeting.get("start_time")),
        ended_at=_instant(meeting.get("end_time")),
    )
