"""Writes of background work: enqueue, claim, run, pause, resume, cancel, and ringing the bell.

The row is the job. A queue message ("the bell") only says "look at row N"; losing one costs a
sweep interval. Every state change is a conditional UPDATE, so two workers, a sweeper and a person
pressing a button can race freely: the database decides who wins.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    CharField,
    DateTimeField,
    F,
    PositiveIntegerField,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils import timezone

from organizations.models import Organization
from work.backoff import backoff_delay
from work.config import work_config
from work.handlers import PauseWork, RetryLater, handler_for
from work.models import FINISHED_STATES, WorkItem, WorkState
from work.selectors import work_due

logger = logging.getLogger(__name__)

LAST_ERROR_LENGTH = 300
# Bounded retries of the enqueue race (a row changing state between our read and our write).
_ENQUEUE_RACE_ROUNDS = 5


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


def work_claim(*, item_id: int, worker: str) -> WorkItem | None:
    """Take row `item_id` for `worker` if it is due; None if it is not due or someone else has it.

    Claiming commits at once (attempts + 1, a lease): a worker killed afterwards leaves a running
    row whose lease expires, which the sweeper rings for again.
    """
    now = timezone.now()
    claim = f"{worker}#{uuid.uuid4().hex[:12]}"
    rows = WorkItem.objects.filter(pk=item_id)
    with transaction.atomic():
        _fail_abandoned_last_attempt(item_id=item_id, now=now)
        # PostgreSQL: a row locked by a live worker's handler transaction is skipped, not waited
        # for, so an overrun lease never runs the same job twice side by side. SQLite has one
        # writer at a time, and the conditional UPDATE below decides alone.
        locked_elsewhere = connection.features.has_select_for_update_skip_locked and not (
            rows.filter(_claimable(now)).select_for_update(skip_locked=True).exists()
        )
        if locked_elsewhere:
            return None
        claimed = rows.filter(_claimable(now)).update(
            state=WorkState.RUNNING,
            attempts=F("attempts") + 1,
            lease_expires_at=now + work_config().lease,
            locked_by=claim,
            updated_at=now,
        )
    if not claimed:
        return None
    return WorkItem.objects.get(pk=item_id)


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
    claim = item.locked_by
    try:
        handler = handler_for(item.kind)
        if handler.atomic:
            with transaction.atomic():
                _hold_claim(item_id=item.pk, claim=claim, lock=True)
                handler.run(item)
                _record_done(item_id=item.pk, claim=claim)
        else:
            _hold_claim(item_id=item.pk, claim=claim, lock=False)
            handler.run(item)
            with transaction.atomic():
                _record_done(item_id=item.pk, claim=claim)
    except ClaimLost:
        logger.warning("work.claim_lost", extra={"work_item_id": item.pk, "kind": item.kind})
        return WorkItem.objects.get(pk=item.pk)
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
    return WorkItem.objects.get(pk=item.pk)


def _hold_claim(*, item_id: int, claim: str, lock: bool) -> None:
    """Raise ClaimLost unless this worker's claim on the row still stands (a worker whose lease
    ran out and was overtaken must not run the handler)."""
    fenced = _held(item_id, claim=claim)
    if lock:
        fenced = fenced.select_for_update()
    if not fenced.exists():
        raise ClaimLost


def _record_done(*, item_id: int, claim: str) -> None:
    now = timezone.now()
    asked_again = Q(rerun_requested=True)
    # One UPDATE, so an enqueue-while-running cannot slip in between a check and the write.
    finished = _held(item_id, claim=claim).update(
        state=Case(
            When(asked_again, then=Value(WorkState.PENDING.value)),
            default=Value(WorkState.DONE.value),
            output_field=CharField(),
        ),
        attempts=Case(
            When(asked_again, then=Value(0)),
            default=F("attempts"),
            output_field=PositiveIntegerField(),
        ),
        next_attempt_at=Case(
            When(asked_again, then=Value(now)),
            default=F("next_attempt_at"),
            output_field=DateTimeField(),
        ),
        finished_at=Case(
            When(asked_again, then=Value(None)),
            default=Value(now),
            output_field=DateTimeField(),
        ),
        last_error="",
        **_unclaimed(now),
    )
    if not finished:
        raise ClaimLost  # rolls the handler's writes back with it
    if WorkItem.objects.filter(pk=item_id, state=WorkState.PENDING).exists():
        _ring_when_due(item_id, due=now)


def _record_retry_later(item: WorkItem, *, claim: str, at: datetime, reason: str) -> None:
    now = timezone.now()
    at = max(at, now)
    released = _held(item.pk, claim=claim).update(
        state=WorkState.PENDING,
        # Waiting for a rate limit is not a failure: the attempt is given back.
        attempts=F("attempts") - 1,
        next_attempt_at=at,
        last_error=_short(reason or "retry later"),
        **_unclaimed(now),
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
    """What every end of an attempt writes: no worker holds the row any more, and a rerun asked
    for while it ran is settled (a row due again needs none; a failed one waits for a person)."""
    return {"lease_expires_at": None, "locked_by": "", "rerun_requested": False, "updated_at": now}


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
        state=WorkState.PENDING, next_attempt_at=now, paused_reason="", updated_at=now
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
    """The sweeper: ring for every due pending row and every abandoned running row (bounded)."""
    due = work_due(now=now, limit=limit)
    for item in due:
        ring(item.pk)
    if due:
        logger.info("work.swept", extra={"count": len(due)})
    return len(due)


def ring(item_id: int) -> None:
    """Send the `work.run` message for row `item_id`. Best effort: the sweeper covers a miss."""
    # Imported here because the tasks module is built on these services.
    from work.tasks import run_work_item

    try:
        run_work_item.delay(item_id)
    except Exception:
        logger.warning("work.bell_failed", extra={"work_item_id": item_id}, exc_info=True)


def _ring_when_due(item_id: int, *, due: datetime) -> None:
    """Ring after the surrounding transaction commits; work due later is left to the sweeper."""
    if due <= timezone.now():
        transaction.on_commit(lambda: ring(item_id))
