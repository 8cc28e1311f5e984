"""The background work kinds of Zoom meetings and registrants (thin: one service each).

Registered with `@zoom_work_handler`: not atomic (no Zoom call inside a transaction), paused while
the connection needs re-authentication, and a 429 moves the work to the time Zoom names.
"""

from __future__ import annotations

from live_events.models import LiveEventRegistration, RegistrationStatus
from live_events.services import registration_zoom_failed
from work.models import WorkItem
from zoom_integration.services.meeting_errors import zoom_problem
from zoom_integration.services.meeting_webhooks import MEETING_WEBHOOK_HANDLERS
from zoom_integration.services.meetings import MEETING_SYNC_KIND, zoom_meeting_sync
from zoom_integration.services.registrants import (
    REGISTRANT_SYNC_KIND,
    REGISTRANTS_BATCH_KIND,
    zoom_registrant_sync,
    zoom_registrants_batch,
)
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.webhooks import WEBHOOK_HANDLERS
from zoom_integration.zoom_work import zoom_work_handler
from zoomclient import ZoomError, ZoomRateLimited


@zoom_work_handler(MEETING_SYNC_KIND)
def sync_meeting(item: WorkItem) -> None:
    zoom_meeting_sync(session_id=int(item.payload["session_id"]))


@zoom_work_handler(REGISTRANT_SYNC_KIND)
def sync_registrant(item: WorkItem) -> None:
    zoom_registrant_sync(registration_id=int(item.payload["registration_id"]))


@zoom_work_handler(REGISTRANTS_BATCH_KIND)
def register_batch(item: WorkItem) -> None:
    session_id = int(item.payload["session_id"])
    try:
        zoom_registrants_batch(session_id=session_id)
    except (ZoomAccountUnusable, ZoomRateLimited):
        raise
    except ZoomError as error:
        problem = zoom_problem(error)
        if problem.retryable:
            raise
        # Zoom will not take them as things are (a full meeting, registration off): say why on
        # each registration still waiting, instead of retrying the same refusal.
        for registration_id in LiveEventRegistration.objects.filter(
            session_id=session_id, status=RegistrationStatus.WAITING
        ).values_list("pk", flat=True):
            registration_zoom_failed(registration_id=registration_id, problem=problem.sentence)


# The intake's table of event handlers, extended (not replaced) with the meeting events.
for _event_type, _handler in MEETING_WEBHOOK_HANDLERS.items():
    WEBHOOK_HANDLERS.setdefault(_event_type, _handler)
