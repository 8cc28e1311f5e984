"""Verifying Zoom's webhook requests and answering its URL-validation challenge (reference §5).

Zoom signs `v0:{x-zm-request-timestamp}:{raw body}` with HMAC-SHA256 under the app's secret token
and sends `v0=<hex>` in `x-zm-signature`. The signature is checked over the RAW bytes received:
re-serializing parsed JSON (as Zoom's own sample does) only works while Zoom happens to send
compact JSON. Checks run in a fixed order: headers present, signature, then timestamp age.

`event_envelope` reads the verified body. Everything that is not plainly Zoom's JSON (too deep,
numbers Python cannot hold, NaN) is `malformed_json`, never an exception the caller did not expect.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import datetime
from typing import Any

from zoomclient.errors import ZoomWebhookInvalid

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
DEFAULT_MAX_AGE_SECONDS = 300
# Zoom sends Unix seconds (10 digits until the year 2286). A longer number is no time Zoom could
# send, and Python's int() refuses beyond 4,300 digits and float() beyond 308: refuse it as a
# format error before any arithmetic.
MAX_TIMESTAMP_DIGITS = 12
# Zoom's envelopes nest about five levels (payload.object.participant...). Python's decoder gives
# up with a RecursionError near 1,000 levels, minus however deep the caller's stack already is, so
# a body it parses in one place could fail in another: refuse anything deeper than this, counted
# before decoding.
MAX_JSON_DEPTH = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")


def signature(raw_body: bytes, timestamp: str, secret: str) -> str:
    message = b"v0:" + timestamp.encode("ascii") + b":" + raw_body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    raw_body: bytes,
    timestamp: str | None,
    signature_header: str | None,
    secret: str,
    now: datetime,
    max_age: int = DEFAULT_MAX_AGE_SECONDS,
) -> None:
    """Raise ZoomWebhookInvalid unless Zoom signed this body within `max_age` seconds of `now`.

    The age is checked both ways: a timestamp far in the future is as suspect as an old one."""
    if not timestamp or not signature_header:
        raise ZoomWebhookInvalid("missing_headers")
    timestamp = timestamp.strip()
    if not (timestamp.isascii() and timestamp.isdigit()) or len(timestamp) > MAX_TIMESTAMP_DIGITS:
        raise ZoomWebhookInvalid("bad_timestamp")
    if not secret:
        # An empty secret would make every signature computable; treat as misconfiguration.
        raise ValueError("the webhook secret token is empty")
    expected = signature(raw_body, timestamp, secret)
    if not hmac.compare_digest(expected.encode(), signature_header.strip().encode()):
        raise ZoomWebhookInvalid("bad_signature")
    # Whole seconds in integers: no float conversion to overflow.
    if abs(int(now.timestamp()) - int(timestamp)) > max_age:
        raise ZoomWebhookInvalid("stale_timestamp")


def event_envelope(raw_body: bytes) -> dict[str, Any]:
    """The verified body as Zoom's envelope: a UTF-8 JSON object with an `event` name. Raise
    ZoomWebhookInvalid("malformed_json") for anything else."""
    try:
        text = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        raise ZoomWebhookInvalid("malformed_json") from None
    if _nested_deeper_than(text, MAX_JSON_DEPTH):
        raise ZoomWebhookInvalid("malformed_json")
    try:
        envelope = json.loads(text, parse_constant=_not_json)
    except (ValueError, RecursionError):
        # ValueError covers broken JSON and integers beyond Python's 4,300-digit limit.
        raise ZoomWebhookInvalid("malformed_json") from None
    if not isinstance(envelope, dict) or not isinstance(envelope.get("event"), str):
        raise ZoomWebhookInvalid("malformed_json")
    return envelope


def _not_json(literal: str) -> Any:
    raise ValueError(f"not JSON: {literal}")  # NaN, Infinity: Python's extensions, not JSON


def _nested_deeper_than(text: str, limit: int) -> bool:
    """Whether arrays and objects in `text` nest deeper than `limit` (brackets inside strings do
    not count). A loop over the brackets alone, not recursion, so any depth is measured safely."""
    depth = 0
    for bracket in _BRACKET.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def url_validation_response(plain_token: str, secret: str) -> dict[str, str]:
    """The answer to `endpoint.url_validation`: `{plainToken, encryptedToken}` where
    encryptedToken = hex(HMAC-SHA256(secret, plainToken)). Zoom wants it within 3 seconds."""
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}
