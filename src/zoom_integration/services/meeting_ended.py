"""`meeting.ended`: a run of a meeting is over, and both things that come back after it are
looked for: its attendance (fetched now) and, when the event records to the cloud, its
recording (the session's poll opened again, for a restart whose `recording.completed` is lost).
Runs inside the stored event's transaction: the work is rung once it commits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zoom_integration.models import ZoomWebhookEvent
from zoom_integration.services.attendance import on_meeting_ended as attendance_on_meeting_ended
from zoom_integration.services.ended_run import ended_run_of
from zoom_integration.services.recordings import zoom_recording_meeting_ended


def on_meeting_ended(event: ZoomWebhookEvent, envelope: Mapping[str, Any]) -> None:
    run = ended_run_of(envelope)
    if run is None:
        return
    attendance_on_meeting_ended(event, run)
    zoom_recording_meeting_ended(event, run)
