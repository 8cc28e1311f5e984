"""Writes to live events that other apps call (the Zoom integration, when it is disabled or when
Zoom asks for an account's data to be deleted)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db import transaction

from live_events.models import (
    LiveEvent,
    LiveEventProvider,
    LiveEventRecording,
    LiveEventRecordingSource,
)

if TYPE_CHECKING:
    from organizations.models import Organization

log = logging.getLogger("live_events")


@transaction.atomic
def live_events_convert_to_external_link(*, organization: Organization) -> int:
    """Turn every Zoom event of `organization` into an external-link event.

    Title, description, sessions and their times stay; each session's Zoom join link becomes its
    plain link (the event's link is the first session's), so learners can still reach meetings
    already scheduled at Zoom. Imported recordings (and attendance) belong to the sessions and
    stay. Returns how many events were converted."""
    events = (
        LiveEvent.objects.select_for_update()
        .filter(organization=organization, provider=LiveEventProvider.ZOOM)
        .prefetch_related("sessions")
    )
    converted = 0
    for event in events:
        sessions = list(event.sessions.all())
        for session in sessions:
            if session.zoom_join_url and not session.external_url:
                session.external_url = session.zoom_join_url
                session.save(update_fields=["external_url"])
        first_link = next((s.zoom_join_url for s in sessions if s.zoom_join_url), "")
        event.provider = LiveEventProvider.EXTERNAL_LINK
        event.external_url = event.external_url or first_link
        event.save(update_fields=["provider", "external_url", "updated_at"])
        converted += 1
    log.info(
        "live_events.converted_to_external_link",
        extra={"organization_id": organization.pk, "events": converted},
    )
    return converted


@transaction.atomic
def live_event_recordings_delete_for_zoom_account(*, zoom_account_id: str) -> int:
    """Delete every recording imported from Zoom account `zoom_account_id`, rows and files.

    The files go only after the transaction commits: a rollback must not leave rows pointing at
    deleted files. Returns how many recordings were deleted."""
    recordings = list(
        LiveEventRecording.objects.select_for_update().filter(
            source=LiveEventRecordingSource.ZOOM, source_account_id=zoom_account_id
        )
    )
    stored_files = [(r.file.storage, r.file.name) for r in recordings if r.file and r.file.name]
    LiveEventRecording.objects.filter(pk__in=[r.pk for r in recordings]).delete()

    def delete_files() -> None:
        for storage, name in stored_files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    log.info(
        "live_events.recordings_deleted",
        extra={"zoom_account_id": zoom_account_id, "recordings": len(recordings)},
    )
    return len(recordings)
