from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.webhook_receiver import WebhookReceiver, point_app_at
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.meeting_runs import meeting_with_registrants, run_meeting
from zoomclient import ZoomClient, ZoomWebhookInvalid
from zoomclient.webhooks import event_envelope, url_validation_response, verify

SECRET = "campus-webhook-secret-for-tests"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
BODY = b'{"event":"meeting.ended","event_ts":1772366400000,"payload":{"account_id":"acct-acme"}}'


def zoom_signature(body: bytes, timestamp: str, secret: str = SECRET) -> str:
    """Zoom's algorithm, written out: v0= hex HMAC-SHA256 over "v0:{timestamp}:{body}"."""
    message = f"v0:{timestamp}:".encode() + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def timestamp_of(moment: datetime) -> str:
    return str(int(moment.timestamp()))


def test_a_correctly_signed_fresh_request_passes() -> None:
    ts = timestamp_of(NOW - timedelta(seconds=10))
    verify(BODY, ts, zoom_signature(BODY, ts), SECRET, NOW)


@pytest.mark.parametrize(
    ("body", "signed_with", "reason"),
    [
        (BODY + b" ", SECRET, "bad_signature"),  # the bytes changed after signing
        (BODY, "another-secret", "bad_signature"),
    ],
)
def test_a_tampered_body_or_wrong_secret_is_a_bad_signature(
    body: bytes, signed_with: str, reason: str
) -> None:
    ts = timestamp_of(NOW)
    with pytest.raises(ZoomWebhookInvalid) as raised:
        verify(body, ts, zoom_signature(BODY, ts, signed_with), SECRET, NOW)
    assert raised.value.reason == reason


def test_the_signature_covers_the_raw_bytes_not_reserialized_json() -> None:
    spaced = json.dumps(json.loads(BODY), indent=2).encode()
    ts = timestamp_of(NOW)
    verify(spaced, ts, zoom_signature(spaced, ts), SECRET, NOW)
    with pytest.raises(ZoomWebhookInvalid):
        verify(BODY, ts, zoom_signature(spaced, ts), SECRET, NOW)


@pytest.mark.parametrize("age", [timedelta(seconds=301), timedelta(seconds=-301)])
def test_stale_or_future_timestamps_are_refused(age: timedelta) -> None:
    ts = timestamp_of(NOW - age)
    with pytest.raises(ZoomWebhookInvalid) as raised:
        verify(BODY, ts, zoom_signature(BODY, ts), SECRET, NOW)
    assert raised.value.reason == "stale_timestamp"


def test_missing_or_malformed_headers_are_refused() -> None:
    ts = timestamp_of(NOW)
    for timestamp, signature in [(None, zoom_signature(BODY, ts)), (ts, None), ("", "")]:
        with pytest.raises(ZoomWebhookInvalid) as raised:
            verify(BODY, timestamp, signature, SECRET, NOW)
        assert raised.value.reason == "missing_headers"
    with pytest.raises(ZoomWebhookInvalid) as raised:
        verify(BODY, "soon", zoom_signature(BODY, "soon"), SECRET, NOW)
    assert raised.value.reason == "bad_timestamp"


@pytest.mark.parametrize("digits", [13, 400, 5000])
def test_a_signed_timestamp_longer_than_unix_seconds_is_a_bad_timestamp(digits: int) -> None:
    ts = "1" * digits
    with pytest.raises(ZoomWebhookInvalid) as raised:
        verify(BODY, ts, zoom_signature(BODY, ts), SECRET, NOW)
    assert raised.value.reason == "bad_timestamp"


def test_a_twelve_digit_timestamp_is_read_as_a_time_and_found_stale() -> None:
    ts = "9" * 12
    with pytest.raises(ZoomWebhookInvalid) as raised:
        verify(BODY, ts, zoom_signature(BODY, ts), SECRET, NOW)
    assert raised.value.reason == "stale_timestamp"


def test_the_envelope_of_a_zoom_body_is_its_json_object() -> None:
    assert event_envelope(BODY)["payload"] == {"account_id": "acct-acme"}


@pytest.mark.parametrize(
    "body",
    [
        b"[" * 1000 + b"]" * 1000,
        b'{"event":"x","p":' + b"[" * 33 + b"]" * 33 + b"}",
        b'{"event":"x","n":' + b"1" * 5000 + b"}",
        b'{"event":"x","n":Infinity}',
        b"[1]",
        b'{"event":1}',
        b"\xff",
    ],
    ids=["1000-deep", "33-deep", "5000-digits", "Infinity", "array", "no-event-name", "not-utf8"],
)
def test_anything_but_a_plain_zoom_envelope_is_malformed_json(body: bytes) -> None:
    with pytest.raises(ZoomWebhookInvalid) as raised:
        event_envelope(body)
    assert raised.value.reason == "malformed_json"


def test_an_envelope_nested_32_deep_is_read() -> None:
    body = b'{"event":"x","p":' + b"[" * 31 + b"]" * 31 + b"}"
    assert event_envelope(body)["event"] == "x"


def test_url_validation_answer() -> None:
    answer = url_validation_response("qgg8vlvZRS6UYooatFL8Aw", SECRET)
    expected = hmac.new(SECRET.encode(), b"qgg8vlvZRS6UYooatFL8Aw", hashlib.sha256).hexdigest()
    assert answer == {"plainToken": "qgg8vlvZRS6UYooatFL8Aw", "encryptedToken": expected}


def test_deliveries_from_zoomsim_verify(zoomsim: LiveZoomsim, client: ZoomClient) -> None:
    with WebhookReceiver(SECRET) as receiver:
        point_app_at(zoomsim.state, receiver)
        meeting_id, registrant_ids = meeting_with_registrants(client, 1)
        run_meeting(zoomsim, meeting_id, [{"registrant_id": registrant_ids[0]}], 5)
        delivered = receiver.wait_for(1)
    now = datetime.now(UTC)
    for request in delivered:
        verify(
            request.body,
            request.headers.get("x-zm-request-timestamp"),
            request.headers.get("x-zm-signature"),
            SECRET,
            now,
        )
    first = delivered[0]
    with pytest.raises(ZoomWebhookInvalid):
        verify(
            first.body,
            first.headers.get("x-zm-request-timestamp"),
            first.headers.get("x-zm-signature"),
            "campus-webhook-secret",  # the seed's secret, not the one in use
            now,
        )
