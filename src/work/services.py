"""Writes of background work: enqueue, claim, run, pause, resume, cancel, and ringing the bell.

The row is the job. A queue message ("the bell") only says "look at row N"; losing one costs a
sweep interval. Every state change is a conditional UPDATE, so two workers, a sweeper and a person
pressing a button can race freely: the database decides who wins.
"""

from __future__ import annotations

import logging
import os
import socket
import time
import uuid
from collections.abc import Iterable
from contextlib import suppress
from datetime import datetime
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import (
    F,
    Q,
    QuerySet,
)
from django.utils import timezone

from organizations.models import Organization
from work import claim_sql
from work.backoff import backoff_delay
from work.config import work_config
from work.handlers import PauseWork, RetryLater, handler_for
from work.leases import lease_keeper
from work.models import FINISHED_STATES, WorkItem, WorkState
from work.selectors import work_due

logger = logging.getLogger(__name__)

LAST_ERROR_LENGTH = 300
# Bounded retries of the enqueue race (a row changing state between our read and our write).
_ENQUEUE_RACE_ROUNDS = 5
# How many abandoned rows a worker looking for work tries to take over.
_CLAIM_NEXT_ROUNDS = 3


class ClaimLost(Exception):
    """Another worker claimed the row after our lease expired: our attempt must not count."""


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


# --- Enqueue ------------------------------------------------------------------------------------


def work_enqueue(
    *,
    kind: str,
    subject: str,
    payload: dict[str, Any],
    organization: Organization | None = None,
    dedupe_key: str | None = None,
    run_at: datetime | None = None,
    pause_group: str = "",
    max_attempts: int = 8,
) -> WorkItem:
    """Record a piece of work and ring the bell once the caller's transaction commits.

    With a `dedupe_key` the same piece of work is one row: while it waits (pending, paused) the
    existing row is returned unchanged; while it runs, it is marked to run once more afterwards (the
    running handler may have read the state before the change that caused this enqueue); once
    finished (done, failed, cancelled) it is armed again as a fresh pending row.
    """
    due = run_at or timezone.now()
    if dedupe_key is not None:
        existing = WorkItem.objects.filter(dedupe_key=dedupe_key).first()
        if existing is not None:
            return _enqueue_again(existing, due=due)
    try:
        with transaction.atomic():
            item = WorkItem.objects.create(
                organization=organization,
                kind=kind,
                subject=subject,
                dedupe_key=dedupe_key,
                payload=payload,
                next_attempt_at=due,
                rung_at=_rung_at(due),
                pause_group=pause_group,
                max_attempts=max_attempts,
            )
    except IntegrityError:
        if dedupe_key is None:
            raise
        # A concurrent enqueue of the same work committed first: it is the one row.
        return _enqueue_again(WorkItem.objects.get(dedupe_key=dedupe_key), due=due)
    _ring_when_due(item.pk, due=due)
    return item


def _enqueue_again(item: WorkItem, *, due: datetime) -> WorkItem:
    rows = WorkItem.objects.filter(pk=item.pk)
    for _round in range(_ENQUEUE_RACE_ROUNDS):
        if item.state in (WorkState.PENDING, WorkState.PAUSED):
            return item
        if item.state == WorkState.RUNNING:
            if rows.filter(state=WorkState.RUNNING).update(rerun_requested=True):
                return WorkItem.objects.get(pk=item.pk)
        elif rows.filter(state__in=FINISHED_STATES).update(
            state=WorkState.PENDING,
            attempts=0,
            next_attempt_at=due,
            rung_at=_rung_at(due),
            finished_at=None,
            last_error="",
            paused_reason="",
            rerun_requested=False,
            updated_at=timezone.now(),
        ):
            _ring_when_due(item.pk, due=due)
            return WorkItem.objects.get(pk=item.pk)
        item = WorkItem.objects.get(pk=item.pk)  # its state moved under us: look again
    return item


# --- Claim and run ------------------------------------------------------------------------------


def _claimable(now: datetime) -> Q:
    due_pending = Q(state=WorkState.PENDING, next_attempt_at__lte=now)
    # A running row whose lease expired was left by a killed worker; it may be tried again only if
    # attempts remain (a job that kills its worker every time must not loop forever).
    abandoned = Q(state=WorkState.RUNNING, lease_expires_at__lt=now, attempts__lt=F("max_attempts"))
    return due_pending | abandoned


def _due_or_abandoned(now: datetime) -> Q:
    """Rows a bell can do something about: claim them, or fail them (no attempts left)."""
    return Q(state=WorkState.PENDING, next_attempt_at__lte=now) | Q(
        state=WorkState.RUNNING, lease_expires_at__lt=now
    )


