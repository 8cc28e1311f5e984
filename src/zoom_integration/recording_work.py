"""The recordings' hooks into the Zoom integration: the `recording.completed` handler added to
the intake's table, the poll and import work kinds, and the periodic task that gives every ended
cloud-recorded session its poll (the safety net)."""

from __future__ import annotations

from celery import shared_task

from work.handlers import RetryLater
from work.models import WorkItem
from zoom_integration.services.recordings import (
    IMPORT_KIND,
    POLL_KIND,
    zoom_recording_completed,
    zoom_recording_import,
    zoom_recording_import_failed,
    zoom_recording_poll,
    zoom_recording_polls_enqueue,
)
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.webhooks import WEBHOOK_HANDLERS
from zoom_integration.zoom_work import zoom_work_handler
from zoomclient import ZoomRateLimited

POLLS_TASK = "zoom_integration.recording_polls"
POLLS_EVERY_SECONDS = 300.0


@zoom_work_handler(POLL_KIND)
def poll_recordings(item: WorkItem) -> None:
    zoom_recording_poll(session_id=int(item.payload["session_id"]))


@zoom_work_handler(IMPORT_KIND)
def import_recording(item: WorkItem) -> None:
    recording_id = int(item.payload["recording_id"])
    try:
        zoom_recording_import(recording_id=recording_id, payload=item.payload)
    except (ZoomAccountUnusable, ZoomRateLimited, RetryLater):
        raise  # paused, moved to Zoom's time, or resuming after progress: not an attempt used up
    except Exception as error:
        if item.attempts >= item.max_attempts:
            # The work row fails now: the recording says so, and Course Admins can Import again.
            zoom_recording_import_failed(
                recording_id=recording_id,
                reason=f"Import stopped after {item.attempts} tries: {error}",
            )
        raise


@shared_task(name=POLLS_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def enqueue_recording_polls() -> int:
    return zoom_recording_polls_enqueue()


WEBHOOK_HANDLERS.setdefault("recording.completed", zoom_recording_completed)
