"""The re-authentication reminder is a Celery task that beat runs every hour."""

from __future__ import annotations

from types import SimpleNamespace

from campus.celery import app
from zoom_integration.tasks import REMINDER_TASK, _schedule_reminders


def test_beat_schedules_the_reauth_reminder_hourly() -> None:
    app.loader.import_default_modules()
    _schedule_reminders(sender=SimpleNamespace(app=app))

    assert REMINDER_TASK in app.tasks
    entry = app.conf.beat_schedule["zoom-reauth-reminders"]
    assert entry == {"task": REMINDER_TASK, "schedule": 3600.0}