def _new_claim(worker: str) -> str:
    return f"{worker}#{uuid.uuid4().hex[:12]}"


def work_claim(*, item_id: int, worker: str) -> WorkItem | None:
    """Take row `item_id` for `worker` if it is due; None if it is not due or someone else has it.

    Claiming commits at once (attempts + 1, a lease): a worker killed afterwards leaves a running
    row whose lease expires, which the sweeper rings for again.
    """
    now = timezone.now()
    rows = WorkItem.objects.filter(pk=item_id)
    # A read first: in a busy queue most bells find their row already done by a draining worker,
    # and saying "nothing to do" must not take SQLite's write lock.
    if not rows.filter(_due_or_abandoned(now)).exists():
        return None
    with transaction.atomic():
        _fail_abandoned_last_attempt(item_id=item_id, now=now)
        # PostgreSQL: a row locked by a live worker's handler transaction is skipped, not waited
        # for, so an overrun lease never runs the same job twice side by side. SQLite has one
        # writer at a time, and the conditional UPDATE below decides alone.
        locked_elsewhere = connection.features.has_select_for_update_skip_locked and not (
            rows.filter(_claimable(now)).select_for_update(skip_locked=True).exists()
        )
        if locked_elsewhere or not _take(rows, now=now, claim=_new_claim(worker)):
            return None
    return WorkItem.objects.get(pk=item_id)


def work_claim_next(*, worker: str) -> WorkItem | None:
    """Take the due row that has waited longest, else a row whose worker died; None if none.

    This is how a worker keeps going without waiting for the broker: the rows are the queue.
    """
    now = timezone.now()
    item = claim_sql.claim_next_due(
        now=now, lease_until=now + work_config().lease, claim=_new_claim(worker)
    )
    if item is not None:
        return item
    abandoned = WorkItem.objects.filter(state=WorkState.RUNNING, lease_expires_at__lt=now)
    for abandoned_id in abandoned.order_by("lease_expires_at", "pk").values_list("pk", flat=True)[
        :_CLAIM_NEXT_ROUNDS
    ]:
        item = work_claim(item_id=abandoned_id, worker=worker)
        if item is not None:
            return item
    return None


def _take(rows: QuerySet[WorkItem], *, now: datetime, claim: str) -> bool:
    """The claim itself: one conditional UPDATE, so of two workers only one can win the row."""
    return bool(
        rows.filter(_claimable(now)).update(
            state=WorkState.RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + work_config().lease,
            locked_by=claim,
            rung_at=None,  # the bell is answered; if this worker dies the sweeper rings anew
            updated_at=now,
        )
    )


def _fail_abandoned_last_attempt(*, item_id: int, now: datetime) -> None:
    failed = WorkItem.objects.filter(
        pk=item_id,
        state=WorkState.RUNNING,
        lease_expires_at__lt=now,
        attempts__gte=F("max_attempts"),
    ).update(
        state=WorkState.FAILED,
        finished_at=now,
        last_error="the worker was lost during the last allowed attempt",
        **_unclaimed(now),
    )
    if failed:
        logger.error("work.failed", extra={"work_item_id": item_id, "cause": "worker_lost"})


def work_run(*, item_id: int, worker: str | None = None) -> WorkItem | None:
    """Claim row `item_id`, run its handler, and record the outcome. None if it was not claimable.

    An atomic handler's database writes and the row turning done commit in one transaction: a
    worker killed half-way leaves neither, so the next attempt starts clean and the work completes
    once. A non-atomic handler (one that calls Zoom) runs outside any transaction; its own writes
    are idempotent, and the row turns done only if this worker still holds the claim.
    """
    item = work_claim(item_id=item_id, worker=worker or default_worker_name())
    if item is None:
        return None
    _attempt(item)
    return WorkItem.objects.get(pk=item.pk)


def work_drain(*, worker: str | None = None, seconds: float | None = None) -> int:
    """Claim and run due rows one after another until none is due; how many attempts were run.

    After `seconds` (WORK_DRAIN_SECONDS) with work still due, it rings once and returns, so that
    the worker's other messages (the sweep, other tasks) get their turn and the draining goes on
    from a fresh message.
    """
    worker = worker or default_worker_name()
    budget = work_config().drain.total_seconds() if seconds is None else seconds
    deadline = time.monotonic() + budget
    ran = 0
    while time.monotonic() < deadline:
        item = work_claim_next(worker=worker)
        if item is None:
            return ran
        _attempt(item)
        ran += 1
    still_due = (
        WorkItem.objects.filter(state=WorkState.PENDING, next_attempt_at__lte=timezone.now())
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1]
    )
    for item_id in still_due:
        ring(item_id)
    return ran


