"""Celery tasks of the Zoom integration: thin, they call one service.

The re-authentication reminder runs every hour and emails only for connections still broken 24
hours after their last email; it registers its schedule with the Celery app here, so the project's
settings need not know about it.
"""

from __future__ import annotations

from typing import Any

from celery import Celery, shared_task
from celery.signals import beat_init

from zoom_integration.services.reauth import zoom_reauth_reminders_send

REMINDER_TASK = "zoom_integration.reauth_reminders"
REMINDER_EVERY_SECONDS = 3600.0


@shared_task(name=REMINDER_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def send_reauth_reminders() -> int:
    return zoom_reauth_reminders_send()


@beat_init.connect  # type: ignore[untyped-decorator]
def _schedule_reminders(sender: Any = None, **kwargs: Any) -> None:
    app: Celery = sender.app
    app.conf.beat_schedule.setdefault(
        "zoom-reauth-reminders", {"task": REMINDER_TASK, "schedule": REMINDER_EVERY_SECONDS}
    )
