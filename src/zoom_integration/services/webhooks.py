"""Zoom's events in: validated in a fixed order, stored once, answered fast, processed later.

The intake says what happened (a `WebhookOutcome`); the view chooses the HTTP status. As in
django-anymail's webhook views, the validators run first, in order, each only if the one before
passed (`WEBHOOK_VALIDATORS`), and only then is the body read:

1. a webhook secret is configured — else `not_configured`: nothing can be checked;
2. the signature over the raw bytes (`x-zm-signature`, HMAC-SHA256 of `v0:{ts}:{body}`),
   constant-time, then the timestamp within 5 minutes (a captured request cannot be replayed
   later) — `zoomclient.webhooks.verify`;
3. the signed body is read as Zoom's JSON envelope — `zoomclient.webhooks.event_envelope`, which
   refuses anything else as `malformed_json`. A forged body is never parsed.

A valid delivery then ends in one of:

- `endpoint.url_validation`: answered with the HMAC of its plainToken;
- an account Campus does not know: acknowledged and ignored (Zoom does not retry a 2xx);
- stored under the SHA-256 of its raw body, so a replay of the same bytes finds the row and changes
  nothing (`accepted` / `duplicate`); processing is enqueued as work in the same short transaction
  and runs in a worker after commit;
- `spooled`: the database did not take the write within `DATABASE_WAIT_SECONDS` (SQLite's single
  write lock held by another process, a PostgreSQL lock, a database that is down). Zoom wants the
  2xx within 3 seconds, so the verified body is written durably to the spool
  (`services/webhook_spool.py`) and acknowledged; `zoom_webhook_spool_drain`, a periodic task,
  stores it later through the same code, keyed by the same SHA-256, so it is stored exactly once;
- `unavailable`: neither the database nor the spool could keep it. Nothing was acknowledged, and
  Zoom delivers it again later.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from live_events.services import live_event_recordings_delete_for_zoom_account
from work.services import work_enqueue
from zoom_integration.models import (
    REASON_APP_DEAUTHORIZED,
    AuditAction,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomWebhookEvent,
)
from zoom_integration.services.audit import audit_entry_record
from zoom_integration.services.disable import zoom_integration_disable
from zoom_integration.services.webhook_spool import (
    spool_pending,
    spool_quarantine,
    spool_remove,
    spool_remove_abandoned,
    spool_write,
)
from zoomclient import ZoomWebhookInvalid
from zoomclient.webhooks import (
    DEFAULT_MAX_AGE_SECONDS,
    event_envelope,
    url_validation_response,
    verify,
)

log = logging.getLogger("zoom_integration.webhooks")

WEBHOOK_WORK_KIND = "zoom.webhook.process"
URL_VALIDATION_EVENT = "endpoint.url_validation"
# How long a delivery waits for the database before it goes to the spool: well inside Zoom's
# 3 seconds, with room for the rest of the request on a busy machine. The write itself takes
# milliseconds; waiting longer only means another process holds the lock.
DATABASE_WAIT_SECONDS = 1.0

_REJECTION_MESSAGES = {
    "not_configured": "Campus has no Zoom webhook secret configured (ZOOM_WEBHOOK_SECRET).",
    "missing_headers": "x-zm-signature and x-zm-request-timestamp are required.",
    "bad_timestamp": "x-zm-request-timestamp must be a Unix time in seconds (at most 12 digits).",
    "bad_signature": "The signature does not match the body.",
    "stale_timestamp": "The request timestamp is more than 5 minutes from now.",
    "malformed_json": "The body is not a UTF-8 JSON object with an event, nested 32 deep at most.",
    "bad_url_validation": "endpoint.url_validation needs payload.plainToken.",
    "storage_unavailable": "Campus could not keep the event just now; deliver it again later.",
}


class WebhookOutcomeKind(StrEnum):
    NOT_CONFIGURED = "not_configured"  # Campus's fault: no secret to check signatures with
    REJECTED = "rejected"  # a validator refused the delivery; nothing changed
    URL_VALIDATION = "url_validation"  # Zoom's endpoint challenge, answered
    IGNORED = "ignored"  # a Zoom account Campus does not know
    ACCEPTED = "accepted"  # stored now, processing enqueued
    DUPLICATE = "duplicate"  # these bytes were stored before
    SPOOLED = "spooled"  # kept in the spool, stored when the database takes it
    UNAVAILABLE = "unavailable"  # neither database nor spool could keep it; not acknowledged


@dataclass(frozen=True)
class WebhookOutcome:
    kind: WebhookOutcomeKind
    reason: str = ""  # which check refused, or why it was ignored
    message: str = ""  # for the person reading Zoom's delivery log
    url_validation: Mapping[str, str] | None = None  # {plainToken, encryptedToken}
    webhook_event_id: int | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    raw_body: bytes
    timestamp: str | None
    signature: str | None
    request_id: str
    received_at: datetime


class WebhookRefused(Exception):
    """A validator's verdict: the delivery ends with `outcome`."""

    def __init__(self, outcome: WebhookOutcome) -> None:
        super().__init__(outcome.reason)
        self.outcome = outcome


