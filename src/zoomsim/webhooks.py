"""Webhooks out: signed like Zoom, retried like Zoom, logged.

Every event an account's meetings produce becomes one `WebhookDelivery` per active installation
whose app has a webhook URL. The body is serialized once, compactly, and those exact bytes are
signed and sent on every attempt: Zoom's own samples re-serialize the parsed body before checking
the signature, which only works because Zoom sends compact JSON (reference §5).

Retry times are on the simulator's clock, so a test that advances the clock by 5 minutes sees the
first retry within the loop's next poll instead of waiting 5 real minutes.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import hmac
import json
import logging
import secrets
import time
import uuid
import weakref
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx

from zoomsim.model import App, Installation, WebhookDelivery
from zoomsim.sim import Simulator

log = logging.getLogger("zoomsim.webhooks")

# Zoom retries a delivery that got a 5xx or no answer 3 times: 5, 20 and 60 minutes after the
# previous attempt. 3xx and 4xx are never retried.
RETRY_DELAYS = (5 * 60, 20 * 60, 60 * 60)
# How often the loop looks for due deliveries (real seconds). Short, so that advancing the clock
# through the control API makes a retry happen promptly.
POLL_INTERVAL = 0.1
# Zoom disables an app's event subscription after this many failed URL validations in a row.
VALIDATION_FAILURES_BEFORE_DISABLE = 6
USER_AGENT = "Zoom Marketplace/1.0a"


def compact_json(data: dict[str, Any]) -> str:
    return json.dumps(data, separators=(",", ":"), ensure_ascii=False)


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """`v0=` + hex HMAC-SHA256 of `v0:{timestamp}:{raw body}` under the app's secret token."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signed_headers(secret: str, timestamp: str, body: bytes, request_id: str) -> dict[str, str]:
    return {
        "content-type": "application/json; charset=utf-8",
        "user-agent": USER_AGENT,
        "x-zm-request-timestamp": timestamp,
        "x-zm-signature": signature(secret, timestamp, body),
        "x-zm-request-id": request_id,
    }


# --- queueing ------------------------------------------------------------------------------------


def install(sim: Simulator) -> None:
    """Register the event sink that turns `sim.emit` into deliveries."""
    if _queue_event not in sim.event_sinks:
        sim.event_sinks.append(_queue_event)


def _queue_event(
    sim: Simulator, account_id: str, event: str, obj: dict[str, Any], top: dict[str, Any]
) -> None:
    state = sim.state
    if not state.knobs.webhooks:
        return
    for installation in list(state.installations.values()):
        if installation.account_id != account_id or not installation.active:
            continue
        app = state.apps.get(installation.client_id)
        if app is None or not app.webhook_url or app.webhook_disabled:
            continue
        extras = dict(top)
        # Most payloads are just the account and the object; an emitter whose event carries more
        # (meeting.updated's operator and old_object) passes the whole `payload` instead.
        payload = extras.pop("payload", {"account_id": account_id, "object": obj})
        envelope: dict[str, Any] = {
            "event": event,
            "event_ts": int(state.now() * 1000),
            "payload": payload,
            # Fields Zoom puts beside `payload`, e.g. recording.completed's `download_token`.
            **extras,
        }
        queue_delivery(sim, app, account_id, event, envelope)


def queue_delivery(
    sim: Simulator, app: App, account_id: str, event: str, envelope: dict[str, Any]
) -> WebhookDelivery:
    """Store a delivery of `envelope` to `app`'s webhook URL, due now."""
    state = sim.state
    now = state.now()
    delivery = WebhookDelivery(
        id=str(uuid.uuid4()),
        client_id=app.client_id,
        account_id=account_id,
        url=app.webhook_url,
        event=event,
        body=compact_json(envelope),
        created_at=now,
        next_attempt_at=now,
    )
    state.deliveries[delivery.id] = delivery
    sim.changed()
    return delivery


