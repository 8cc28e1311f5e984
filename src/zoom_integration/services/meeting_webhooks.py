"""`meeting.updated` and `meeting.deleted` from Zoom: a session's meeting changed or deleted on
Zoom's side (a host editing it in Zoom's own pages), taken over by Campus.

The handlers run in the worker that processes stored webhook events (`webhooks.py`: signature,
age and replay were checked at the intake, so an event here is Zoom's and is run once), inside
that processing's transaction: nothing here calls Zoom, follow-up work is enqueued.

Only the account's own sessions are touched: the session is looked up by meeting id among the
organizations linked to the Zoom account the event names.

**meeting.updated** carries the meeting id and the fields that changed (`object`), their values
before (`old_object`), and who changed them. Zoom sends it for Campus's own PATCHes too, so each
field is compared with what Campus has: a value equal to the session's (Campus's own change, or
one it already knows) takes over nothing; a value equal to what Campus last sent while the
session holds another is an echo of an older Campus change and is ignored; any other value was
changed at Zoom and is taken over (start time, time zone, duration, topic). What Zoom holds is
recorded as sent (`zoom_sent`), so Campus never sends the old values back.

**meeting.deleted**: a meeting Campus removed itself is already marked removed and ignored;
otherwise the session is marked deleted at Zoom and its registrations wait for a new meeting,
which a builder recreates from the lesson page.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from live_events.meeting_changes import (
    session_zoom_changed_at_zoom,
    session_zoom_deleted_at_zoom_noted,
)
from live_events.models import LiveEventProvider, LiveEventSession
from zoom_integration.models import LinkStatus, OrganizationZoomLink, ZoomWebhookEvent
from zoomclient.times import parse_zoom_time, to_zoom_utc

log = logging.getLogger("zoom_integration.meeting_webhooks")

MAX_DURATION_MINUTES = 24 * 60
TOPIC_MAX = 200


def _payload(envelope: Mapping[str, Any]) -> Mapping[str, Any]:
    payload = envelope.get("payload")
    return payload if isinstance(payload, Mapping) else {}


def _meeting_id(obj: Mapping[str, Any]) -> int | None:
    # An int64 in these events (a string in meeting.started and its kin).
    raw = obj.get("id")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and raw.isdigit():
        return int(raw)
    return None


def _session_of(event: ZoomWebhookEvent, payload: Mapping[str, Any]) -> LiveEventSession | None:
    obj = payload.get("object")
    meeting_id = _meeting_id(obj) if isinstance(obj, Mapping) else None
    if meeting_id is None:
        return None
    account_id = str(payload.get("account_id") or event.zoom_account_id)
    # Organizations that disabled Zoom turned their events into external links: not Zoom's now.
    organizations = OrganizationZoomLink.objects.filter(
        zoom_account__zoom_account_id=account_id, status=LinkStatus.ACTIVE
    ).values("organization_id")
    return (
        LiveEventSession.objects.select_for_update()
        .select_related("event")
        .filter(
            zoom_meeting_id=meeting_id,
            event__organization_id__in=organizations,
            event__provider=LiveEventProvider.ZOOM,
        )
        .first()
    )


def _zone(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return value


def _duration(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 0 < value <= MAX_DURATION_MINUTES else None


def _topic(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()[:TOPIC_MAX]


def on_meeting_updated(event: ZoomWebhookEvent, envelope: Mapping[str, Any]) -> None:
    payload = _payload(envelope)
    session = _session_of(event, payload)
    if session is None or session.removed_at is not None:
        return
    obj = payload["object"]
    sent: dict[str, Any] = dict(session.zoom_sent)
    held = dict(sent)  # what Zoom holds now, as Campus records what it sent
    taken: dict[str, Any] = {}

    starts_at = parse_zoom_time(obj.get("start_time"))
    if starts_at is not None:
        held["start_time"] = to_zoom_utc(starts_at)
        if starts_at != session.starts_at and starts_at != parse_zoom_time(sent.get("start_time")):
            taken["starts_at"] = starts_at
    zone = _zone(obj.get("timezone"))
    if zone is not None:
        held["timezone"] = zone
        if zone not in (session.time_zone, sent.get("timezone")):
            taken["time_zone"] = zone
    duration = _duration(obj.get("duration"))
    if duration is not None:
        held["duration"] = duration
        if duration not in (session.duration_minutes, sent.get("duration")):
            taken["duration_minutes"] = duration
    topic = _topic(obj.get("topic"))
    if topic is not None:
        held["topic"] = topic
        if topic not in (session.event.title, sent.get("topic")):
            taken["topic"] = topic

    if held == sent and not taken:
        log.info(
            "zoom.meeting.update_known",
            extra={"webhook_event_id": event.pk, "session_id": session.pk},
        )
        return
    session_zoom_changed_at_zoom(session_id=session.pk, sent=held, **taken)
    log.info(
        "zoom.meeting.changed_at_zoom",
        extra={
            "webhook_event_id": event.pk,
            "session_id": session.pk,
            "taken_over": ",".join(sorted(taken)),
        },
    )


def on_meeting_deleted(event: ZoomWebhookEvent, envelope: Mapping[str, Any]) -> None:
    payload = _payload(envelope)
    session = _session_of(event, payload)
    if session is None or session.removed_at is not None:
        return  # not Campus's, or Campus removed it itself
    affected = session_zoom_deleted_at_zoom_noted(session_id=session.pk)
    log.info(
        "zoom.meeting.deleted_at_zoom",
        extra={
            "webhook_event_id": event.pk,
            "session_id": session.pk,
            "registrations": affected,
        },
    )


MEETING_WEBHOOK_HANDLERS: dict[str, Callable[[ZoomWebhookEvent, Mapping[str, Any]], None]] = {
    "meeting.updated": on_meeting_updated,
    "meeting.deleted": on_meeting_deleted,
}
