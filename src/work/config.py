"""The knobs of background work, read from Django settings with safe defaults."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings


@dataclass(frozen=True)
class WorkConfig:
    # A running row whose lease has expired belongs to a dead worker and is claimed again. A live
    # worker renews the lease of a non-atomic handler (one calling Zoom, possibly for minutes) by
    # a heartbeat every third of it, so the lease is short: a dead worker's row is taken over
    # within the lease plus a sweep interval. Atomic handlers are guarded by the database's locks
    # while they run (docs/work.md).
    lease: timedelta
    backoff_base: timedelta
    backoff_cap: timedelta
    sweep_batch: int
    # A due row that was rung is not rung again before this: its message is in the broker, and a
    # worker draining the queue of due rows reaches it anyway. Only a message lost inside the
    # broker waits this long.
    ring_again: timedelta
    # How long one `work.run` message keeps a worker thread claiming due rows one after another
    # before it hands over (rings once more) so that other messages get their turn.
    drain: timedelta

    @property
    def heartbeat(self) -> timedelta:
        return self.lease / 3


def work_config() -> WorkConfig:
    return WorkConfig(
        lease=timedelta(seconds=getattr(settings, "WORK_LEASE_SECONDS", 15)),
        backoff_base=timedelta(seconds=getattr(settings, "WORK_BACKOFF_BASE_SECONDS", 30)),
        backoff_cap=timedelta(seconds=getattr(settings, "WORK_BACKOFF_CAP_SECONDS", 3600)),
        sweep_batch=int(getattr(settings, "WORK_SWEEP_BATCH", 500)),
        ring_again=timedelta(seconds=getattr(settings, "WORK_RING_AGAIN_SECONDS", 120)),
        drain=timedelta(seconds=getattr(settings, "WORK_DRAIN_SECONDS", 10)),
    )
