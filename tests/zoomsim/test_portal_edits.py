"""A host editing or deleting their meeting in Zoom's web portal (zoomsim's control API): the
change is made and Zoom's meeting.updated / meeting.deleted go out with the host as operator."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.webhook_receiver import WebhookReceiver, point_app_at
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_calls import create_meeting, get_meeting


@pytest.fixture
def inbox(zoomsim: LiveZoomsim) -> Iterator[WebhookReceiver]:
    with WebhookReceiver("campus-webhook-secret") as receiver:
        point_app_at(zoomsim.state, receiver)
        yield receiver


def _host_writes(control: httpx.Client) -> int:
    counters = control.get("/_sim/ratelimits").json()["counters"]
    return sum(int(v) for k, v in counters.items() if k.startswith("host:acme-host:"))


def test_an_edit_in_the_portal_changes_the_meeting_and_tells_the_app(
    api: httpx.Client, control: httpx.Client, inbox: WebhookReceiver
) -> None:
    meeting = create_meeting(api)
    writes = _host_writes(control)

    edited = control.patch(
        f"/_sim/meetings/{meeting['id']}",
        json={"start_time": "2027-03-02T10:00:00Z", "timezone": "Europe/Berlin", "duration": 30},
    )

    assert edited.status_code == 200, edited.text
    fetched = get_meeting(api, meeting["id"]).json()
    assert (fetched["start_time"], fetched["timezone"], fetched["duration"]) == (
        "2027-03-02T10:00:00Z",
        "Europe/Berlin",
        30,
    )
    payload = inbox.wait_for(1)[0].json()["payload"]
    assert (payload["operator"], payload["operator_id"]) == ("host@acme.test", "acme-host")
    assert payload["object"] == {
        "id": meeting["id"],
        "uuid": meeting["uuid"],
        "start_time": "2027-03-02T10:00:00Z",
        "timezone": "Europe/Berlin",
        "duration": 30,
    }
    assert payload["old_object"]["duration"] == 45
    assert "time_stamp" in payload
    assert _host_writes(control) == writes  # the portal is no API call


def test_a_delete_in_the_portal_removes_the_meeting_and_tells_the_app(
    api: httpx.Client, control: httpx.Client, inbox: WebhookReceiver
) -> None:
    meeting = create_meeting(api)

    deleted = control.delete(f"/_sim/meetings/{meeting['id']}")

    assert deleted.status_code == 204
    assert get_meeting(api, meeting["id"]).json()["code"] == 3001
    event = inbox.wait_for(1)[0].json()
    assert event["event"] == "meeting.deleted"
    assert event["payload"]["operator"] == "host@acme.test"
    assert event["payload"]["operation"] == "all"
    assert event["payload"]["object"]["id"] == meeting["id"]
    assert control.delete(f"/_sim/meetings/{meeting['id']}").status_code == 404


def test_bad_portal_edits_change_nothing(
    zoomsim: LiveZoomsim, api: httpx.Client, control: httpx.Client
) -> None:
    meeting = create_meeting(api)

    assert control.patch("/_sim/meetings/123", json={"duration": 30}).status_code == 404
    bad = control.patch(f"/_sim/meetings/{meeting['id']}", json={"timezone": "Mars/Olympus"})
    assert (bad.status_code, bad.json()["code"]) == (400, 300)
    zoomsim.state.meetings[str(meeting["id"])].status = "started"  # set the scene
    started = control.patch(f"/_sim/meetings/{meeting['id']}", json={"duration": 30})
    assert (started.status_code, started.json()["code"]) == (400, 3000)
    assert get_meeting(api, meeting["id"]).json()["duration"] == 45
