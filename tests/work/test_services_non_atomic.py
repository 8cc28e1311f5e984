"""Handlers registered with `atomic=False` (those that call Zoom) run outside any transaction."""

from __future__ import annotations

import pytest

from tests.work.sample_handlers import markers_for, seen_in_transaction
from work.models import WorkItem, WorkState
from work.services import work_enqueue, work_run

# Real transactions: the point is what is and is not inside one.
pytestmark = pytest.mark.django_db(transaction=True)


def enqueue(kind: str) -> WorkItem:
    return work_enqueue(kind=kind, subject="session:7", payload={})


def test_a_non_atomic_handler_runs_outside_any_transaction_and_completes() -> None:
    seen_in_transaction.clear()
    item = enqueue("test.calls_out")

    finished = work_run(item_id=item.pk)

    assert finished is not None
    assert finished.state == WorkState.DONE
    assert seen_in_transaction == [False]
    assert markers_for(item) == 1


def test_what_a_non_atomic_handler_did_before_failing_stays_done() -> None:
    item = enqueue("test.calls_out_then_fails")

    finished = work_run(item_id=item.pk)

    assert finished is not None
    assert finished.state == WorkState.PENDING  # backing off for another attempt
    assert finished.attempts == 1
    assert "503" in finished.last_error
    assert markers_for(item) == 1


def test_a_non_atomic_handler_overtaken_by_another_worker_does_not_mark_the_row_done() -> None:
    item = enqueue("test.calls_out_and_is_overtaken")

    finished = work_run(item_id=item.pk)

    assert finished is not None
    assert finished.state == WorkState.RUNNING
    assert finished.locked_by == "another-worker:claim"
