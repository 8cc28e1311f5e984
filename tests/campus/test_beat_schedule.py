"""Beat runs every periodic task: its own scheduler, built as `celery worker --beat` builds it,
holds each entry, and each names a task the worker knows."""

from __future__ import annotations

from pathlib import Path

from celery.beat import PersistentScheduler

from campus.celery import app

PERIODIC = {
    "work.sweep": 5.0,
    "zoom_integration.webhook_spool_drain": 15.0,
    "zoom_integration.reauth_reminders": 3600.0,
    "zoom_integration.credential_checks": 3600.0,
    "zoom_integration.attendance_poll": 300.0,
    "zoom_integration.recording_polls": 300.0,
}


def test_beats_own_scheduler_holds_every_periodic_task(tmp_path: Path) -> None:
    app.loader.import_default_modules()
    scheduler = PersistentScheduler(app=app, schedule_filename=str(tmp_path / "beat"), lazy=False)
    try:
        scheduled = {
            entry.task: entry.schedule.run_every.total_seconds()
            for entry in scheduler.schedule.values()
            if entry.task != "celery.backend_cleanup"
        }
    finally:
        scheduler.close()

    assert scheduled == PERIODIC
    assert set(scheduled) <= set(app.tasks)