def _refusal(kind: WebhookOutcomeKind, reason: str) -> WebhookRefused:
    return WebhookRefused(WebhookOutcome(kind, reason, _REJECTION_MESSAGES[reason]))


def _secret_is_configured(delivery: WebhookDelivery) -> None:
    # Without the secret no signature can be checked, so nothing is accepted.
    if not settings.ZOOM_WEBHOOK_SECRET:
        raise _refusal(WebhookOutcomeKind.NOT_CONFIGURED, "not_configured")


def _signed_by_zoom_recently(delivery: WebhookDelivery) -> None:
    try:
        verify(
            delivery.raw_body,
            delivery.timestamp,
            delivery.signature,
            settings.ZOOM_WEBHOOK_SECRET,
            delivery.received_at,
            max_age=DEFAULT_MAX_AGE_SECONDS,
        )
    except ZoomWebhookInvalid as invalid:
        raise _refusal(WebhookOutcomeKind.REJECTED, invalid.reason) from invalid


WebhookValidator = Callable[[WebhookDelivery], None]
WEBHOOK_VALIDATORS: tuple[WebhookValidator, ...] = (
    _secret_is_configured,
    _signed_by_zoom_recently,
)


def zoom_webhook_receive(
    *,
    raw_body: bytes,
    timestamp: str | None,
    signature: str | None,
    request_id: str = "",
    now: datetime | None = None,
) -> WebhookOutcome:
    delivery = WebhookDelivery(
        raw_body=raw_body,
        timestamp=timestamp,
        signature=signature,
        request_id=request_id,
        received_at=now or timezone.now(),
    )
    try:
        for validator in WEBHOOK_VALIDATORS:
            validator(delivery)
        envelope = _envelope_of(delivery)
        outcome = _outcome_of_valid(delivery, envelope)
    except WebhookRefused as refused:
        outcome = refused.outcome
        _log_refusal(outcome, request_id)
    return outcome


def _envelope_of(delivery: WebhookDelivery) -> dict[str, Any]:
    try:
        return event_envelope(delivery.raw_body)
    except ZoomWebhookInvalid as invalid:
        raise _refusal(WebhookOutcomeKind.REJECTED, invalid.reason) from invalid


def _outcome_of_valid(delivery: WebhookDelivery, envelope: Mapping[str, Any]) -> WebhookOutcome:
    event_type: str = envelope["event"]
    if event_type == URL_VALIDATION_EVENT:
        plain_token = _payload_of(envelope).get("plainToken")
        if not isinstance(plain_token, str) or not plain_token:
            raise _refusal(WebhookOutcomeKind.REJECTED, "bad_url_validation")
        log.info("zoom.webhook.url_validation", extra={"request_id": delivery.request_id})
        return WebhookOutcome(
            WebhookOutcomeKind.URL_VALIDATION,
            url_validation=url_validation_response(plain_token, settings.ZOOM_WEBHOOK_SECRET),
        )
    try:
        outcome = _store_for_known_account(
            envelope, delivery.raw_body, deadline=time.monotonic() + DATABASE_WAIT_SECONDS
        )
    except OperationalError as busy:
        outcome = _spooled(delivery, busy)
    _log_outcome(outcome, envelope, request_id=delivery.request_id)
    return outcome


