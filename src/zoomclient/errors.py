"""The one error tree of zoomclient, and the only place its errors are built from a response.

    ZoomError
    ├── ZoomTransportError          timeout, refused or dropped connection (from the httpx error)
    │   └── ZoomDownloadInterrupted a recording download broke off: resume from its byte count
    ├── ZoomAPIError                api.zoom.us answered an error: status, code, message, body
    │   ├── ZoomUnauthorized        401 / 124: the access token is missing, expired or revoked
    │   ├── ZoomNotFound            404: 3001 meeting, 1001 user, 3301 no recording, ...
    │   ├── ZoomRateLimited         429: retry_at and limit_type tell the caller when to come back
    │   ├── ZoomScopeMissing        4711: the app lacks a scope; missing_scopes names them
    │   ├── ZoomValidationError     300: field_errors
    │   └── ZoomServerError         5xx: Zoom's fault; worth retrying later
    ├── ZoomOAuthError              zoom.us/oauth refused: error, reason
    │   └── ZoomInvalidGrant        invalid_grant: the refresh token is dead, re-authenticate
    └── ZoomWebhookInvalid          a webhook failed verification (zoomclient.webhooks)

Messages carry Zoom's message and code only: Zoom's messages name ids and emails of the request
(e.g. "User does not exist: x@y"), never tokens, so they are safe to log at the caller's discretion;
response bodies are kept on the error for debugging and never put into `str(error)`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal

import httpx

from zoomclient.ratelimits import RateLimitInfo, rate_limit_info

RateLimitType = Literal["QPS", "Daily-limit", "per-user"]

# Zoom's error codes the tree distinguishes (reference §3).
CODE_INVALID_TOKEN = 124
CODE_VALIDATION = 300
CODE_USER_NOT_FOUND = 1001
CODE_MEETING_NOT_FOUND = 3001
CODE_NO_RECORDING = 3301
CODE_SCOPE_MISSING = 4711


class ZoomError(Exception):
    """Root of everything zoomclient raises about Zoom."""


class ZoomTransportError(ZoomError):
    """No usable HTTP answer: timeout, connection refused or dropped. Always raised `from` the
    httpx exception. Safe to retry later."""


class ZoomDownloadInterrupted(ZoomTransportError):
    """A file download broke off after `bytes_written` bytes: resume from `offset +
    bytes_written` with a Range request."""

    def __init__(self, message: str, *, offset: int, bytes_written: int) -> None:
        super().__init__(message)
        self.offset = offset
        self.bytes_written = bytes_written


class ZoomAPIError(ZoomError):
    """api.zoom.us answered with an error status."""

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        body: Any = None,
        rate_limit: RateLimitInfo | None = None,
    ) -> None:
        super().__init__(f"Zoom API error {status}/{code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.body = body
        self.rate_limit = rate_limit or RateLimitInfo()


class ZoomUnauthorized(ZoomAPIError):
    """401 / 124: "Invalid access token.", "Access token is expired." or "Requires an access
    token." The client has already refreshed once and retried when this reaches the caller."""


class ZoomNotFound(ZoomAPIError):
    """404. `code` tells what is missing: 3001 meeting (also a report that is not ready yet,
    reference §7.8, so do not read it as "deleted" after a meeting), 1001 user, 3301 recording."""


class ZoomRateLimited(ZoomAPIError):
    """429. The client never sleeps on it: reschedule the work for `retry_at`."""

    def __init__(
        self,
        status: int,
        code: int | None,
        message: str,
        body: Any,
        rate_limit: RateLimitInfo,
        *,
        retry_at: datetime,
        limit_type: RateLimitType,
    ) -> None:
        super().__init__(status, code, message, body, rate_limit)
        self.retry_at = retry_at
        self.limit_type = limit_type


