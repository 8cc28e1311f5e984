"""Zoom telling of meetings changed or deleted on its side (`meeting.updated`,
`meeting.deleted`), handed to the live-event services for the organizations linked to the
Zoom account that sent them. Campus's own updates and deletes come back this way too: the
services recognise them (removed sessions, values Campus itself sent) and change nothing.

Values are checked before they reach a session: a time zone Python does not know, or a duration
outside Zoom's 1 to 1,440 minutes, is not taken over (it would break the lesson page)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from live_events.services import (
    live_event_session_changed_at_zoom,
    live_event_session_deleted_at_zoom,
)
from zoom_integration.models import LinkStatus, OrganizationZoomLink, ZoomWebhookEvent
from zoomclient.json_fields import integer, text
from zoomclient.times import parse_zoom_time

log = logging.getLogger("zoom_integration.meeting_webhooks")

MAX_DURATION_MINUTES = 24 * 60
TOPIC_MAX = 200


def _zone(value: str) -> str:
    if not value:
        return ""
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return ""
    return value


def _duration(value: int) -> int | None:
    return value if 0 < value <= MAX_DURATION_MINUTES else None


def _linked_organizations(event: ZoomWebhookEvent) -> list[int]:
    return list(
        OrganizationZoomLink.objects.filter(
            zoom_account__zoom_account_id=event.zoom_account_id, status=LinkStatus.ACTIVE
        ).values_list("organization_id", flat=True)
    )


def _object(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = envelope.get("payload")
    found = payload.get("object") if isinstance(payload, Mapping) else None
    return found if isinstance(found, Mapping) else {}


def on_meeting_updated(event: ZoomWebhookEvent, envelope: Mapping[str, Any]) -> None:
    changed = _object(envelope)
    meeting_id = integer(changed, "id")
    if not meeting_id:
        return
    updated = live_event_session_changed_at_zoom(
        organization_ids=_linked_organizations(event),
        meeting_id=meeting_id,
        starts_at=parse_zoom_time(changed.get("start_time")),
        duration_minutes=_duration(integer(changed, "duration")),
        time_zone=_zone(text(changed, "timezone")),
        topic=text(changed, "topic").strip()[:TOPIC_MAX],
    )
    log.info("zoom.meeting.updated_at_zoom", extra={"meeting_id": meeting_id, "sessions": updated})


def on_meeting_deleted(event: ZoomWebhookEvent, envelope: Mapping[str, Any]) -> None:
    meeting_id = integer(_object(envelope), "id")
    if not meeting_id:
        return
    marked = live_event_session_deleted_at_zoom(
        organization_ids=_linked_organizations(event), meeting_id=meeting_id
    )
    log.info("zoom.meeting.deleted_at_zoom", extra={"meeting_id": meeting_id, "sessions": marked})


MEETING_WEBHOOK_HANDLERS = {
    "meeting.updated": on_meeting_updated,
    "meeting.deleted": on_meeting_deleted,
}
