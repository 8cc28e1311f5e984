"""Webhooks out: Zoom's envelope and signature, retries on the simulator's clock, URL validation,
app_deauthorized. A real receiver on loopback gets every request; the signature is checked with an
implementation of Zoom's published algorithm written here, not zoomsim's."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.support.waiting import eventually
from tests.support.webhook_receiver import WebhookReceiver, point_app_at
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_runs import advance

SECRET = "receiver-secret-token"
MEETING_OBJECT = {
    "id": "81000000123",
    "uuid": "4444AAAiAAAAAiAiAiiAii==",
    "host_id": "acme-host",
    "topic": "Café chemistry",
    "type": 2,
    "start_time": "2026-03-02T15:00:00Z",
    "timezone": "Europe/Berlin",
    "duration": 60,
}


@pytest.fixture
def receiver(zoomsim: LiveZoomsim) -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as running:
        point_app_at(zoomsim.state, running)
        zoomsim.token("acme-admin")  # Campus installed on acct-acme
        yield running


def zoom_signature_is_valid(secret: str, request_headers: dict[str, str], raw: bytes) -> bool:
    """Zoom's published check: HMAC-SHA256 over b"v0:" + timestamp + b":" + the raw body."""
    timestamp = request_headers["x-zm-request-timestamp"].encode()
    digest = hmac.new(secret.encode(), b"v0:" + timestamp + b":" + raw, hashlib.sha256)
    expected = "v0=" + digest.hexdigest()
    return hmac.compare_digest(expected, request_headers["x-zm-signature"])


def deliveries(control: httpx.Client, **filters: str) -> list[dict[str, Any]]:
    response = control.get("/_sim/deliveries", params=filters)
    assert response.status_code == 200
    found: list[dict[str, Any]] = response.json()["deliveries"]
    return found


def wait_for_attempts(control: httpx.Client, count: int, timeout: float = 5.0) -> dict[str, Any]:
    def first_delivery_with_enough_attempts() -> dict[str, Any] | None:
        found = deliveries(control)
        return found[0] if found and len(found[0]["attempts"]) >= count else None

    delivery: dict[str, Any] = eventually(
        first_delivery_with_enough_attempts,
        timeout=timeout,
        explain=lambda: f"delivery never reached {count} attempts: {deliveries(control)}",
    )
    return delivery


