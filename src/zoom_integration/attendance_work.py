"""What attendance registers: the fetch's work kind, the `meeting.ended` webhook handler (which
also opens the recording poll), and the poll (a Celery task; beat runs it on the schedule in
settings)."""

from __future__ import annotations

from celery import shared_task

from work.models import WorkItem
from zoom_integration.services.attendance import (
    ATTENDANCE_FETCH_KIND,
    zoom_attendance_fetch,
    zoom_attendance_poll,
)
from zoom_integration.services.meeting_ended import on_meeting_ended
from zoom_integration.services.webhooks import WEBHOOK_HANDLERS
from zoom_integration.zoom_work import zoom_work_handler

POLL_TASK = "zoom_integration.attendance_poll"
POLL_EVERY_SECONDS = 300.0

WEBHOOK_HANDLERS.setdefault("meeting.ended", on_meeting_ended)


@zoom_work_handler(ATTENDANCE_FETCH_KIND)
def fetch_attendance(item: WorkItem) -> None:
    zoom_attendance_fetch(session_id=int(item.payload["session_id"]))


@shared_task(name=POLL_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def poll_attendance() -> int:
    return zoom_attendance_poll()
