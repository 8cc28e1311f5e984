"""Celery tasks of the Zoom integration: thin, they call one service.

Both run every hour from beat, and register their schedule with the Celery app here, so the
project's settings need not know about them:
- the re-authentication reminder emails only for connections still broken 24 hours after their
  last email;
- the credentials check enqueues one light check per connected account Zoom has not accepted for
  a few hours (the check itself is a work row: durable, retried, paced).
"""

from __future__ import annotations

from typing import Any

from celery import Celery, shared_task
from celery.signals import beat_init

from zoom_integration.services.credentials_check import zoom_credential_checks_enqueue
from zoom_integration.services.reauth import zoom_reauth_reminders_send

REMINDER_TASK = "zoom_integration.reauth_reminders"
REMINDER_EVERY_SECONDS = 3600.0
CREDENTIAL_CHECKS_TASK = "zoom_integration.credential_checks"
CREDENTIAL_CHECKS_EVERY_SECONDS = 3600.0


@shared_task(name=REMINDER_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def send_reauth_reminders() -> int:
    return zoom_reauth_reminders_send()


@shared_task(name=CREDENTIAL_CHECKS_TASK, ignore_result=True)  # type: ignore[untyped-decorator]
def enqueue_credential_checks() -> int:
    return zoom_credential_checks_enqueue()


@beat_init.connect  # type: ignore[untyped-decorator]
def _schedule_periodic_tasks(sender: Any = None, **kwargs: Any) -> None:
    app: Celery = sender.app
    app.conf.beat_schedule.setdefault(
        "zoom-reauth-reminders", {"task": REMINDER_TASK, "schedule": REMINDER_EVERY_SECONDS}
    )
    app.conf.beat_schedule.setdefault(
        "zoom-credential-checks",
        {"task": CREDENTIAL_CHECKS_TASK, "schedule": CREDENTIAL_CHECKS_EVERY_SECONDS},
    )
