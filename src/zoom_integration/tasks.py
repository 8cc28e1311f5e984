"""Celery tasks of the Zoom integration: thin, they call one service.

The re-authentication reminder runs every hour and emails only for connections still broken 24
hours after their last email. The webhook spool is drained every 15 seconds: deliveries the
database could not take within Zoom's deadline are stored once it can (an empty spool costs one
directory listing). Both register their schedules with the Celery app here, so the project's
settings need not know about them.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, shared_task
from celery.signals import beat_init

from zoom_integration.services.reauth import zoom_reauth_reminders_send
from zoom_integration.services.webhooks import zoom_webhook_spool_drain

REMINDER_TASK = "zoom_integration.reauth_reminders"
REMINDER_EVERY_SECONDS = 3600.0
SPOOL_DRAIN_TASK = "zoom_integration.webhook_spool_drain"
SPOOL_DRAIN_EVERY_SECONDS = 15.0


@shared_task(name=REMINDER_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def send_reauth_reminders() -> int:
    return zoom_reauth_reminders_send()


@shared_task(name=SPOOL_DRAIN_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def drain_webhook_spool() -> int:
    return zoom_webhook_spool_drain()


@beat_init.connect  # type: ignore[untyped-decorator]
def _schedule_reminders(sender: Any = None, **kwargs: Any) -> None:
    app: Celery = sender.app
    app.conf.beat_schedule.setdefault(
        "zoom-reauth-reminders", {"task": REMINDER_TASK, "schedule": REMINDER_EVERY_SECONDS}
    )


@beat_init.connect  # type: ignore[untyped-decorator]
def _schedule_spool_drain(sender: Any = None, **kwargs: Any) -> None:
    app: Celery = sender.app
    app.conf.beat_schedule.setdefault(
        "zoom-webhook-spool-drain",
        {"task": SPOOL_DRAIN_TASK, "schedule": SPOOL_DRAIN_EVERY_SECONDS},
    )
