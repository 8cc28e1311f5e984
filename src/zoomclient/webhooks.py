"""Verifying Zoom's webhook requests and answering its URL-validation challenge (reference §5).

Zoom signs `v0:{x-zm-request-timestamp}:{raw body}` with HMAC-SHA256 under the app's secret token
and sends `v0=<hex>` in `x-zm-signature`. The signature is checked over the RAW bytes received:
re-serializing parsed JSON (as Zoom's own sample does) only works while Zoom happens to send
compact JSON. Checks run in a fixed order: headers present, signature, then timestamp age.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from zoomclient.errors import ZoomWebhookInvalid

SIGNATURE_HEADER = "x-zm-signature"
TIMESTAMP_HEADER = "x-zm-request-timestamp"
DEFAULT_MAX_AGE_SECONDS = 300


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
    if not (timestamp.isascii() and timestamp.isdigit()):
        raise ZoomWebhookInvalid("bad_timestamp")
    if not secret:
        # An empty secret would make every signature computable; treat as misconfiguration.
        raise ValueError("the webhook secret token is empty")
    expected = signature(raw_body, timestamp, secret)
    if not hmac.compare_digest(expected.encode(), signature_header.strip().encode()):
        raise ZoomWebhookInvalid("bad_signature")
    if abs(now.timestamp() - int(timestamp)) > max_age:
        raise ZoomWebhookInvalid("stale_timestamp")


def url_validation_response(plain_token: str, secret: str) -> dict[str, str]:
    """The answer to `endpoint.url_validation`: `{plainToken, encryptedToken}` where
    encryptedToken = hex(HMAC-SHA256(secret, plainToken)). Zoom wants it within 3 seconds."""
    encrypted = hmac.new(secret.encode(), plain_token.encode(), hashlib.sha256).hexdigest()
    return {"plainToken": plain_token, "encryptedToken": encrypted}
