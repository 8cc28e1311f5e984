"""A running item is taken over soon after its worker dies, and never while its worker lives.

Real worker processes, as in test_killed_worker.py. The lease is short and renewed by a heartbeat
while the handler runs (work.leases), so:

- with Campus's own timing (a 15 s lease, a sweep every 5 s), the row of a SIGKILLed worker is
  claimed by the surviving worker within 30 s of the kill, for a handler inside its transaction
  (atomic) and for one that calls out (not atomic) alike;
- a live worker whose handler runs four times as long as the lease keeps its row: the other
  worker, sweeping every second, never starts a second attempt.
"""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.waiting import eventually
from tests.work.drill_handler import DRILL_KIND, SLOW_CALL_KIND
from tests.work.test_killed_worker import Drill, drill_database

TAKEOVER_DEADLINE_SECONDS = 30.0


def wait_until_ready(drill: Drill, name: str) -> None:
    eventually(
        lambda: " ready." in drill.log_of(name),
        timeout=60,
        interval=0.1,
        explain=lambda: drill.log_of(name),
    )


KINDS = [
    pytest.param(DRILL_KIND, (), "attempt-{}-started", id="atomic"),
    pytest.param(SLOW_CALL_KIND, ("120",), "slow-attempt-{}-started", id="not-atomic"),
]


def run_takeover(
    directory: Path,
    *,
    database_url: str,
    broker_url: str | None,
    kind: str,
    enqueue_arguments: tuple[str, ...],
    started_file: str,
) -> None:
    drill = Drill(directory, database_url, broker_url, production_timing=True)
    drill.migrate()
    with drill.worker("first") as first:
        wait_until_ready(drill, "first")
        drill.driver("enqueue", kind, *enqueue_arguments)
        drill.wait_for(directory / started_file.format(1), timeout=60, worker="first")
        with drill.worker("survivor"):
            wait_until_ready(drill, "survivor")
            os.killpg(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            killed_at = time.monotonic()

            drill.wait_for(
                directory / started_file.format(2),
                timeout=TAKEOVER_DEADLINE_SECONDS + 15,
                worker="survivor",
            )
            taken_over_after = time.monotonic() - killed_at

            def done() -> dict[str, Any] | None:
                found = drill.driver("report", kind)
                return found if found["state"] == "done" else None

            report = eventually(done, timeout=30, interval=0.5)

    print(f"taken over {taken_over_after:.1f} s after the kill")
    assert taken_over_after < TAKEOVER_DEADLINE_SECONDS
    assert report["attempts"] == 2
    assert report["marker_attempts"] == [2]  # the killed attempt committed nothing


@pytest.mark.timeout(180)
@pytest.mark.parametrize(("kind", "enqueue_arguments", "started_file"), KINDS)
def test_a_killed_workers_item_is_taken_over_within_30_seconds(
    tmp_path: Path, kind: str, enqueue_arguments: tuple[str, ...], started_file: str
) -> None:
    """The embedded default: SQLite file and the filesystem broker."""
    with drill_database(None, tmp_path) as database_url:
        run_takeover(
            tmp_path,
            database_url=database_url,
            broker_url=None,
            kind=kind,
            enqueue_arguments=enqueue_arguments,
            started_file=started_file,
        )


@pytest.mark.services
@pytest.mark.timeout(180)
@pytest.mark.parametrize(("kind", "enqueue_arguments", "started_file"), KINDS)
def test_a_killed_workers_item_is_taken_over_within_30_seconds_on_services(
    tmp_path: Path, kind: str, enqueue_arguments: tuple[str, ...], started_file: str
) -> None:
    """At scale: PostgreSQL (the dead worker's row lock goes with its connection) and Redis."""
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    database_url = os.environ.get("DATABASE_URL", "")
    if not broker_url.startswith("redis://") or not database_url.startswith("postgres"):
        pytest.skip("needs CELERY_BROKER_URL=redis://... and DATABASE_URL=postgres://...")
    with drill_database(database_url, tmp_path) as drill_database_url:
        run_takeover(
            tmp_path,
            database_url=drill_database_url,
            broker_url=broker_url,
            kind=kind,
            enqueue_arguments=enqueue_arguments,
            started_file=started_file,
        )


@pytest.mark.timeout(120)
def test_a_live_workers_long_running_item_is_not_taken_over(tmp_path: Path) -> None:
    """Lease 3 s, heartbeat every second, sweeps every second; the handler runs 12 s."""
    with drill_database(None, tmp_path) as database_url:
        drill = Drill(tmp_path, database_url, None)
        drill.migrate()
        with drill.worker("first"):
            wait_until_ready(drill, "first")
            drill.driver("enqueue", SLOW_CALL_KIND, "12")
            drill.wait_for(tmp_path / "slow-attempt-1-started", timeout=60, worker="first")
            with drill.worker("second"):
                wait_until_ready(drill, "second")

                def done() -> dict[str, Any] | None:
                    found = drill.driver("report", SLOW_CALL_KIND)
                    return found if found["state"] == "done" else None

                report = eventually(
                    done,
                    timeout=60,
                    interval=0.5,
                    explain=lambda: drill.log_of("first") + drill.log_of("second"),
                )
                swept_by_second = drill.log_of("second").count("work.sweep")

    assert not (tmp_path / "slow-attempt-2-started").exists(), "a second attempt started"
    assert report["attempts"] == 1
    assert report["marker_attempts"] == [1]
    assert swept_by_second >= 3, "the second worker was sweeping all along"