class ZoomScopeMissing(ZoomAPIError):
    """400 / 4711: the token lacks a scope the endpoint needs (the app's configuration, or an
    installation authorized before the scope was added: re-authorization fixes it)."""

    def __init__(self, *args: Any, missing_scopes: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.missing_scopes = missing_scopes


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class ZoomValidationError(ZoomAPIError):
    """Code 300: "Validation Failed." with the offending fields, or a malformed request."""

    def __init__(
        self, *args: Any, field_errors: tuple[FieldError, ...] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.field_errors = field_errors


class ZoomServerError(ZoomAPIError):
    """5xx: Zoom failed; nothing is known about whether a write happened."""


class ZoomOAuthError(ZoomError):
    """zoom.us/oauth refused a token, refresh or revoke request: `{"reason", "error"}`."""

    def __init__(self, status: int, error: str, reason: str, body: Any = None) -> None:
        super().__init__(f"Zoom OAuth error {status} {error}: {reason}")
        self.status = status
        self.error = error
        self.reason = reason
        self.body = body


class ZoomInvalidGrant(ZoomOAuthError):
    """invalid_grant: the refresh token (or code) is used, revoked or expired. Zoom rotates
    refresh tokens, so this is final: the connection needs the person to authorize again."""


class ZoomWebhookInvalid(ZoomError):
    """A webhook request failed verification; `reason` says which check."""

    def __init__(
        self,
        reason: Literal[
            "missing_headers", "bad_timestamp", "bad_signature", "stale_timestamp", "malformed_json"
        ],
    ) -> None:
        super().__init__(f"Zoom webhook rejected: {reason}")
        self.reason = reason


# --- building errors from responses -------------------------------------------------------------


def _json_body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def api_error_from_response(response: httpx.Response, now: datetime) -> ZoomAPIError:
    """The ZoomAPIError subclass for an api.zoom.us error response. `now` is the caller's clock,
    used when a 429 names no time of its own."""
    body = _json_body(response)
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    raw_code = fields.get("code")
    code = raw_code if isinstance(raw_code, int) else None
    message = str(fields.get("message") or response.reason_phrase or "")
    status = response.status_code
    limits = rate_limit_info(response.headers)
    args = (status, code, message, body, limits)

    if status == 401 or code == CODE_INVALID_TOKEN:
        return ZoomUnauthorized(*args)
    if status == 429:
        limit_type = _limit_type(response.headers)
        return ZoomRateLimited(
            *args,
            retry_at=_retry_at(response.headers, limit_type, now),
            limit_type=limit_type,
        )
    if status == 404:
        return ZoomNotFound(*args)
    if code == CODE_SCOPE_MISSING:
        return ZoomScopeMissing(*args, missing_scopes=_missing_scopes(message))
    if code == CODE_VALIDATION:
        return ZoomValidationError(*args, field_errors=_field_errors(fields.get("errors")))
    if status >= 500:
        return ZoomServerError(*args)
    return ZoomAPIError(*args)


def unexpected_body_error(response: httpx.Response) -> ZoomAPIError:
    """A 2xx whose body is not the JSON object the endpoint documents."""
    return ZoomAPIError(response.status_code, None, "Zoom answered without a JSON object")


def oauth_error_from_response(response: httpx.Response) -> ZoomOAuthError:
    """zoom.us/oauth errors: `{"reason": "Invalid Token!", "error": "invalid_grant"}`."""
    body = _json_body(response)
    fields: Mapping[str, Any] = body if isinstance(body, Mapping) else {}
    error = str(fields.get("error") or f"http_{response.status_code}")
    reason = str(
        fields.get("reason") or fields.get("error_description") or response.reason_phrase or ""
    )
    if error == "invalid_grant":
        return ZoomInvalidGrant(response.status_code, error, reason, body)
    return ZoomOAuthError(response.status_code, error, reason, body)


def oauth_unexpected_body(response: httpx.Response) -> ZoomOAuthError:
    """A 2xx from the token endpoint without the token response Zoom documents."""
    return ZoomOAuthError(response.status_code, "invalid_response", "no access_token in the answer")


def transport_error(exc: httpx.TransportError) -> ZoomTransportError:
    """Name what went wrong (the exception type) without the URL, which may carry tokens."""
    return ZoomTransportError(f"Zoom unreachable: {type(exc).__name__}")


def download_interrupted(
    exc: httpx.TransportError, *, offset: int, bytes_written: int
) -> ZoomDownloadInterrupted:
    return ZoomDownloadInterrupted(
        f"Zoom download interrupted: {type(exc).__name__}",
        offset=offset,
        bytes_written=bytes_written,
    )


def _limit_type(headers: httpx.Headers) -> RateLimitType:
    declared = headers.get("X-RateLimit-Type", "")
    if declared.lower() == "qps":
        return "QPS"
    if declared.lower() == "daily-limit" or "Retry-After" in headers:
        return "Daily-limit"
    # Per-user limits (100 meeting creates+updates per host, 3 registrations per registrant)
    # come without X-RateLimit-Type (reference §4).
    return "per-user"


def _retry_at(headers: httpx.Headers, limit_type: RateLimitType, now: datetime) -> datetime:
    for parse, header in ((_parse_retry_after, "Retry-After"), (_parse_reset, "X-RateLimit-Reset")):
        try:
            parsed = parse(headers.get(header), now)
        except (ValueError, OverflowError):
            # A header no clock can hold (5,000 digits, 1e400, nan): fall back as if absent, so a
            # 429 is still a ZoomRateLimited and never a crash outside the error tree.
            parsed = None
        if parsed is not None:
            return parsed
    if limit_type == "QPS":
        return now + timedelta(seconds=1)
    # Zoom's daily and per-user counters reset at 00:00 UTC ("resume ... at GMT 00:00:00").
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight + timedelta(days=1)


def _parse_retry_after(value: str | None, now: datetime) -> datetime | None:
    """Zoom sends an ISO instant (`2020-05-31T00:00:00Z`); HTTP allows seconds or a date."""
    if not value:
        return None
    value = value.strip()
    if value.isascii() and value.isdigit():
        return now + timedelta(seconds=int(value))
    try:
        instant = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            instant = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)


# A reset above this is an epoch timestamp; below it, seconds from now.
_EPOCH_THRESHOLD = 1_000_000_000


def _parse_reset(value: str | None, now: datetime) -> datetime | None:
    if not value:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return _parse_retry_after(value, now)
    if number >= _EPOCH_THRESHOLD:
        return datetime.fromtimestamp(number, tz=UTC)
    return now + timedelta(seconds=number)


_SCOPES_IN_MESSAGE = re.compile(r"scopes:\s*\[([^\]]*)\]")


def _missing_scopes(message: str) -> tuple[str, ...]:
    """From "Invalid access token, does not contain scopes:[a, b]."."""
    match = _SCOPES_IN_MESSAGE.search(message)
    if not match:
        return ()
    return tuple(scope.strip() for scope in match.group(1).split(",") if scope.strip())


def _field_errors(raw: Any) -> tuple[FieldError, ...]:
    if not isinstance(raw, list):
        return ()
    return tuple(
        FieldError(field=str(item.get("field", "")), message=str(item.get("message", "")))
        for item in raw
        if isinstance(item, Mapping)
    )