def _store_for_known_account(
    envelope: Mapping[str, Any], raw_body: bytes, *, deadline: float | None
) -> WebhookOutcome:
    """Store the event unless its account is unknown or its bytes are stored already. Both are
    read first, outside the write transaction (SQLite's WAL lets readers run beside a writer), so
    a replay never queues for the write lock. Nothing waits for the database past `deadline` (a
    `time.monotonic()`; None: as long as the settings say): OperationalError instead."""
    with _sqlite_waits_until(deadline):
        zoom_account_id = str(_payload_of(envelope).get("account_id") or "")
        if (
            not zoom_account_id
            or not ZoomAccount.objects.filter(zoom_account_id=zoom_account_id).exists()
        ):
            return WebhookOutcome(WebhookOutcomeKind.IGNORED, reason="unknown_account")
        body_sha256 = hashlib.sha256(raw_body).hexdigest()
        stored_before = _stored_event_id(body_sha256)
        if stored_before is not None:
            return WebhookOutcome(WebhookOutcomeKind.DUPLICATE, webhook_event_id=stored_before)
        with _sqlite_write_turn(deadline):
            stored_now = _store_once(
                raw_body,
                body_sha256=body_sha256,
                event_type=envelope["event"],
                zoom_account_id=zoom_account_id,
                deadline=deadline,
            )
        if stored_now is None:  # stored by a delivery of the same bytes since we looked
            return WebhookOutcome(
                WebhookOutcomeKind.DUPLICATE, webhook_event_id=_stored_event_id(body_sha256)
            )
    return WebhookOutcome(WebhookOutcomeKind.ACCEPTED, webhook_event_id=stored_now)


def _stored_event_id(body_sha256: str) -> int | None:
    return (
        ZoomWebhookEvent.objects.filter(body_sha256=body_sha256)
        .values_list("pk", flat=True)
        .first()
    )


def _spooled(delivery: WebhookDelivery, busy: OperationalError) -> WebhookOutcome:
    try:
        spool_write(directory=_spool_directory(), raw_body=delivery.raw_body)
    except OSError as unwritable:
        log.error(
            "zoom.webhook.storage_unavailable",
            extra={
                "request_id": delivery.request_id,
                "database_error": str(busy),
                "spool_error": type(unwritable).__name__,
            },
        )
        return WebhookOutcome(
            WebhookOutcomeKind.UNAVAILABLE,
            reason="storage_unavailable",
            message=_REJECTION_MESSAGES["storage_unavailable"],
        )
    return WebhookOutcome(WebhookOutcomeKind.SPOOLED, reason=str(busy))


def _log_refusal(outcome: WebhookOutcome, request_id: str) -> None:
    if outcome.kind is WebhookOutcomeKind.NOT_CONFIGURED:
        log.error("zoom.webhook.secret_not_configured", extra={"request_id": request_id})
    else:
        log.warning(
            f"zoom.webhook.{outcome.reason}",
            extra={"request_id": request_id, "reason": outcome.reason},
        )


def _log_outcome(outcome: WebhookOutcome, envelope: Mapping[str, Any], *, request_id: str) -> None:
    if outcome.kind is WebhookOutcomeKind.UNAVAILABLE:
        return  # logged where it happened
    extra: dict[str, Any] = {
        "request_id": request_id,
        "event": envelope["event"],
        "zoom_account_id": str(_payload_of(envelope).get("account_id") or ""),
    }
    if outcome.webhook_event_id is not None:
        extra["webhook_event_id"] = outcome.webhook_event_id
    if outcome.kind is WebhookOutcomeKind.SPOOLED:
        extra["database_error"] = outcome.reason
        log.warning("zoom.webhook.spooled", extra=extra)
    else:
        name = "unknown_account" if outcome.kind is WebhookOutcomeKind.IGNORED else outcome.kind
        log.info(f"zoom.webhook.{name}", extra=extra)


