"""The timeline of a session, laid out for an SVG drawn on the server (no JavaScript): one bar per
person across the meeting's length, their join segments on it, a tick every few minutes. Pure
geometry; the template (live_events/attendance_timeline.html) draws it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from campus.formats import time_of_day

LABEL_WIDTH = 220  # the names' column
CHART_WIDTH = 740
ROW_HEIGHT = 26
BAR_HEIGHT = 14
TOP = 8  # room above the first bar
AXIS_HEIGHT = 28  # the time ticks under the bars
# Tick steps, in minutes: the first that leaves at most MAX_TICKS ticks over the span.
TICK_STEPS = (5, 10, 15, 30, 60, 120, 240, 480)
MAX_TICKS = 8


@dataclass(frozen=True)
class Piece:
    x: float
    width: float
    words: str  # "14:02 to 14:20"


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    text_y: float
    pieces: list[Piece]
    words: str  # the bar's title, for screen readers and hover


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Timeline:
    width: int
    height: int
    label_width: int
    chart_width: int
    axis_y: float
    bar_height: int
    bars: list[Bar]
    ticks: list[Tick]
    description: str


@dataclass(frozen=True)
class Person:
    name: str
    duration_words: str
    segments: Sequence[tuple[datetime, datetime]]


def session_timeline(
    *, people: Sequence[Person], start: datetime, end: datetime, zone: ZoneInfo
) -> Timeline:
    """The layout of `people`'s segments between `start` and `end` (the meeting's length),
    clock times in `zone`."""
    if end <= start:
        end = start + timedelta(minutes=1)
    span = (end - start).total_seconds()

    def x_of(moment: datetime) -> float:
        offset = (min(max(moment, start), end) - start).total_seconds()
        return round(LABEL_WIDTH + CHART_WIDTH * offset / span, 1)

    def clock(moment: datetime) -> str:
        return time_of_day(moment, zone)

    bars = []
    for row, person in enumerate(people):
        y = TOP + row * ROW_HEIGHT
        pieces = []
        for joined, left in person.segments:
            if left <= start or joined >= end:
                continue
            left_x, right_x = x_of(joined), x_of(left)
            pieces.append(
                Piece(
                    x=left_x,
                    width=max(round(right_x - left_x, 1), 1.0),  # a short visit stays visible
                    words=f"{clock(joined)} to {clock(left)}",
                )
            )
        times = ", ".join(piece.words for piece in pieces) or "no time in the meeting"
        bars.append(
            Bar(
                label=person.name,
                y=y,
                text_y=y + BAR_HEIGHT - 2,
                pieces=pieces,
                words=f"{person.name}: {person.duration_words} ({times})",
            )
        )
    axis_y = TOP + len(people) * ROW_HEIGHT
    return Timeline(
        width=LABEL_WIDTH + CHART_WIDTH + 20,
        height=int(axis_y + AXIS_HEIGHT),
        label_width=LABEL_WIDTH,
        chart_width=CHART_WIDTH,
        axis_y=axis_y,
        bar_height=BAR_HEIGHT,
        bars=bars,
        ticks=_ticks(start, end, x_of, clock),
        description=(
            f"{len(people)} {'person' if len(people) == 1 else 'people'} between "
            f"{clock(start)} and {clock(end)}; each bar shows when that person was in the meeting."
        ),
    )


def _ticks(
    start: datetime,
    end: datetime,
    x_of: Callable[[datetime], float],
    clock: Callable[[datetime], str],
) -> list[Tick]:
    minutes = (end - start).total_seconds() / 60
    step = next((s for s in TICK_STEPS if minutes / s <= MAX_TICKS), TICK_STEPS[-1])
    local = timezone.localtime(start, ZoneInfo("UTC"))
    # The first tick on a whole step after the start (14:00, 14:15, ...), in UTC minutes, which
    # match every zone's minutes for the steps used here except zones offset by 30 or 45 minutes.
    first = local.replace(second=0, microsecond=0) + timedelta(minutes=-(local.minute % step))
    if first < start:
        first += timedelta(minutes=step)
    ticks = [Tick(x=x_of(start), label=clock(start))]
    moment = first
    while moment < end:
        if moment > start + timedelta(minutes=step / 3):
            ticks.append(Tick(x=x_of(moment), label=clock(moment)))
        moment += timedelta(minutes=step)
    return ticks
