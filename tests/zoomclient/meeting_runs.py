"""Meetings that happen, through zoomsim's control API: start, joins and leaves, end."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.zoomsim_server import LiveZoomsim
from zoomclient import MeetingSettings, MeetingSpec, NewRegistrant, ZoomClient


def run_meeting(
    zoomsim: LiveZoomsim,
    meeting_id: int,
    participants: list[dict[str, Any]],
    duration_minutes: int = 60,
) -> dict[str, Any]:
    """A whole run of the meeting that ended just now; zoomsim's view of the instance."""
    with httpx.Client(base_url=zoomsim.base_url, timeout=10) as control:
        response = control.post(
            f"/_sim/meetings/{meeting_id}/run",
            json={"duration_minutes": duration_minutes, "participants": participants},
        )
    assert response.status_code == 201, response.text
    instance: dict[str, Any] = response.json()
    return instance


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