def _attempt(item: WorkItem) -> None:
    """Run the handler of the claimed `item` and record the outcome of the attempt."""
    claim = item.locked_by
    try:
        handler = handler_for(item.kind)
        if handler.atomic:
            with transaction.atomic():
                _hold_claim(item_id=item.pk, claim=claim, lock=True)
                handler.run(item)
                _record_done(item_id=item.pk, claim=claim)
        else:
            # It may run for minutes (a download): the heartbeat keeps the short lease alive.
            with lease_keeper.keeping(item_id=item.pk, claim=claim):
                _hold_claim(item_id=item.pk, claim=claim, lock=False)
                handler.run(item)
            with transaction.atomic():
                _record_done(item_id=item.pk, claim=claim)
    except ClaimLost:
        logger.warning("work.claim_lost", extra={"work_item_id": item.pk, "kind": item.kind})
    except RetryLater as retry:
        _record_retry_later(item, claim=claim, at=retry.at, reason=retry.reason)
    except PauseWork as pause:
        _record_paused(item, claim=claim, group=pause.group, reason=pause.reason)
    except Exception as error:
        logger.warning(
            "work.attempt_failed",
            extra={"work_item_id": item.pk, "kind": item.kind, "attempt": item.attempts},
            exc_info=True,
        )
        _record_failed_attempt(item, claim=claim, error=error)


def _hold_claim(*, item_id: int, claim: str, lock: bool) -> None:
    """Raise ClaimLost unless this worker's claim on the row still stands (a worker whose lease
    ran out and was overtaken must not run the handler). With `lock` (inside the handler's
    transaction) it also locks the row on PostgreSQL, so that no other worker can claim it while
    the handler runs; without, it only reads (a write outside a transaction would cost a commit)."""
    if lock:
        held = claim_sql.hold(item_id=item_id, claim=claim, now=timezone.now())
    else:
        held = _held(item_id, claim=claim).exists()
    if not held:
        raise ClaimLost


def _record_done(*, item_id: int, claim: str) -> None:
    state = claim_sql.finish(item_id=item_id, claim=claim, now=timezone.now())
    if state is None:
        raise ClaimLost  # rolls the handler's writes back with it
    if state == WorkState.PENDING:  # enqueued again while it ran: once more, now
        _ring_when_due(item_id, due=timezone.now())


def _record_retry_later(item: WorkItem, *, claim: str, at: datetime, reason: str) -> None:
    now = timezone.now()
    at = max(at, now)
    released = _held(item.pk, claim=claim).update(
        state=WorkState.PENDING,
        # Waiting for a rate limit is not a failure: the attempt is given back.
        attempts=F("attempts") - 1,
        next_attempt_at=at,
        last_error=_short(reason or "retry later"),
        **{**_unclaimed(now), "rung_at": _rung_at(at)},
    )
    if released:
        logger.info(
            "work.retry_later",
            extra={"work_item_id": item.pk, "kind": item.kind, "at": at.isoformat()},
        )
        _ring_when_due(item.pk, due=at)


