"""Zoom's events in: validated in a fixed order, stored once, answered fast, processed later.

Order (each step only runs if the one before passed):
1. signature over the raw bytes (`x-zm-signature`, HMAC-SHA256 of `v0:{ts}:{body}`), constant-time;
2. timestamp within 5 minutes (a captured request cannot be replayed later);
3. the body is a JSON object;
4. `endpoint.url_validation` is answered with the HMAC of its plainToken;
5. an account Campus does not know is acknowledged (200) and ignored: Zoom does not retry a 2xx;
6. the event is stored under the SHA-256 of its raw body, so a replay of the same bytes finds the
   row and changes nothing; processing is enqueued as work in the same transaction and runs in a
   worker after commit. Zoom wants the 2xx within 3 seconds, so nothing slow happens here.

A failed check answers 400 with a body saying which: Zoom does not retry 4xx, and nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
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

_REJECTION_MESSAGES = {
    "missing_headers": "x-zm-signature and x-zm-request-timestamp are required.",
    "bad_timestamp": "x-zm-request-timestamp must be a Unix time in seconds (at most 12 digits).",
    "bad_signature": "The signature does not match the body.",
    "stale_timestamp": "The request timestamp is more than 5 minutes from now.",
    "malformed_json": "The body is not a UTF-8 JSON object with an event, nested 32 deep at most.",
    "bad_url_validation": "endpoint.url_validation needs payload.plainToken.",
}


@dataclass(frozen=True)
class WebhookAnswer:
    status: int
    body: dict[str, Any]


def _rejected(reason: str, request_id: str) -> WebhookAnswer:
    log.warning(f"zoom.webhook.{reason}", extra={"request_id": request_id, "reason": reason})
    return WebhookAnswer(400, {"error": reason, "message": _REJECTION_MESSAGES[reason]})


def zoom_webhook_receive(
    *,
    raw_body: bytes,
    timestamp: str | None,
    signature: str | None,
    request_id: str = "",
    now: datetime | None = None,
) -> WebhookAnswer:
    secret = settings.ZOOM_WEBHOOK_SECRET
    if not secret:
        # Without the secret no signature can be checked, so nothing is accepted. 503, not 400:
        # the fault is Campus's configuration, and Zoom retries 5xx deliveries later.
        log.error("zoom.webhook.secret_not_configured", extra={"request_id": request_id})
        return WebhookAnswer(
            503,
            {
                "error": "not_configured",
                "message": "Campus has no Zoom webhook secret configured (ZOOM_WEBHOOK_SECRET).",
            },
        )
    try:
        verify(
            raw_body,
            timestamp,
            signature,
            secret,
            now or timezone.now(),
            max_age=DEFAULT_MAX_AGE_SECONDS,
        )
    except ZoomWebhookInvalid as invalid:
        return _rejected(invalid.reason, request_id)
    try:
        envelope = event_envelope(raw_body)
    except ZoomWebhookInvalid as invalid:
        return _rejected(invalid.reason, request_id)
    event_type: str = envelope["event"]
    payload = _payload_of(envelope)

    if event_type == URL_VALIDATION_EVENT:
        plain_token = payload.get("plainToken")
        if not isinstance(plain_token, str) or not plain_token:
            return _rejected("bad_url_validation", request_id)
        log.info("zoom.webhook.url_validation", extra={"request_id": request_id})
        return WebhookAnswer(200, url_validation_response(plain_token, secret))

    zoom_account_id = str(payload.get("account_id") or "")
    if (
        not zoom_account_id
        or not ZoomAccount.objects.filter(zoom_account_id=zoom_account_id).exists()
    ):
        log.info(
            "zoom.webhook.unknown_account",
            extra={
                "request_id": request_id,
                "event": event_type,
                "zoom_account_id": zoom_account_id,
            },
        )
        return WebhookAnswer(200, {"status": "ignored", "reason": "unknown account"})

    stored, created = _store_once(raw_body, event_type=event_type, zoom_account_id=zoom_account_id)
    log.info(
        "zoom.webhook.accepted" if created else "zoom.webhook.duplicate",
        extra={
            "request_id": request_id,
            "event": event_type,
            "zoom_account_id": zoom_account_id,
            "webhook_event_id": stored.pk,
        },
    )
    return WebhookAnswer(200, {"status": "accepted" if created else "duplicate"})


def _payload_of(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = envelope.get("payload")
    return payload if isinstance(payload, Mapping) else {}


def _store_once(
    raw_body: bytes, *, event_type: str, zoom_account_id: str
) -> tuple[ZoomWebhookEvent, bool]:
    """The event's row, and whether this delivery created it; a new row's processing is enqueued
    in the same transaction, so a stored event is never left without its work."""
    with transaction.atomic():
        stored, created = ZoomWebhookEvent.objects.get_or_create(
            body_sha256=hashlib.sha256(raw_body).hexdigest(),
            defaults={
                "event_type": event_type[:100],
                "zoom_account_id": zoom_account_id,
                "raw_body": raw_body.decode("utf-8"),
            },
        )
        if created:
            key = f"zoom-webhook:{stored.pk}"
            work_enqueue(
                kind=WEBHOOK_WORK_KIND,
                subject=key,
                payload={"webhook_event_id": stored.pk},
                dedupe_key=key,
            )
    return stored, created


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
