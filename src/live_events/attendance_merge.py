"""Turning Zoom's join segments into one person's attendance (pure functions, no database).

Zoom's report has one row per join segment: a learner who drops out and rejoins appears twice,
and a second device or a reconnect can overlap the first. Time present is the union of a
person's segments, each clipped to its instance's start and end (Zoom's join and leave times can
stray a little outside the run), so an overlap is counted once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime


def clipped(interval: Interval, *, start: datetime | None, end: datetime | None) -> Interval | None:
    """The part of `interval` inside [start, end] (either bound may be unknown); None if empty."""
    lower = max(interval.start, start) if start is not None else interval.start
    upper = min(interval.end, end) if end is not None else interval.end
    return Interval(lower, upper) if upper > lower else None


def union_seconds(intervals: Iterable[Interval]) -> int:
    """Seconds covered by the intervals, overlaps counted once."""
    total = timedelta()
    current: Interval | None = None
    for interval in sorted(intervals, key=lambda i: (i.start, i.end)):
        if current is None or interval.start > current.end:
            if current is not None:
                total += current.end - current.start
            current = interval
        elif interval.end > current.end:
            current = Interval(current.start, interval.end)
    if current is not None:
        total += current.end - current.start
    return int(total.total_seconds())


def identity_key(*, zoom_user_id: str, email: str, name: str) -> str:
    """Who an unmatched participant is, as well as Zoom tells: the Zoom user id when signed in,
    else the email, else (a guest) the typed name. Zoom's per-join `user_id` is no identity: it
    changes on every rejoin."""
    if zoom_user_id:
        return f"zoom-user:{zoom_user_id}"
    if email:
        return f"email:{email.strip().lower()}"
    return f"name:{name.strip()}"


def minimum_seconds(*, kind: str, value: int, scheduled_minutes: int) -> int:
    """Seconds present needed to count as attended: any presence (1 s), minutes, or a percentage
    of the scheduled duration."""
    if kind == "minutes":
        return max(1, value * 60)
    if kind == "percent":
        return max(1, scheduled_minutes * 60 * min(value, 100) // 100)
    return 1