def send_app_deauthorized(sim: Simulator, installation: Installation) -> WebhookDelivery | None:
    """Tell the app it was uninstalled from the account (`app_deauthorized`).

    The payload follows the Marketplace spec. `event_ts` appears twice: at the top level like every
    other event, and inside `payload` where the spec puts it. `user_data_retention` went away with
    the Data Compliance API, so it is sent only when the knob asks for the old behaviour.
    """
    state = sim.state
    app = state.apps.get(installation.client_id)
    if app is None or not app.webhook_url or not state.knobs.webhooks:
        return None
    now = state.now()
    event_ts = int(now * 1000)
    stamp = datetime.fromtimestamp(now, tz=UTC)
    payload: dict[str, Any] = {
        "account_id": installation.account_id,
        "user_id": installation.user_id,
        "signature": secrets.token_hex(32),
        "deauthorization_time": stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp:%f}"[:3] + "Z",
        "client_id": app.client_id,
        "event_ts": event_ts,
    }
    if state.knobs.user_data_retention:
        payload["user_data_retention"] = state.knobs.user_data_retention
    envelope = {"event": "app_deauthorized", "event_ts": event_ts, "payload": payload}
    return queue_delivery(sim, app, installation.account_id, "app_deauthorized", envelope)


# --- delivering ----------------------------------------------------------------------------------


class Courier:
    """Sends due deliveries of one simulator; each attempt runs as its own task so one slow
    receiver does not hold up the others."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.in_flight: dict[str, asyncio.Task[None]] = {}
        self._client: httpx.AsyncClient | None = None

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(follow_redirects=False)
        return self._client

    async def close(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    def dispatch_due(self) -> list[asyncio.Task[None]]:
        """Start an attempt for every due delivery not already being sent."""
        now = self.sim.state.now()
        for delivery in list(self.sim.state.deliveries.values()):
            due = delivery.next_attempt_at is not None and delivery.next_attempt_at <= now
            if delivery.state == "pending" and due and delivery.id not in self.in_flight:
                task = asyncio.get_running_loop().create_task(self._attempt(delivery))
                self.in_flight[delivery.id] = task
                task.add_done_callback(functools.partial(self._forget, delivery.id))
        return list(self.in_flight.values())

    def _forget(self, delivery_id: str, _task: asyncio.Task[None]) -> None:
        self.in_flight.pop(delivery_id, None)

    async def run_forever(self) -> None:
        try:
            while True:
                self.dispatch_due()
                await asyncio.sleep(POLL_INTERVAL)
        finally:
            for task in list(self.in_flight.values()):
                task.cancel()
            await self.close()

    async def _attempt(self, delivery: WebhookDelivery) -> None:
        state = self.sim.state
        app = state.apps.get(delivery.client_id)
        secret = app.webhook_secret if app else ""
        attempted_at = state.now()
        timestamp = str(int(attempted_at))
        body = delivery.body.encode()
        headers = signed_headers(secret, timestamp, body, delivery.id)
        timeout = state.knobs.webhook_timeout
        status: int | None = None
        error = ""
        started = time.monotonic()
        try:
            # Zoom wants the whole answer within the timeout, not just each read.
            async with asyncio.timeout(timeout):
                response = await self.client.post(
                    delivery.url, content=body, headers=headers, timeout=timeout
                )
            status = response.status_code
        except (TimeoutError, httpx.TimeoutException):
            error = "timeout"
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # InvalidURL: a URL from a seed
            error = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        duration_ms = round((time.monotonic() - started) * 1000, 1)
        attempt: dict[str, Any] = {"at": attempted_at, "duration_ms": duration_ms}
        if status is not None:
            attempt["status"] = status
        else:
            attempt["error"] = error
        delivery.attempts.append(attempt)
        self._settle(delivery, status, attempted_at)
        log.info(
            "zoomsim.webhook.attempt",
            extra={
                "delivery_id": delivery.id,
                "event": delivery.event,
                "status": status,
                "error": error,
                "state": delivery.state,
            },
        )
        self.sim.changed()

    @staticmethod
    def _settle(delivery: WebhookDelivery, status: int | None, attempted_at: float) -> None:
        if status is not None and 200 <= status < 300:
            delivery.state, delivery.next_attempt_at = "delivered", None
            return
        retryable = status is None or status >= 500
        retries_done = len(delivery.attempts) - 1
        if retryable and retries_done < len(RETRY_DELAYS):
            delivery.next_attempt_at = attempted_at + RETRY_DELAYS[retries_done]
            return
        # Out of retries, or a 3xx/4xx: Zoom drops the event.
        delivery.state, delivery.next_attempt_at = "failed", None


_couriers: weakref.WeakKeyDictionary[Simulator, Courier] = weakref.WeakKeyDictionary()


def courier(sim: Simulator) -> Courier:
    found = _couriers.get(sim)
    if found is None:
        found = _couriers[sim] = Courier(sim)
    return found


def start(sim: Simulator) -> None:
    """Start the delivery loop (called from the app's lifespan)."""
    sim.background.append(asyncio.get_running_loop().create_task(courier(sim).run_forever()))


async def deliver_due_now(sim: Simulator) -> int:
    """Attempt every due delivery and wait for the attempts (and any already running) to end."""
    tasks = courier(sim).dispatch_due()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task
    return len(tasks)


# --- endpoint URL validation ---------------------------------------------------------------------


@dataclass
class ValidationResult:
    valid: bool
    status: int | None
    error: str
    consecutive_failures: int
    subscription_disabled: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "status": self.status,
            "error": self.error,
            "consecutive_failures": self.consecutive_failures,
            "subscription_disabled": self.subscription_disabled,
        }


