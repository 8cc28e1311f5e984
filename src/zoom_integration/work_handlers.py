"""Background work kinds of the Zoom integration (the `work` app runs them from database rows)."""

from __future__ import annotations

from work.handlers import register_handler
from work.models import WorkItem
from zoom_integration.services.webhooks import WEBHOOK_WORK_KIND, zoom_webhook_event_process


@register_handler(WEBHOOK_WORK_KIND)
def process_zoom_webhook(item: WorkItem) -> None:
    zoom_webhook_event_process(webhook_event_id=int(item.payload["webhook_event_id"]))
