"""Meetings that happen, through zoomsim's control API: start, joins and leaves, end."""

from __future__ import annotations

from typing import Any

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_runs import advance, run
from zoomclient import MeetingSettings, MeetingSpec, NewRegistrant, ZoomClient

# Zoom takes a while after a meeting ends before its report and its recording are there: these
# flows see that (a little shorter than zoomsim's defaults, so the clock moves less).
REPORT_DELAY = 120
RECORDING_DELAY = 300


def run_meeting(
    zoomsim: LiveZoomsim,
    meeting_id: int,
    participants: list[dict[str, Any]],
    duration_minutes: int = 60,
) -> dict[str, Any]:
    """A whole run of the meeting that ended just now; zoomsim's view of the instance. Its
    report comes REPORT_DELAY seconds later and its recording RECORDING_DELAY seconds later."""
    with zoomsim.client() as control:
        delays = {"report_delay": REPORT_DELAY, "recording_delay": RECORDING_DELAY}
        assert control.patch("/_sim/knobs", json=delays).status_code == 200
        return run(control, meeting_id, participants, duration_minutes)


def wait_for_processing(zoomsim: LiveZoomsim, seconds: float = RECORDING_DELAY) -> None:
    """Let zoomsim's clock pass while Zoom processes the meeting (reports and recordings)."""
    with zoomsim.client() as control:
        advance(control, seconds)


def meeting_with_registrants(
    client: ZoomClient, count: int, *, auto_recording: str = "none"
) -> tuple[int, list[str]]:
    """A registration meeting of acme's host with `count` approved registrants."""
    settings = MeetingSettings(approval_type=0, auto_recording=auto_recording)  # type: ignore[arg-type]
    meeting_id = client.create_meeting(
        "acme-host", MeetingSpec(topic="Lecture", type=2, settings=settings)
    ).id
    people = [NewRegistrant(f"p{n}@campus.test", f"Person{n}", "Campus") for n in range(count)]
    added = client.add_batch_registrants(meeting_id, people) if count else []
    return meeting_id, [person.registrant_id for person in added]
