"""Background work kinds of the Zoom integration (the `work` app runs them from database rows)."""

from __future__ import annotations

from work.handlers import register_handler
from work.models import WorkItem
from zoom_integration.services.credentials_check import (
    CREDENTIALS_CHECK_WORK_KIND,
    zoom_account_credentials_check,
)
from zoom_integration.services.revocation import REVOKE_WORK_KIND, zoom_grant_revoke
from zoom_integration.services.webhooks import WEBHOOK_WORK_KIND, zoom_webhook_event_process
from zoom_integration.zoom_work import zoom_work_handler


@register_handler(WEBHOOK_WORK_KIND)
def process_zoom_webhook(item: WorkItem) -> None:
    zoom_webhook_event_process(webhook_event_id=int(item.payload["webhook_event_id"]))


@zoom_work_handler(REVOKE_WORK_KIND)
def revoke_grant_at_zoom(item: WorkItem) -> None:
    zoom_grant_revoke(revocation_pk=int(item.payload["revocation_pk"]))


@zoom_work_handler(CREDENTIALS_CHECK_WORK_KIND)
def check_credentials_at_zoom(item: WorkItem) -> None:
    zoom_account_credentials_check(zoom_account_pk=int(item.payload["zoom_account_pk"]))
