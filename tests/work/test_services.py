from __future__ import annotations

from contextlib import suppress
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from organizations.models import Organization
from tests.work.sample_handlers import (
    CREDENTIALS_FIXED,
    MARKER,
    RATE_LIMIT_WAIT,
    markers_for,
)
from work.config import work_config
from work.handlers import register_handler
from work.models import WorkItem, WorkState
from work.services import (
    LAST_ERROR_LENGTH,
    work_cancel,
    work_claim,
    work_enqueue,
    work_pause,
    work_resume,
    work_run,
)
from work.tasks import sweep_work

pytestmark = pytest.mark.django_db


def enqueue(kind: str = "test.record", **options: object) -> WorkItem:
    return work_enqueue(kind=kind, subject="session:42", payload={"session_id": 42}, **options)  # type: ignore[arg-type]


def make_due(item: WorkItem) -> None:
    WorkItem.objects.filter(pk=item.pk).update(next_attempt_at=timezone.now())


def expire_lease(item: WorkItem) -> None:
    WorkItem.objects.filter(pk=item.pk).update(
        lease_expires_at=timezone.now() - timedelta(seconds=1)
    )


# --- Enqueue and dedupe ---------------------------------------------------------------------------


def test_enqueue_records_a_pending_row_due_now() -> None:
    before = timezone.now()
    item = enqueue(pause_group="zoom-account:7")

    item.refresh_from_db()
    assert item.state == WorkState.PENDING
    assert item.attempts == 0
    assert item.max_attempts == 8
    assert before <= item.next_attempt_at <= timezone.now()
    assert item.payload == {"session_id": 42}
    assert item.pause_group == "zoom-account:7"


def test_enqueueing_the_same_work_while_pending_returns_the_existing_row() -> None:
    first = enqueue(dedupe_key="zoom.meeting.create:session:42")
    second = enqueue(dedupe_key="zoom.meeting.create:session:42")

    assert second.pk == first.pk
    assert WorkItem.objects.filter(dedupe_key="zoom.meeting.create:session:42").count() == 1


def test_enqueueing_finished_work_again_arms_the_same_row() -> None:
    item = enqueue(dedupe_key="attendance:session:42")
    work_run(item_id=item.pk)

    again = enqueue(dedupe_key="attendance:session:42")

    assert again.pk == item.pk
    assert (again.state, again.attempts, again.finished_at) == (WorkState.PENDING, 0, None)
    assert work_run(item_id=item.pk).state == WorkState.DONE  # type: ignore[union-attr]
    assert markers_for(item) == 2


def test_work_enqueued_again_while_running_runs_once_more_afterwards() -> None:
    item = enqueue("test.changed_while_running", dedupe_key="meeting.update:session:42")

    after_first = work_run(item_id=item.pk)
    assert after_first is not None
    assert (after_first.state, after_first.rerun_requested) == (WorkState.PENDING, False)

    after_second = work_run(item_id=item.pk)
    assert after_second is not None
    assert after_second.state == WorkState.DONE
    assert markers_for(item) == 2


# --- Outcomes -------------------------------------------------------------------------------------


def test_a_handler_that_returns_marks_the_work_done_with_its_writes() -> None:
    item = enqueue()

    finished = work_run(item_id=item.pk)

    assert finished is not None
    assert finished.state == WorkState.DONE
    assert finished.attempts == 1
    assert finished.finished_at is not None
    assert (finished.locked_by, finished.lease_expires_at, finished.last_error) == ("", None, "")
    assert markers_for(item) == 1


def test_done_work_is_not_run_again() -> None:
    item = enqueue()
    work_run(item_id=item.pk)

    assert work_run(item_id=item.pk) is None
    assert markers_for(item) == 1


def test_retry_later_reschedules_at_the_named_time_without_counting_an_attempt() -> None:
    item = enqueue("test.rate_limited")
    before = timezone.now()

    retried = work_run(item_id=item.pk)

    assert retried is not None
    assert retried.state == WorkState.PENDING
    assert retried.attempts == 0
    assert before + RATE_LIMIT_WAIT <= retried.next_attempt_at <= timezone.now() + RATE_LIMIT_WAIT
    assert retried.last_error == "rate limited by Zoom (429)"
    assert markers_for(item) == 0  # its writes went with the attempt
    assert work_run(item_id=item.pk) is None  # not due before Zoom's time


