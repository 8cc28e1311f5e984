"""Live events as the next issue will create them: a Zoom event with scheduled sessions and an
imported recording, and an external-link event beside it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.files.base import ContentFile

from live_events.models import (
    LiveEvent,
    LiveEventProvider,
    LiveEventRecording,
    LiveEventSession,
)
from organizations.models import Organization


@dataclass(frozen=True)
class ZoomEventFixture:
    event: LiveEvent
    sessions: list[LiveEventSession]
    recording: LiveEventRecording


def zoom_event(
    organization: Organization, *, zoom_account_id: str = "acct-acme", file_id: str = "file-1"
) -> ZoomEventFixture:
    event = LiveEvent.objects.create(
        organization=organization,
        title="Office hours",
        description="Bring questions.",
        provider=LiveEventProvider.ZOOM,
        time_zone="America/New_York",
    )
    sessions = [
        LiveEventSession.objects.create(
            event=event,
            starts_at=datetime(2026, 3, day, 15, 0, tzinfo=UTC),
            time_zone="America/New_York",
            duration_minutes=60,
            zoom_meeting_id=81_000_000_100 + day,
            zoom_join_url=f"https://zoom.us/j/{81_000_000_100 + day}",
        )
        for day in (3, 10)
    ]
    recording = LiveEventRecording(
        session=sessions[0], source="zoom", source_account_id=zoom_account_id, zoom_file_id=file_id
    )
    recording.file.save(f"{file_id}.mp4", ContentFile(b"not really an mp4"), save=False)
    recording.save()
    return ZoomEventFixture(event=event, sessions=sessions, recording=recording)


def external_event(organization: Organization) -> LiveEvent:
    return LiveEvent.objects.create(
        organization=organization,
        title="Guest lecture",
        provider=LiveEventProvider.EXTERNAL_LINK,
        external_url="https://meet.example.org/guest",
    )