def test_event_is_delivered_in_zoom_envelope_signed_over_the_raw_compact_body(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    clock = control.post("/_sim/clock/freeze").json()
    zoomsim.sim.emit("acct-acme", "meeting.started", MEETING_OBJECT)

    [request] = receiver.wait_for(1)
    assert zoom_signature_is_valid(SECRET, request.headers, request.body)
    assert request.headers["x-zm-request-timestamp"] == str(int(clock["now"]))
    assert request.headers["user-agent"] == "Zoom Marketplace/1.0a"
    assert request.headers["content-type"] == "application/json; charset=utf-8"
    assert request.headers["x-zm-request-id"]
    event = request.json()
    assert event == {
        "event": "meeting.started",
        "event_ts": int(clock["now"] * 1000),
        "payload": {"account_id": "acct-acme", "object": MEETING_OBJECT},
    }
    # Compact, as JSON.stringify writes it: Zoom's own samples re-serialize the parsed body and
    # still verify, which works only because the bytes sent are exactly this.
    assert request.body == json.dumps(event, separators=(",", ":"), ensure_ascii=False).encode()

    delivery = wait_for_attempts(control, 1)
    assert delivery["state"] == "delivered"
    assert delivery["body"].encode() == request.body
    assert delivery["attempts"][0]["status"] == 200


def test_top_level_extras_sit_next_to_payload(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver
) -> None:
    recording = {"id": 81000000123, "uuid": "abc==", "recording_files": []}
    zoomsim.sim.emit("acct-acme", "recording.completed", recording, download_token="dl-token")

    [request] = receiver.wait_for(1)
    event = request.json()
    assert event["download_token"] == "dl-token"
    assert event["payload"] == {"account_id": "acct-acme", "object": recording}
    assert zoom_signature_is_valid(SECRET, request.headers, request.body)


def test_only_apps_installed_on_the_account_hear_its_events(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    zoomsim.sim.emit("acct-globex", "meeting.started", MEETING_OBJECT)  # Campus not installed
    assert control.post("/_sim/tick").status_code == 200
    time.sleep(0.3)
    assert receiver.received() == []
    assert deliveries(control) == []


def test_webhooks_knob_off_sends_nothing(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    assert control.patch("/_sim/knobs", json={"webhooks": False}).status_code == 200
    zoomsim.sim.emit("acct-acme", "meeting.started", MEETING_OBJECT)
    control.post("/_sim/tick")
    time.sleep(0.3)
    assert receiver.received() == []
    assert deliveries(control) == []


def test_5xx_is_retried_at_5_20_60_minutes_of_the_sim_clock_then_dropped(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    receiver.status = 500
    control.post("/_sim/clock/freeze")
    zoomsim.sim.emit("acct-acme", "meeting.ended", MEETING_OBJECT)
    first = wait_for_attempts(control, 1)
    assert first["attempts"][0]["status"] == 500
    assert first["state"] == "pending"
    assert first["next_attempt_at"] == first["attempts"][0]["at"] + 5 * 60

    # Each retry is due exactly its delay after the previous attempt: not a second earlier.
    for attempts, delay in ((2, 5 * 60), (3, 20 * 60), (4, 60 * 60)):
        advance(control, delay - 1)
        control.post("/_sim/tick")
        assert len(receiver.received()) == attempts - 1  # not due yet
        advance(control, 1)
        delivery = wait_for_attempts(control, attempts)  # the loop picks it up by itself
    assert delivery["state"] == "failed"
    assert delivery["next_attempt_at"] is None
    times = [attempt["at"] for attempt in delivery["attempts"]]
    assert [b - a for a, b in itertools.pairwise(times)] == [300, 1200, 3600]

    advance(control, 24 * 3600)
    control.post("/_sim/tick")
    assert len(receiver.received()) == 4  # dropped: never sent again
    bodies = {request.body for request in receiver.received()}
    assert len(bodies) == 1  # every retry sends the same bytes
    assert all(zoom_signature_is_valid(SECRET, r.headers, r.body) for r in receiver.received())


def test_4xx_is_not_retried(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    receiver.status = 400
    zoomsim.sim.emit("acct-acme", "meeting.ended", MEETING_OBJECT)
    delivery = wait_for_attempts(control, 1)
    assert delivery["state"] == "failed"
    advance(control, 2 * 3600)
    control.post("/_sim/tick")
    assert len(receiver.received()) == 1


def test_a_slow_receiver_times_out_and_is_retried(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    control.patch("/_sim/knobs", json={"webhook_timeout": 0.3})
    receiver.delay = 1.0
    zoomsim.sim.emit("acct-acme", "meeting.ended", MEETING_OBJECT)
    delivery = wait_for_attempts(control, 1)
    attempt = delivery["attempts"][0]
    assert attempt["error"] == "timeout"
    assert "status" not in attempt
    assert 250 <= attempt["duration_ms"] < 1000
    assert delivery["state"] == "pending"

    receiver.delay = 0
    advance(control, 5 * 60)
    delivery = wait_for_attempts(control, 2)
    assert delivery["state"] == "delivered"


def test_an_unreachable_receiver_counts_as_a_failed_attempt(
    zoomsim: LiveZoomsim, control: httpx.Client
) -> None:
    zoomsim.token("acme-admin")
    with WebhookReceiver(SECRET) as gone:
        point_app_at(zoomsim.state, gone)
    zoomsim.sim.emit("acct-acme", "meeting.ended", MEETING_OBJECT)
    delivery = wait_for_attempts(control, 1)
    assert delivery["attempts"][0]["error"].startswith("ConnectError")
    assert delivery["state"] == "pending"


def test_a_malformed_webhook_url_from_a_seed_is_a_failed_attempt_not_a_crash(
    zoomsim: LiveZoomsim, control: httpx.Client
) -> None:
    zoomsim.token("acme-admin")
    # The control API refuses such a URL; a seed file is not checked as closely.
    zoomsim.state.apps["campus-client-id"].webhook_url = "http://[::1/zoom/webhooks/"
    zoomsim.sim.emit("acct-acme", "meeting.ended", MEETING_OBJECT)
    delivery = wait_for_attempts(control, 1)
    assert delivery["attempts"][0]["error"].startswith("InvalidURL")
    assert (delivery["state"], len(delivery["attempts"])) == ("pending", 1)  # retried later
    validation = control.post("/_sim/apps/campus-client-id/validate-endpoint")
    assert validation.status_code == 200
    assert (validation.json()["valid"], validation.json()["error"]) == (False, "InvalidURL")


@pytest.mark.parametrize(("knob", "expected"), [("", None), ("true", "true"), ("false", "false")])
def test_app_deauthorized_payload_and_user_data_retention_knob(
    receiver: WebhookReceiver, control: httpx.Client, knob: str, expected: str | None
) -> None:
    control.patch("/_sim/knobs", json={"user_data_retention": knob})
    clock = control.post("/_sim/clock/freeze").json()
    response = control.post("/_sim/apps/campus-client-id/accounts/acct-acme/uninstall")
    assert response.status_code == 200

    [request] = receiver.wait_for(1)
    assert zoom_signature_is_valid(SECRET, request.headers, request.body)
    event = request.json()
    assert event["event"] == "app_deauthorized"
    assert event["event_ts"] == int(clock["now"] * 1000)
    payload = event["payload"]
    assert payload["account_id"] == "acct-acme"
    assert payload["user_id"] == "acme-admin"
    assert payload["client_id"] == "campus-client-id"
    assert len(payload["signature"]) == 64
    assert payload["deauthorization_time"].startswith(clock["iso"][:19])
    assert payload["deauthorization_time"].endswith("Z")
    assert payload.get("user_data_retention") == expected
    assert ("user_data_retention" in payload) == bool(knob)


def test_url_validation_round_trip(receiver: WebhookReceiver, control: httpx.Client) -> None:
    response = control.post("/_sim/apps/campus-client-id/validate-endpoint")
    assert response.status_code == 200
    assert response.json() == {
        "valid": True,
        "status": 200,
        "error": "",
        "consecutive_failures": 0,
        "subscription_disabled": False,
    }
    [request] = receiver.received()
    challenge = request.json()
    assert challenge["event"] == "endpoint.url_validation"
    assert set(challenge) == {"payload", "event_ts", "event"}
    assert challenge["payload"]["plainToken"]
    assert zoom_signature_is_valid(SECRET, request.headers, request.body)


def test_six_failed_validations_disable_the_subscription_until_one_succeeds(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    receiver.answer_validation = False
    receiver.status = 200  # 200 without the tokens is still a failure
    url = "/_sim/apps/campus-client-id/validate-endpoint"
    results = [control.post(url).json() for _ in range(6)]
    assert [r["consecutive_failures"] for r in results] == [1, 2, 3, 4, 5, 6]
    assert [r["subscription_disabled"] for r in results] == [False] * 5 + [True]
    assert results[0]["error"] == "response is not JSON"

    zoomsim.sim.emit("acct-acme", "meeting.started", MEETING_OBJECT)
    assert deliveries(control) == []  # a disabled subscription gets no events

    receiver.answer_validation = True
    assert control.post(url).json()["subscription_disabled"] is False
    zoomsim.sim.emit("acct-acme", "meeting.started", MEETING_OBJECT)
    assert len(deliveries(control, event="meeting.started")) == 1


def test_url_validation_with_the_wrong_secret_fails(
    zoomsim: LiveZoomsim, receiver: WebhookReceiver, control: httpx.Client
) -> None:
    zoomsim.state.apps["campus-client-id"].webhook_secret = "a-different-secret"
    result = control.post("/_sim/apps/campus-client-id/validate-endpoint").json()
    assert result["valid"] is False
    assert result["error"] == "encryptedToken does not match"


def test_url_validation_of_unknown_app_or_app_without_url(
    zoomsim: LiveZoomsim, control: httpx.Client
) -> None:
    response = control.post("/_sim/apps/nope/validate-endpoint")
    assert response.status_code == 404
    assert response.json()["code"] == 404
    response = control.post("/_sim/apps/acme-s2s-client-id/validate-endpoint")
    assert response.status_code == 400
    assert response.json() == {"code": 400, "message": "The app has no webhook URL."}


def test_meeting_changes_through_the_api_are_delivered(
    receiver: WebhookReceiver, api: httpx.Client
) -> None:
    created = api.post("/v2/users/me/meetings", json={"topic": "Office hours", "type": 2})
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    assert api.patch(f"/v2/meetings/{meeting_id}", json={"topic": "Moved"}).status_code == 204
    assert api.delete(f"/v2/meetings/{meeting_id}").status_code == 204

    requests = receiver.wait_for(2)
    events = {request.json()["event"]: request.json() for request in requests}
    assert set(events) == {"meeting.updated", "meeting.deleted"}
    for event in events.values():
        assert event["payload"]["account_id"] == "acct-acme"
        assert str(event["payload"]["object"]["id"]) == str(meeting_id)
    assert all(zoom_signature_is_valid(SECRET, r.headers, r.body) for r in requests)
