"""Moving a meeting to another host over HTTP (`PATCH /meetings/{id}` with `schedule_for`), with
Zoom's restrictions; and the shapes of meeting.updated / meeting.deleted payloads."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.webhook_receiver import WebhookReceiver, point_app_at
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_calls import (
    add_registrant,
    create_meeting,
    get_meeting,
    list_registrants,
    registration_meeting,
)
from tests.zoomsim.openapi_check import assert_matches_spec


@pytest.fixture
def inbox(zoomsim: LiveZoomsim) -> Iterator[WebhookReceiver]:
    with WebhookReceiver("campus-webhook-secret") as receiver:
        point_app_at(zoomsim.state, receiver)
        yield receiver


def _patch(api: httpx.Client, meeting_id: int, body: dict[str, Any]) -> httpx.Response:
    response = api.patch(f"/v2/meetings/{meeting_id}", json=body)
    assert_matches_spec(response, "PATCH", "/meetings/{meetingId}")
    return response


def _privilege(zoomsim: LiveZoomsim, *, given_by: str, to: str) -> None:
    # Set the scene as the new host would in Zoom's web portal (Settings → Schedule Privilege).
    zoomsim.state.users[given_by].schedulers.append(to)


def test_a_meeting_moves_to_a_host_who_gave_the_current_host_scheduling_privilege(
    zoomsim: LiveZoomsim, api: httpx.Client, inbox: WebhookReceiver
) -> None:
    meeting_id = registration_meeting(api)
    registrant = add_registrant(api, meeting_id).json()
    before = get_meeting(api, meeting_id).json()
    _privilege(zoomsim, given_by="acme-cohost", to="acme-host")

    moved = _patch(api, meeting_id, {"schedule_for": "cohost@acme.test"})

    assert moved.status_code == 204, moved.text
    after = get_meeting(api, meeting_id).json()
    assert (after["host_id"], after["host_email"]) == ("acme-cohost", "cohost@acme.test")
    # Same meeting: id, passcode and join link kept, the registrant's personal link too.
    assert (after["id"], after["password"], after["join_url"]) == (
        before["id"],
        before["password"],
        before["join_url"],
    )
    listed = list_registrants(api, meeting_id).json()["registrants"]
    assert [(r["id"], r["join_url"]) for r in listed] == [
        (registrant["registrant_id"], registrant["join_url"])
    ]
    event = inbox.wait_for(1)[0].json()
    assert event["event"] == "meeting.updated"
    assert event["payload"]["object"]["host_id"] == "acme-cohost"
    assert event["payload"]["old_object"]["host_id"] == "acme-host"
    # The new host's meetings list it; the old host's no longer does.
    assert [m["id"] for m in api.get("/v2/users/acme-cohost/meetings").json()["meetings"]] == [
        meeting_id
    ]
    assert api.get("/v2/users/acme-host/meetings").json()["meetings"] == []


@pytest.mark.parametrize(
    ("target", "code", "message"),
    [
        # The cohost gave no scheduling privilege to the current host.
        ("cohost@acme.test", 3000, "You cannot schedule a meeting for cohost@acme.test"),
        ("acme-basic", 3000, "You cannot schedule a meeting for acme-basic"),
        ("pending@acme.test", 3000, "You cannot schedule a meeting for pending@acme.test"),
        ("host@globex.test", 3000, "You cannot schedule a meeting for host@globex.test"),
        (
            "nobody@acme.test",
            300,
            "The value that you entered in the `schedule_for` field is invalid. Enter a valid "
            "value and try again.",
        ),
    ],
)
def test_a_move_zoom_does_not_allow_is_refused_and_changes_nothing(
    zoomsim: LiveZoomsim, api: httpx.Client, target: str, code: int, message: str
) -> None:
    for user_id in ("acme-basic", "acme-pending", "globex-host"):
        _privilege(zoomsim, given_by=user_id, to="acme-host")  # privilege alone is not enough
    meeting = create_meeting(api, topic="Stays put")

    refused = _patch(api, meeting["id"], {"schedule_for": target, "topic": "Moved"})

    assert refused.status_code == 400
    assert refused.json() == {"code": code, "message": message}
    after = get_meeting(api, meeting["id"]).json()
    assert (after["host_id"], after["topic"]) == ("acme-host", "Stays put")


def test_a_basic_current_host_cannot_hand_a_meeting_over(
    zoomsim: LiveZoomsim, api: httpx.Client
) -> None:
    meeting = create_meeting(api, host="acme-basic", duration=30)
    _privilege(zoomsim, given_by="acme-cohost", to="acme-basic")

    refused = _patch(api, meeting["id"], {"schedule_for": "acme-cohost"})

    assert refused.json()["code"] == 3000
    assert get_meeting(api, meeting["id"]).json()["host_id"] == "acme-basic"


def test_an_instant_meeting_is_never_scheduled_for_someone_else(
    zoomsim: LiveZoomsim, api: httpx.Client
) -> None:
    meeting = create_meeting(api, type=1)
    _privilege(zoomsim, given_by="acme-cohost", to="acme-host")

    refused = _patch(api, meeting["id"], {"schedule_for": "acme-cohost"})

    assert refused.json() == {
        "code": 3000,
        "message": "Instant meetings do not support the `schedule_for` parameter, and you can't "
        "schedule an instant meeting for another user.",
    }


def test_schedule_for_the_current_host_changes_nothing(
    zoomsim: LiveZoomsim, api: httpx.Client, inbox: WebhookReceiver
) -> None:
    meeting = create_meeting(api)

    same = _patch(api, meeting["id"], {"schedule_for": "host@acme.test"})

    assert same.status_code == 204
    assert get_meeting(api, meeting["id"]).json()["host_id"] == "acme-host"
    assert "schedule_for" not in get_meeting(api, meeting["id"]).json()
    queued = httpx.get(f"{zoomsim.base_url}/_sim/deliveries", params={"event": "meeting.updated"})
    assert queued.json()["deliveries"] == []


def test_meeting_updated_and_deleted_payloads_have_the_specs_shapes(
    api: httpx.Client, inbox: WebhookReceiver
) -> None:
    meeting = create_meeting(api)
    _patch(api, meeting["id"], {"duration": 90})
    api.delete(f"/v2/meetings/{meeting['id']}")

    # Each delivery is its own attempt: they may arrive in either order.
    deleted, updated = sorted((d.json() for d in inbox.wait_for(2)), key=lambda e: e["event"])

    assert updated["event"] == "meeting.updated"
    assert set(updated["payload"]) == {
        "account_id",
        "operator",
        "operator_id",
        "object",
        "old_object",
        "time_stamp",
    }
    assert updated["payload"]["object"] == {
        "id": meeting["id"],
        "uuid": meeting["uuid"],
        "duration": 90,
    }
    assert updated["payload"]["old_object"]["duration"] == 45
    assert deleted["event"] == "meeting.deleted"
    assert set(deleted["payload"]) == {
        "account_id",
        "operator",
        "operator_id",
        "operation",
        "object",
    }
    assert deleted["payload"]["operation"] == "all"
    assert deleted["payload"]["object"]["id"] == meeting["id"]
    assert deleted["payload"]["object"]["uuid"] == meeting["uuid"]
    assert deleted["payload"]["object"]["host_id"] == "acme-host"
