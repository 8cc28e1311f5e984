"""Zoom's time format, both ways (reference §2.2, §7.4).

`2026-11-27T06:00:00Z` is UTC. Without the `Z` Zoom reads the time as wall-clock time in the
meeting's `timezone`. So a time is always sent as UTC with `Z`, from an aware datetime: a naive one
is refused here, because sending a local wall-clock time with `Z` shifts the meeting by the offset.
"""

from __future__ import annotations

from datetime import UTC, datetime


def to_zoom_utc(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("Zoom times must be timezone-aware datetimes")
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_zoom_time(value: object) -> datetime | None:
    """Zoom's UTC strings (`...Z`, sometimes with an offset or fractions) as aware datetimes;
    "" or absent (e.g. a participant still in the meeting has no leave_time) gives None."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