def test_a_failing_handler_backs_off_exponentially_with_jitter() -> None:
    base = work_config().backoff_base
    item = enqueue("test.broken")

    delays = []
    for _attempt in range(3):
        make_due(item)
        started = timezone.now()
        failed = work_run(item_id=item.pk)
        assert failed is not None
        assert failed.state == WorkState.PENDING
        delays.append(failed.next_attempt_at - started)

    assert failed.attempts == 3
    for attempt, delay in enumerate(delays, start=1):
        step = base * 2 ** (attempt - 1)
        # half to full step, give or take the time the attempt itself took
        assert step / 2 - timedelta(seconds=1) <= delay <= step + timedelta(seconds=1)
    assert markers_for(item) == 0


def test_last_error_is_one_short_line() -> None:
    item = enqueue("test.broken")

    failed = work_run(item_id=item.pk)

    assert failed is not None
    assert failed.last_error.startswith("RuntimeError: zoom answered 500 xxx")
    assert "\n" not in failed.last_error
    assert len(failed.last_error) <= LAST_ERROR_LENGTH


def test_work_fails_for_good_after_max_attempts() -> None:
    item = enqueue("test.broken", max_attempts=2)

    make_due(item)
    assert work_run(item_id=item.pk).state == WorkState.PENDING  # type: ignore[union-attr]
    make_due(item)
    failed = work_run(item_id=item.pk)

    assert failed is not None
    assert (failed.state, failed.attempts) == (WorkState.FAILED, 2)
    assert failed.finished_at is not None
    assert failed.last_error.startswith("RuntimeError")
    make_due(item)
    assert work_run(item_id=item.pk) is None


def test_an_unknown_kind_is_a_failed_attempt() -> None:
    item = enqueue("test.nobody_handles_this")

    failed = work_run(item_id=item.pk)

    assert failed is not None
    assert (failed.state, failed.attempts) == (WorkState.PENDING, 1)
    assert "no handler registered" in failed.last_error


def test_register_handler_refuses_a_second_handler_for_a_kind() -> None:
    def another(item: WorkItem) -> None:
        raise AssertionError("never runs")

    with pytest.raises(ValueError, match="already has a handler"):
        register_handler("test.record")(another)


# --- Pause, resume, cancel ------------------------------------------------------------------------


def test_pause_work_pauses_its_group_and_resume_brings_it_back(
    django_capture_on_commit_callbacks, eager_bell
) -> None:
    dead = enqueue("test.needs_credentials", pause_group="zoom-account:7")
    waiting = enqueue("test.record", pause_group="zoom-account:7")
    elsewhere = enqueue("test.record", pause_group="zoom-account:8")

    paused = work_run(item_id=dead.pk)

    assert paused is not None
    assert (paused.state, paused.attempts) == (WorkState.PAUSED, 0)
    assert paused.paused_reason == "Zoom refused the refresh token (invalid_grant)"
    waiting.refresh_from_db()
    elsewhere.refresh_from_db()
    assert waiting.state == WorkState.PAUSED
    assert elsewhere.state == WorkState.PENDING
    assert work_run(item_id=waiting.pk) is None  # paused work is not claimed

    WorkItem.objects.create(kind=CREDENTIALS_FIXED, state=WorkState.DONE)  # re-authenticated
    with django_capture_on_commit_callbacks(execute=True) as rung:
        assert work_resume(pause_group="zoom-account:7") == 2

    assert len(rung) == 2
    for item in (dead, waiting):
        item.refresh_from_db()
        assert (item.state, item.paused_reason) == (WorkState.DONE, "")
        assert markers_for(item) == 1


def test_work_pause_holds_waiting_work_of_the_group() -> None:
    item = enqueue(pause_group="zoom-account:7")

    assert work_pause(pause_group="zoom-account:7", reason="needs re-authentication") == 1

    item.refresh_from_db()
    assert (item.state, item.paused_reason) == (WorkState.PAUSED, "needs re-authentication")


def test_cancel_stops_waiting_work_of_that_organization_only() -> None:
    acme = Organization.objects.create(name="Acme", slug="acme")
    globex = Organization.objects.create(name="Globex", slug="globex")
    create = enqueue("test.record", organization=acme)
    paused = enqueue("test.record", organization=acme, pause_group="zoom-account:7")
    work_pause(pause_group="zoom-account:7", reason="needs re-authentication")
    other_kind = enqueue("test.broken", organization=acme)
    other_org = enqueue("test.record", organization=globex)

    assert work_cancel(organization=acme, kinds=["test.record"]) == 2

    states = {
        item.pk: WorkItem.objects.get(pk=item.pk).state
        for item in (create, paused, other_kind, other_org)
    }
    assert states == {
        create.pk: WorkState.CANCELLED,
        paused.pk: WorkState.CANCELLED,
        other_kind.pk: WorkState.PENDING,
        other_org.pk: WorkState.PENDING,
    }
    assert work_run(item_id=create.pk) is None
    assert work_cancel(organization=acme) == 1  # every kind


