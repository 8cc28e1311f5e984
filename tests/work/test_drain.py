"""A worker keeps claiming due rows from the database after its bell, instead of one row a message.

This is what makes work flow at the database's pace (issue 6: 4 items a second with the broker's
polling setting the pace): bench/work_throughput.py measures it, these tests pin the behaviour.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.work.sample_handlers import markers_for
from work.models import WorkItem, WorkState
from work.services import work_claim, work_claim_next, work_enqueue
from work.tasks import run_work_item

pytestmark = pytest.mark.django_db


def enqueue(**options: object) -> WorkItem:
    return work_enqueue(kind="test.record", subject="session:1", payload={}, **options)  # type: ignore[arg-type]


def test_one_bell_runs_every_due_row() -> None:
    due = [enqueue() for _number in range(5)]  # their bells never ring: no commit in a test
    later = enqueue(run_at=timezone.now() + timedelta(minutes=5))

    run_work_item(due[0].pk)  # as a worker runs the `work.run` message of the first row

    for item in due:
        item.refresh_from_db()
        assert (item.state, item.attempts) == (WorkState.DONE, 1)
        assert markers_for(item) == 1
    later.refresh_from_db()
    assert later.state == WorkState.PENDING


def test_a_bell_for_work_already_done_still_drains_the_rest() -> None:
    first = enqueue()
    run_work_item(first.pk)
    waiting = enqueue()

    run_work_item(first.pk)  # a late duplicate bell: nothing to do for its own row

    waiting.refresh_from_db()
    assert waiting.state == WorkState.DONE
    assert markers_for(first) == 1


def test_claim_next_takes_the_row_due_longest_ago_first() -> None:
    newer = enqueue()
    older = enqueue(run_at=timezone.now() - timedelta(minutes=1))
    enqueue(run_at=timezone.now() + timedelta(minutes=5))  # not yet due

    claimed = [work_claim_next(worker="worker-a") for _round in range(3)]

    assert [item.pk if item else None for item in claimed] == [older.pk, newer.pk, None]
    first = claimed[0]
    assert first is not None
    assert (first.state, first.attempts, first.rung_at) == (WorkState.RUNNING, 1, None)
    assert first.locked_by.startswith("worker-a#")
    assert first.lease_expires_at is not None
    assert first.lease_expires_at > timezone.now()


def test_claim_next_takes_over_a_row_whose_worker_died() -> None:
    item = enqueue()
    assert work_claim(item_id=item.pk, worker="killed-worker") is not None
    assert work_claim_next(worker="worker-b") is None  # its lease runs: the worker may be alive
    WorkItem.objects.filter(pk=item.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    taken = work_claim_next(worker="worker-b")

    assert taken is not None
    assert (taken.pk, taken.attempts) == (item.pk, 2)
    assert taken.locked_by.startswith("worker-b#")
