"""The knobs of background work, read from Django settings with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class WorkConfig:
    # A running row whose lease has expired belongs to a dead worker and is claimed again. Keep it
    # longer than the slowest handler: on SQLite a slow live worker is fenced out, not stopped.
    lease: timedelta
    backoff_base: timedelta
    backoff_cap: timedelta
    sweep_batch: int


def work_config() -> WorkConfig:
    return WorkConfig(
        lease=timedelta(seconds=getattr(settings, "WORK_LEASE_SECONDS", 300)),
        backoff_base=timedelta(seconds=getattr(settings, "WORK_BACKOFF_BASE_SECONDS", 30)),
        backoff_cap=timedelta(seconds=getattr(settings, "WORK_BACKOFF_CAP_SECONDS", 3600)),
        sweep_batch=int(getattr(settings, "WORK_SWEEP_BATCH", 500)),
    )
