"""Turning Zoom's join segments into one person's attendance (pure functions, no database).

Zoom's report has one row per join segment: a learner who drops out and rejoins appears twice,
and a second device or a reconnect can overlap the first. Time present is the union of a
person's segments, each clipped to its instance's start and end (Zoom's join and leave times can
stray a little outside the run), so an overlap is counted once.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
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
    return name_key(name=name, number=1)


# A guest who is not signed in and gave no email is only a typed name in Zoom's report: the same
# name next week may be someone else. Such an identity holds within one session only.
LASTING_PREFIXES = ("zoom-user:", "email:")


def identity_lasts(key: str) -> bool:
    """Whether the identity is the same person in a later meeting (a Zoom user id or an email),
    so a mapping of it may be remembered for the course's later sessions; a typed name is not."""
    return key.startswith(LASTING_PREFIXES)


def name_key(*, name: str, number: int) -> str:
    """The identity of the `number`-th person who typed `name` in one session (1 for the first:
    `name:Sam`; `name#2:Sam` for a second Sam there at the same time)."""
    return f"name:{name.strip()}" if number == 1 else f"name#{number}:{name.strip()}"


def name_key_label(key: str) -> str | None:
    """ " (2)" for the second person of a typed name, None for any other key."""
    if not key.startswith("name#"):
        return None
    number, _sep, _name = key[len("name#") :].partition(":")
    return f" ({number})" if number.isdigit() else None


def people_by_overlap(intervals: Sequence[Interval]) -> list[int]:
    """For each interval (in the given order), which person it belongs to, 0-based, using as few
    people as the overlaps allow: intervals of one typed name that overlap in time are different
    people in the meeting at once; one that starts after another ended may be the same person
    rejoining, and is taken to be (interval partitioning, earliest-free person first)."""
    order = sorted(range(len(intervals)), key=lambda i: (intervals[i].start, intervals[i].end))
    people: list[int] = [0] * len(intervals)
    free_at: list[tuple[datetime, int]] = []  # (end of the person's latest interval, person)
    count = 0
    for index in order:
        interval = intervals[index]
        if free_at and free_at[0][0] <= interval.start:
            _end, person = heapq.heappop(free_at)
        else:
            person, count = count, count + 1
        people[index] = person
        heapq.heappush(free_at, (interval.end, person))
    return people


def minimum_seconds(*, kind: str, value: int, scheduled_minutes: int) -> int:
    """Seconds present needed to count as attended: any presence (1 s), minutes, or a percentage
    of the scheduled duration."""
    if kind == "minutes":
        return max(1, value * 60)
    if kind == "percent":
        return max(1, scheduled_minutes * 60 * min(value, 100) // 100)
    return 1
