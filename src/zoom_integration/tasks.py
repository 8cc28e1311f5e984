"""Celery tasks of the Zoom integration: thin, they call one service.

Beat runs them on the schedule in settings (CELERY_BEAT_SCHEDULE):
- the re-authentication reminder (hourly) emails only for connections still broken 24 hours after
  their last email;
- the credentials check (hourly) enqueues one light check per connected account Zoom has not
  accepted for a few hours (the check itself is a work row: durable, retried, paced);
- the webhook spool is drained every 15 seconds: deliveries the database could not take within
  Zoom's deadline are stored once it can (an empty spool costs one directory listing).
"""

from __future__ import annotations

from celery import shared_task

from zoom_integration.services.credentials_check import zoom_credential_checks_enqueue
from zoom_integration.services.reauth import zoom_reauth_reminders_send
from zoom_integration.services.webhooks import zoom_webhook_spool_drain

REMINDER_TASK = "zoom_integration.reauth_reminders"
REMINDER_EVERY_SECONDS = 3600.0
CREDENTIAL_CHECKS_TASK = "zoom_integration.credential_checks"
CREDENTIAL_CHECKS_EVERY_SECONDS = 3600.0
SPOOL_DRAIN_TASK = "zoom_integration.webhook_spool_drain"
SPOOL_DRAIN_EVERY_SECONDS = 15.0


@shared_task(name=REMINDER_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def send_reauth_reminders() -> int:
    return zoom_reauth_reminders_send()


@shared_task(name=CREDENTIAL_CHECKS_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def enqueue_credential_checks() -> int:
    return zoom_credential_checks_enqueue()


@shared_task(name=SPOOL_DRAIN_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def drain_webhook_spool() -> int:
    return zoom_webhook_spool_drain()