def _record_paused(item: WorkItem, *, claim: str, group: str, reason: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        paused = _held(item.pk, claim=claim).update(
            state=WorkState.PAUSED,
            # Waiting for a person to mend the credentials is not a failure either.
            attempts=F("attempts") - 1,
            pause_group=group,
            paused_reason=_short(reason),
            **_unclaimed(now),
        )
        if paused:
            # The cause (dead credentials) stops the whole group, not just this row.
            work_pause(pause_group=group, reason=reason)
    if paused:
        logger.warning(
            "work.paused", extra={"work_item_id": item.pk, "kind": item.kind, "group": group}
        )


def _record_failed_attempt(item: WorkItem, *, claim: str, error: Exception) -> None:
    now = timezone.now()
    last_error = _short(f"{type(error).__name__}: {error}")
    if item.attempts >= item.max_attempts:
        failed = _held(item.pk, claim=claim).update(
            state=WorkState.FAILED, finished_at=now, last_error=last_error, **_unclaimed(now)
        )
        if failed:
            logger.error("work.failed", extra={"work_item_id": item.pk, "kind": item.kind})
        return
    config = work_config()
    due = now + backoff_delay(
        attempt=item.attempts, base=config.backoff_base, cap=config.backoff_cap
    )
    _held(item.pk, claim=claim).update(
        state=WorkState.PENDING, next_attempt_at=due, last_error=last_error, **_unclaimed(now)
    )


def _held(item_id: int, *, claim: str) -> QuerySet[WorkItem]:
    """The row, only while this attempt still holds it (a stale worker writes nothing)."""
    return WorkItem.objects.filter(pk=item_id, state=WorkState.RUNNING, locked_by=claim)


def _unclaimed(now: datetime) -> dict[str, Any]:
    """What every end of an attempt writes: no worker holds the row any more, a rerun asked
    for while it ran is settled (a row due again needs none; a failed one waits for a person), and
    no bell has been rung for it yet (the sweeper rings it once it is due)."""
    return {
        "lease_expires_at": None,
        "locked_by": "",
        "rerun_requested": False,
        "rung_at": None,
        "updated_at": now,
    }


def _short(text: str) -> str:
    """One line, bounded: last_error is shown to people, and must not carry a whole response."""
    flat = " ".join(text.split())
    if len(flat) <= LAST_ERROR_LENGTH:
        return flat
    return flat[: LAST_ERROR_LENGTH - 1] + "…"


# --- Pause, resume, cancel ----------------------------------------------------------------------


def work_pause(*, pause_group: str, reason: str) -> int:
    """Hold all waiting work of `pause_group`; running work finishes or pauses itself."""
    if not pause_group:
        raise ValueError("pause_group must name a group")
    return WorkItem.objects.filter(pause_group=pause_group, state=WorkState.PENDING).update(
        state=WorkState.PAUSED, paused_reason=_short(reason), updated_at=timezone.now()
    )


def work_resume(*, pause_group: str) -> int:
    """Make the paused work of `pause_group` due now, and ring for it after commit."""
    if not pause_group:
        raise ValueError("pause_group must name a group")
    now = timezone.now()
    paused = WorkItem.objects.filter(pause_group=pause_group, state=WorkState.PAUSED)
    item_ids = list(paused.values_list("pk", flat=True))
    resumed = WorkItem.objects.filter(pk__in=item_ids, state=WorkState.PAUSED).update(
        state=WorkState.PENDING, next_attempt_at=now, paused_reason="", rung_at=now, updated_at=now
    )
    for item_id in item_ids:
        _ring_when_due(item_id, due=now)
    if resumed:
        logger.info("work.resumed", extra={"group": pause_group, "count": resumed})
    return resumed


def work_cancel(*, organization: Organization, kinds: Iterable[str] | None = None) -> int:
    """Cancel the organization's waiting work (of `kinds`, or all); returns how many rows.

    A handler already running finishes its attempt, but is not run again afterwards.
    """
    now = timezone.now()
    rows = WorkItem.objects.filter(organization=organization)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    rows.filter(state=WorkState.RUNNING).update(rerun_requested=False, updated_at=now)
    return rows.filter(state__in=(WorkState.PENDING, WorkState.PAUSED)).update(
        state=WorkState.CANCELLED, finished_at=now, rerun_requested=False, updated_at=now
    )


# --- The bell -----------------------------------------------------------------------------------


def work_ring_due(*, now: datetime, limit: int) -> int:
    """The sweeper: ring once for each due pending row and each abandoned running row (bounded).

    A row already rung is left alone for WORK_RING_AGAIN_SECONDS: its message is in the broker,
    and a worker draining due rows reaches it anyway. Ringing it on every sweep would multiply the
    broker's messages by the backlog's age in sweeps (issue 6: tripled after a restart).
    """
    due = work_due(now=now, limit=limit, not_rung_since=now - work_config().ring_again)
    if not due:
        return 0
    item_ids = [item.pk for item in due]
    WorkItem.objects.filter(_due_or_abandoned(now), pk__in=item_ids).update(rung_at=now)
    for item_id in item_ids:
        ring(item_id)
    logger.info("work.swept", extra={"count": len(item_ids)})
    return len(item_ids)


def ring(item_id: int) -> None:
    """Send the `work.run` message for row `item_id`. Best effort: the sweeper covers a miss."""
    # Imported here because the tasks module is built on these services.
    from work.tasks import run_work_item

    try:
        run_work_item.delay(item_id)
    except Exception:
        logger.warning("work.bell_failed", extra={"work_item_id": item_id}, exc_info=True)
        # Not rung after all: the next sweep rings it, not one after the ring-again interval.
        with suppress(DatabaseError):
            WorkItem.objects.filter(pk=item_id).update(rung_at=None)


def _rung_at(due: datetime) -> datetime | None:
    """What `rung_at` becomes for a row due at `due`: now if the bell rings at once (on commit),
    None if it waits for the sweeper."""
    now = timezone.now()
    return now if due <= now else None


def _ring_when_due(item_id: int, *, due: datetime) -> None:
    """Ring after the surrounding transaction commits; work due later is left to the sweeper."""
    if due <= timezone.now():
        transaction.on_commit(lambda: ring(item_id))