# --- The bell -------------------------------------------------------------------------------------


def test_the_bell_rings_only_after_commit(django_capture_on_commit_callbacks) -> None:
    with (
        django_capture_on_commit_callbacks() as rung,
        suppress(ZeroDivisionError),
        transaction.atomic(),
    ):
        enqueue(dedupe_key="rolled-back")
        raise ZeroDivisionError  # the caller's transaction fails after enqueueing

    assert rung == []
    assert not WorkItem.objects.filter(dedupe_key="rolled-back").exists()

    with django_capture_on_commit_callbacks() as rung:
        enqueue(dedupe_key="kept")

    # One bell, waiting for the commit (which a test's transaction never makes).
    assert len(rung) == 1
    assert WorkItem.objects.get(dedupe_key="kept").state == WorkState.PENDING


def test_the_bell_after_commit_runs_the_work(
    django_capture_on_commit_callbacks, eager_bell
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        item = enqueue()

    item.refresh_from_db()
    assert item.state == WorkState.DONE
    assert markers_for(item) == 1


def test_work_due_later_is_left_to_the_sweeper(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks() as rung:
        item = enqueue(run_at=timezone.now() + timedelta(minutes=5))

    assert rung == []
    assert work_run(item_id=item.pk) is None


# --- Claims, leases and the sweeper ---------------------------------------------------------------


def test_a_claim_is_exclusive_while_its_lease_lasts() -> None:
    item = enqueue()

    first = work_claim(item_id=item.pk, worker="worker-a")
    second = work_claim(item_id=item.pk, worker="worker-b")

    assert first is not None
    assert first.state == WorkState.RUNNING
    assert first.attempts == 1
    assert first.locked_by.startswith("worker-a#")
    assert first.lease_expires_at is not None
    assert first.lease_expires_at > timezone.now()
    assert second is None


def test_the_sweeper_reclaims_work_whose_worker_died(eager_bell) -> None:
    item = enqueue()
    abandoned = work_claim(item_id=item.pk, worker="killed-worker")  # then the worker died
    assert abandoned is not None
    assert sweep_work() == 0  # the lease still runs: the worker might be alive

    expire_lease(item)
    assert sweep_work() == 1

    item.refresh_from_db()
    assert (item.state, item.attempts) == (WorkState.DONE, 2)
    assert markers_for(item) == 1


def lose_bell(item: WorkItem) -> None:
    """Its bell rang long ago, and the message was lost in the broker."""
    long_ago = timezone.now() - work_config().ring_again - timedelta(seconds=1)
    WorkItem.objects.filter(pk=item.pk).update(rung_at=long_ago)


def test_the_sweeper_rings_for_due_work_whose_message_was_lost(eager_bell) -> None:
    due = enqueue()  # rung on commit (which a test's transaction never makes)
    later = enqueue(run_at=timezone.now() + timedelta(minutes=5))
    assert sweep_work() == 0  # just rung: its message is on its way

    lose_bell(due)
    assert sweep_work() == 1

    due.refresh_from_db()
    later.refresh_from_db()
    assert (due.state, later.state) == (WorkState.DONE, WorkState.PENDING)


def test_a_stale_worker_cannot_finish_work_reclaimed_from_it() -> None:
    item = enqueue()
    stale = work_claim(item_id=item.pk, worker="slow-worker")
    assert stale is not None
    expire_lease(item)

    finished = work_run(item_id=item.pk, worker="fresh-worker")
    assert finished is not None
    assert (finished.state, finished.attempts) == (WorkState.DONE, 2)

    # The slow worker's claim is gone: nothing it could write matches the row any more.
    assert not WorkItem.objects.filter(pk=item.pk, locked_by=stale.locked_by).exists()
    assert markers_for(item) == 1


def test_work_whose_worker_died_on_the_last_attempt_fails() -> None:
    item = enqueue(max_attempts=1)
    work_claim(item_id=item.pk, worker="killed-worker")
    expire_lease(item)

    assert work_run(item_id=item.pk) is None

    item.refresh_from_db()
    assert item.state == WorkState.FAILED
    assert item.last_error == "the worker was lost during the last allowed attempt"
    assert not WorkItem.objects.filter(kind=MARKER).exists()