def _payload_of(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = envelope.get("payload")
    return payload if isinstance(payload, Mapping) else {}


def _milliseconds_until(deadline: float) -> int:
    return max(1, int((deadline - time.monotonic()) * 1000))


@contextmanager
def _sqlite_waits_until(deadline: float | None) -> Iterator[None]:
    """On SQLite, this connection waits for locks until `deadline` at the latest: its busy timeout,
    restored afterwards, so the worker's transactions keep the long wait of the settings."""
    if deadline is None or connection.vendor != "sqlite":
        yield
        return
    previous = _sqlite_busy_timeout_set(_milliseconds_until(deadline))
    try:
        yield
    finally:
        _sqlite_busy_timeout_set(previous)


def _sqlite_busy_timeout_set(milliseconds: int) -> int:
    """Set this connection's busy timeout; the one it had."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA busy_timeout = {int(milliseconds)}")
    return int(previous)


# One intake write at a time per process on SQLite. SQLite has one write lock for the whole file,
# and a connection that finds it taken polls, sleeping up to 100 ms between tries: under a burst,
# a dozen threads polling lose the lock to each other unfairly and some wait for seconds. Queued
# here instead, a process's writers take turns, and only one of them at a time polls SQLite
# (against the other processes: the other web workers and the Celery worker).
_SQLITE_WRITE_TURN = threading.Lock()


@contextmanager
def _sqlite_write_turn(deadline: float | None) -> Iterator[None]:
    if deadline is None or connection.vendor != "sqlite":
        yield
        return
    if not _SQLITE_WRITE_TURN.acquire(timeout=_milliseconds_until(deadline) / 1000):
        raise OperationalError("no turn to write in time: this process's other writers queue")
    try:
        _sqlite_busy_timeout_set(_milliseconds_until(deadline))
        yield
    finally:
        _SQLITE_WRITE_TURN.release()


def _store_once(
    raw_body: bytes,
    *,
    body_sha256: str,
    event_type: str,
    zoom_account_id: str,
    deadline: float | None,
) -> int | None:
    """Store a new event and enqueue its processing in the same transaction, so a stored event is
    never left without its work; its id, or None if these bytes were stored meanwhile (the unique
    SHA-256). Two inserts on indexed rows: the transaction holds SQLite's write lock for
    milliseconds."""
    bounded = deadline is not None and connection.vendor == "postgresql"
    try:
        with transaction.atomic():
            if deadline is not None and bounded:
                _postgresql_waits_bounded(_milliseconds_until(deadline))
            stored = ZoomWebhookEvent.objects.create(
                body_sha256=body_sha256,
                event_type=event_type[:100],
                zoom_account_id=zoom_account_id,
                raw_body=raw_body.decode("utf-8"),
            )
            key = f"zoom-webhook:{stored.pk}"
            work_enqueue(
                kind=WEBHOOK_WORK_KIND,
                subject=key,
                payload={"webhook_event_id": stored.pk},
                dedupe_key=key,
            )
            if bounded:
                _postgresql_waits_bounded(None)
    except IntegrityError:
        return None
    return stored.pk


def _postgresql_waits_bounded(milliseconds: int | None) -> None:
    """Bound (or, with None, unbound again) how long this transaction's statements wait for a lock
    or run. SET LOCAL ends with the transaction; it is reset explicitly as well because inside an
    outer transaction (a test's) the block is only a savepoint."""
    with connection.cursor() as cursor:
        if milliseconds is None:
            cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
            cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
        else:
            cursor.execute(f"SET LOCAL lock_timeout = {int(milliseconds)}")
            cursor.execute(f"SET LOCAL statement_timeout = {int(milliseconds)}")


# --- the spool, drained in a worker --------------------------------------------------------------


def _spool_directory() -> Path:
    return Path(settings.ZOOM_WEBHOOK_SPOOL_DIR)


def zoom_webhook_spool_drain() -> int:
    """Store every spooled delivery once, oldest first, and remove its file; how many became new
    events. A file is removed only after its row is committed, and a file whose row already
    exists (a drain that died before removing it, or the same bytes delivered again) just goes:
    nothing is lost or stored twice. While the database still cannot take them, the rest wait for
    the next run."""
    directory = _spool_directory()
    spool_remove_abandoned(directory=directory)
    stored = 0
    for delivery in spool_pending(directory=directory):
        if hashlib.sha256(delivery.raw_body).hexdigest() != delivery.body_sha256:
            # Not the bytes that were verified (a damaged disk): kept aside for a person to read.
            log.error("zoom.webhook.spool_damaged", extra={"spool_file": delivery.path.name})
            spool_quarantine(delivery)
            continue
        # Verified before it was written, and these are the same bytes (checked just above).
        envelope = event_envelope(delivery.raw_body)
        try:
            outcome = _store_for_known_account(envelope, delivery.raw_body, deadline=None)
        except OperationalError as busy:
            log.warning("zoom.webhook.spool_drain_postponed", extra={"database_error": str(busy)})
            break
        spool_remove(delivery)
        stored += outcome.kind is WebhookOutcomeKind.ACCEPTED
        log.info(
            "zoom.webhook.unspooled",
            extra={
                "event": envelope["event"],
                "outcome": outcome.kind.value,
                "webhook_event_id": outcome.webhook_event_id,
            },
        )
    return stored


# --- processing, in a worker ---------------------------------------------------------------------

WebhookHandler = Callable[[ZoomWebhookEvent, Mapping[str, Any]], None]


def zoom_webhook_event_process(*, webhook_event_id: int) -> None:
    """Run the handler of a stored event once; an event without a handler is just marked."""
    with transaction.atomic():
        event = ZoomWebhookEvent.objects.select_for_update().get(pk=webhook_event_id)
        if event.processed_at is not None:
            return
        handler = WEBHOOK_HANDLERS.get(event.event_type)
        if handler is not None:
            handler(event, json.loads(event.raw_body))
        else:
            log.info(
                "zoom.webhook.unhandled",
                extra={"webhook_event_id": event.pk, "event": event.event_type},
            )
        event.processed_at = timezone.now()
        event.save(update_fields=["processed_at"])


def _on_app_deauthorized(event: ZoomWebhookEvent, envelope: Mapping[str, Any]) -> None:
    """The app was removed from the Zoom account: disable every organization linked to it, the
    same way as the DISABLE button. Zoom's old `user_data_retention` says whether Campus may keep
    the account's data: "false" deletes the recordings imported from it; "true" or absent (Zoom
    dropped the field with the Data Compliance API) keeps them."""
    payload = _payload_of(envelope)
    zoom_account_id = str(payload.get("account_id") or event.zoom_account_id)
    account = ZoomAccount.objects.filter(zoom_account_id=zoom_account_id).first()
    if account is None:
        return
    links = list(
        OrganizationZoomLink.objects.filter(zoom_account=account)
        .select_related("organization")
        .order_by("organization_id")
    )
    disabled = [
        link.organization.pk
        for link in links
        if link.status == LinkStatus.ACTIVE
        and zoom_integration_disable(
            organization=link.organization, actor=None, reason=REASON_APP_DEAUTHORIZED
        )
    ]
    retention = payload.get("user_data_retention")
    retention_text = str(retention).strip().lower() if retention is not None else "absent"
    recordings_deleted = (
        live_event_recordings_delete_for_zoom_account(zoom_account_id=zoom_account_id)
        if retention_text == "false"
        else 0
    )
    for link in links:
        audit_entry_record(
            organization=link.organization,
            actor=None,
            action=AuditAction.APP_DEAUTHORIZED,
            detail={
                "zoom_account_id": zoom_account_id,
                "user_data_retention": retention_text,
                "recordings_deleted": recordings_deleted,
                "disabled_now": link.organization.pk in disabled,
                "deauthorization_time": str(payload.get("deauthorization_time") or ""),
            },
        )
    log.info(
        "zoom.webhook.app_deauthorized",
        extra={
            "webhook_event_id": event.pk,
            "zoom_account_pk": account.pk,
            "organizations_disabled": len(disabled),
            "recordings_deleted": recordings_deleted,
        },
    )


WEBHOOK_HANDLERS: dict[str, WebhookHandler] = {
    "app_deauthorized": _on_app_deauthorized,
}
