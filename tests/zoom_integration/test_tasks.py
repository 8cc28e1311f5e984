"""The periodic tasks of the Zoom integration are Celery tasks that beat runs every hour."""

from __future__ import annotations

from types import SimpleNamespace

from campus.celery import app
from zoom_integration.tasks import CREDENTIAL_CHECKS_TASK, REMINDER_TASK, _schedule_periodic_tasks


def test_beat_schedules_the_reauth_reminder_hourly() -> None:
    app.loader.import_default_modules()
    _schedule_periodic_tasks(sender=SimpleNamespace(app=app))

    assert REMINDER_TASK in app.tasks
    entry = app.conf.beat_schedule["zoom-reauth-reminders"]
    assert entry == {"task": REMINDER_TASK, "schedule": 3600.0}


def test_beat_schedules_the_credential_checks_hourly() -> None:
    app.loader.import_default_modules()
    _schedule_periodic_tasks(sender=SimpleNamespace(app=app))

    assert CREDENTIAL_CHECKS_TASK in app.tasks
    entry = app.conf.beat_schedule["zoom-credential-checks"]
    assert entry == {"task": CREDENTIAL_CHECKS_TASK, "schedule": 3600.0}
