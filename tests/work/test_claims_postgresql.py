"""On PostgreSQL a live worker's row lock, not just its lease, keeps a job from running twice."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.utils import timezone

from tests.work import sample_handlers
from tests.work.sample_handlers import markers_for
from work.models import WorkState
from work.selectors import work_due
from work.services import work_claim, work_enqueue, work_run

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row locks with SKIP LOCKED need PostgreSQL (DATABASE_URL=postgres://...)")


def test_a_claim_skips_work_whose_live_worker_overran_its_lease(settings) -> None:
    settings.WORK_LEASE_SECONDS = 0  # every lease has expired by the time anyone looks
    sample_handlers.blocking_started.clear()
    sample_handlers.blocking_release.clear()
    item = work_enqueue(kind="test.blocks_until_released", subject="session:1", payload={})

    def live_worker() -> None:
        try:
            work_run(item_id=item.pk, worker="live-worker")
        finally:
            connection.close()

    worker = threading.Thread(target=live_worker)
    worker.start()
    try:
        assert sample_handlers.blocking_started.wait(timeout=10)

        # The sweeper sees an expired lease and rings, but the claim skips the locked row.
        assert [due.pk for due in work_due(now=timezone.now(), limit=10)] == [item.pk]
        assert work_claim(item_id=item.pk, worker="second-worker") is None
    finally:
        sample_handlers.blocking_release.set()
        worker.join(timeout=30)

    item.refresh_from_db()
    assert (item.state, item.attempts) == (WorkState.DONE, 1)
    assert markers_for(item) == 1
