"""The two seeds: the demo's (make run) shows Zoom's processing delays in tens of seconds, so a
person watches Campus wait and then succeed; the tests' keeps zoomsim's realistic defaults."""

from __future__ import annotations

import json
from pathlib import Path

from zoomsim.seed import load_seed_file
from zoomsim.state import Knobs, State

SEEDS = Path(__file__).resolve().parents[2] / "seeds"


def seeded(name: str) -> State:
    state = State()
    load_seed_file(state, SEEDS / name)
    return state


def test_the_demo_waits_tens_of_seconds_for_reports_and_recordings() -> None:
    knobs = seeded("zoomsim-demo.json").knobs
    assert 10 <= knobs.report_delay <= 60
    assert 10 <= knobs.recording_delay <= 90
    assert knobs.recording_delay >= knobs.report_delay  # recordings take longer, as at Zoom


def test_the_test_seed_keeps_the_realistic_defaults() -> None:
    knobs = seeded("zoomsim-test.json").knobs
    assert (knobs.report_delay, knobs.recording_delay) == (
        Knobs().report_delay,
        Knobs().recording_delay,
    )
    assert knobs.report_delay > 0
    assert knobs.recording_delay > 0


def test_the_seeds_differ_only_in_knobs_and_where_campus_webhooks_go() -> None:
    demo = json.loads((SEEDS / "zoomsim-demo.json").read_text(encoding="utf-8"))
    test = json.loads((SEEDS / "zoomsim-test.json").read_text(encoding="utf-8"))
    demo.pop("knobs")
    test.pop("knobs", None)
    for seed in (demo, test):
        for app in seed["apps"]:
            app.pop("webhook_url")
    assert demo == test
