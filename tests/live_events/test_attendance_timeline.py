"""The timeline's geometry: bars across the meeting's length, segments where the person was in it
(clipped to the meeting), ticks on whole steps, times in the viewer's zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from live_events.attendance_timeline import CHART_WIDTH, LABEL_WIDTH, Person, session_timeline

START = datetime(2026, 12, 1, 14, 0, tzinfo=UTC)


def _at(minutes: float) -> datetime:
    return START + timedelta(minutes=minutes)


def test_segments_sit_where_the_person_was_and_are_clipped_to_the_meeting() -> None:
    people = [
        Person("Ada", "50 min", [(_at(0), _at(20)), (_at(30), _at(60))]),
        # Joined before the start (the waiting room) and left after the end: clipped.
        Person("Bob", "60 min", [(_at(-5), _at(70))]),
        Person("Cy", "0 s", [(_at(70), _at(80))]),  # after the meeting: nothing drawn
    ]

    timeline = session_timeline(people=people, start=START, end=_at(60), zone=ZoneInfo("UTC"))

    ada, bob, cy = timeline.bars
    assert [(p.x, p.width) for p in ada.pieces] == [
        (LABEL_WIDTH, round(CHART_WIDTH / 3, 1)),
        (LABEL_WIDTH + CHART_WIDTH / 2, CHART_WIDTH / 2),
    ]
    assert ada.words == "Ada: 50 min (2 p.m. to 2:20 p.m., 2:30 p.m. to 3 p.m.)"
    assert [(p.x, p.width) for p in bob.pieces] == [(LABEL_WIDTH, CHART_WIDTH)]
    assert cy.pieces == []
    assert cy.words.endswith("(no time in the meeting)")
    assert [bar.y for bar in timeline.bars] == sorted({bar.y for bar in timeline.bars})
    assert timeline.height > timeline.axis_y > cy.y


def test_ticks_fall_on_whole_steps_in_the_viewers_zone() -> None:
    start = _at(3)  # 14:03 UTC
    timeline = session_timeline(
        people=[], start=start, end=_at(63), zone=ZoneInfo("America/New_York")
    )

    assert [tick.label for tick in timeline.ticks] == [
        "9:03 a.m.",
        "9:10 a.m.",
        "9:20 a.m.",
        "9:30 a.m.",
        "9:40 a.m.",
        "9:50 a.m.",
        "10 a.m.",
    ]
    assert timeline.ticks[0].x == LABEL_WIDTH
    assert "0 people between 9:03 a.m. and 10:03 a.m." in timeline.description
