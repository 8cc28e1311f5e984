"""Making meetings happen in tests, through zoomsim's control API (`/_sim/...`), and reading the
webhooks that produced (`/_sim/deliveries`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx

from tests.support.waiting import eventually
from tests.zoomsim.meeting_calls import add_registrant, create_meeting


def path_uuid(uuid: str) -> str:
    """A UUID for a path as Zoom wants it: double-encoded when it begins with `/` or holds `//`
    (base64 UUIDs do that now and then by chance), single-encoded otherwise."""
    if uuid.startswith("/") or "//" in uuid:
        return double_encoded(uuid)
    return quote(uuid, safe="")


def sim_path_uuid(uuid: str) -> str:
    """A UUID for zoomsim's own /_sim/ and /sim/ paths: encoded once, whatever it holds."""
    return quote(uuid, safe="")


def double_encoded(uuid: str) -> str:
    return quote(quote(uuid, safe=""), safe="")


def recorded_meeting(api: httpx.Client, topic: str = "Algebra, week 1", **settings: Any) -> int:
    """A meeting that takes registrations and records to the cloud; its id."""
    created = create_meeting(
        api, topic=topic, settings={"approval_type": 0, "auto_recording": "cloud", **settings}
    )
    meeting_id: int = created["id"]
    return meeting_id


def registrant(api: httpx.Client, meeting_id: int, email: str, first: str, last: str) -> str:
    response = add_registrant(api, meeting_id, email, first_name=first, last_name=last)
    assert response.status_code == 201, response.text
    registrant_id: str = response.json()["registrant_id"]
    return registrant_id


def run(
    control: httpx.Client,
    meeting_id: int,
    participants: list[dict[str, Any]],
    duration_minutes: int = 60,
    **more: Any,
) -> dict[str, Any]:
    body = {"participants": participants, "duration_minutes": duration_minutes, **more}
    response = control.post(f"/_sim/meetings/{meeting_id}/run", json=body)
    assert response.status_code == 201, response.text
    result: dict[str, Any] = response.json()
    return result


def set_knobs(control: httpx.Client, **knobs: Any) -> None:
    assert control.patch("/_sim/knobs", json=knobs).status_code == 200


def advance(control: httpx.Client, seconds: float) -> None:
    assert control.post("/_sim/clock/advance", json={"seconds": seconds}).status_code == 200


def events(control: httpx.Client, event: str) -> list[dict[str, Any]]:
    """The webhook envelopes queued for `event`, oldest first."""
    response = control.get("/_sim/deliveries", params={"event": event})
    assert response.status_code == 200
    return [delivery["payload"] for delivery in response.json()["deliveries"]]


def wait_for_event(control: httpx.Client, event: str, timeout: float = 5.0) -> dict[str, Any]:
    found = eventually(
        lambda: events(control, event), timeout=timeout, explain=lambda: f"no {event} webhook"
    )
    return found[-1]