async def validate_endpoint(sim: Simulator, app: App) -> ValidationResult:
    """Zoom's `endpoint.url_validation` challenge: the receiver must answer within the timeout
    with 200/204 and `{plainToken, encryptedToken: hex(HMAC-SHA256(secret, plainToken))}`."""
    state = sim.state
    now = state.now()
    plain_token = secrets.token_urlsafe(16)
    envelope = {
        "payload": {"plainToken": plain_token},
        "event_ts": int(now * 1000),
        "event": "endpoint.url_validation",
    }
    body = compact_json(envelope).encode()
    headers = signed_headers(app.webhook_secret, str(int(now)), body, str(uuid.uuid4()))
    timeout = state.knobs.webhook_timeout
    expected = hmac.new(
        app.webhook_secret.encode(), plain_token.encode(), hashlib.sha256
    ).hexdigest()
    status: int | None = None
    error = ""
    try:
        async with asyncio.timeout(timeout):
            response = await courier(sim).client.post(
                app.webhook_url, content=body, headers=headers, timeout=timeout
            )
        status = response.status_code
        error = _challenge_error(response, plain_token, expected)
    except (TimeoutError, httpx.TimeoutException):
        error = "timeout"
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        error = type(exc).__name__
    if error:
        app.webhook_validation_failures += 1
        if app.webhook_validation_failures >= VALIDATION_FAILURES_BEFORE_DISABLE:
            app.webhook_disabled = True
    else:
        app.webhook_validation_failures = 0
        app.webhook_disabled = False
        app.webhook_validated_at = now
    sim.changed()
    return ValidationResult(
        valid=not error,
        status=status,
        error=error,
        consecutive_failures=app.webhook_validation_failures,
        subscription_disabled=app.webhook_disabled,
    )


def _challenge_error(response: httpx.Response, plain_token: str, expected: str) -> str:
    if response.status_code not in (200, 204):
        return f"status {response.status_code}"
    try:
        answer = response.json()
    except ValueError:
        return "response is not JSON"
    if not isinstance(answer, dict):
        return "response is not a JSON object"
    if answer.get("plainToken") != plain_token:
        return "plainToken does not match"
    # Bytes: compare_digest refuses str with non-ASCII characters.
    if not hmac.compare_digest(str(answer.get("encryptedToken", "")).encode(), expected.encode()):
        return "encryptedToken does not match"
    return ""
