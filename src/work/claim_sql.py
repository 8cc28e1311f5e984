"""The three statements every work item goes through, in plain SQL: claim, hold, finish.

They run once per item, so their cost is the ceiling of how many items a second a worker gets
through. Built through the ORM (a Q tree and Case expressions compiled for every UPDATE, a read
before each write) they cost about 20 ms an item, one worker thread on SQLite on the shared 2-core
machine of docs/benchmarks.md; written out, about 1 ms. Each is one round trip that does its check
and its write together (`UPDATE … WHERE … RETURNING`), on SQLite (3.35 and later) and
PostgreSQL alike.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import connection, transaction

from work.models import WorkItem, WorkState

_TABLE = WorkItem._meta.db_table
_COLUMNS = ", ".join(str(field.column) for field in WorkItem._meta.concrete_fields)


def _value(moment: datetime) -> Any:
    """A datetime as the database backend stores it (SQLite: UTC text, as the ORM writes it)."""
    return connection.ops.adapt_datetimefield_value(moment)


def claim_next_due(*, now: datetime, lease_until: datetime, claim: str) -> WorkItem | None:
    """Claim the pending row due longest ago for `claim` and return it; None if nothing is due.

    One statement: its subquery picks the row and its UPDATE takes it, so two workers never both
    get one row. PostgreSQL: the pick locks the row and skips rows another worker is claiming this
    instant (SKIP LOCKED), so workers side by side take different rows instead of queueing behind
    each other. SQLite: a statement that writes runs alone, under the database's write lock.
    """
    postgresql = connection.features.has_select_for_update_skip_locked
    # PostgreSQL: the claim need not wait for its own flush to disk. Were the server to crash
    # before flushing it, the row would simply be pending again; and the handler's transaction,
    # committed durably after it, flushes it anyway. That halves an item's disk flushes. The
    # setting is made in the statement itself (set_config(..., true) lasts until the statement's
    # own transaction ends), so the claim is one round trip, not BEGIN, SET, UPDATE and COMMIT.
    no_flush_wait = (
        "WITH no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true)) "
        if postgresql
        else ""
    )
    # The model's own table name; every value is a parameter.
    sql = (
        f"{no_flush_wait}UPDATE {_TABLE} SET state = %s, attempts = attempts + 1, "  # noqa: S608
        "lease_expires_at = %s, locked_by = %s, rung_at = NULL, updated_at = %s "
        f"{'FROM no_flush_wait ' if postgresql else ''}"
        f"WHERE state = %s AND id = (SELECT id FROM {_TABLE} "
        "WHERE state = %s AND next_attempt_at <= %s "
        f"ORDER BY next_attempt_at, id LIMIT 1{' FOR UPDATE SKIP LOCKED' if postgresql else ''}) "
        f"RETURNING {_COLUMNS}"
    )
    params = [
        WorkState.RUNNING.value,
        _value(lease_until),
        claim,
        _value(now),
        WorkState.PENDING.value,
        WorkState.PENDING.value,
        _value(now),
    ]
    if postgresql:
        # raw() turns the returned row into a WorkItem with the ORM's own conversions.
        return next(iter(WorkItem.objects.raw(sql, params)), None)
    if not _any_due(now):
        return None  # SQLite: an idle look takes no write lock
    # SQLite: in a transaction of its own, so that the statement is finished and committed here,
    # not whenever its cursor is let go.
    with transaction.atomic():
        claimed = list(WorkItem.objects.raw(sql, params))
    return claimed[0] if claimed else None


def _any_due(now: datetime) -> bool:
    sql = f"SELECT 1 FROM {_TABLE} WHERE state = %s AND next_attempt_at <= %s LIMIT 1"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [WorkState.PENDING.value, _value(now)])
        return cursor.fetchone() is not None


def hold(*, item_id: int, claim: str, now: datetime) -> bool:
    """Whether `claim` still holds row `item_id`. Inside a transaction it also keeps the row:
    PostgreSQL's row lock, which every other claim skips, lasts until the transaction ends."""
    sql = f"UPDATE {_TABLE} SET updated_at = %s WHERE id = %s AND state = %s AND locked_by = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [_value(now), item_id, WorkState.RUNNING.value, claim])
        return bool(cursor.rowcount == 1)


def finish(*, item_id: int, claim: str, now: datetime) -> WorkState | None:
    """The handler returned: the row turns done, or pending again (due now, attempts reset) if the
    same work was enqueued while it ran. The state it turned to; None if `claim` no longer holds
    the row (a worker that was overtaken writes nothing).

    One UPDATE, so an enqueue-while-running cannot slip in between a check and the write; every
    CASE reads the row as it was before the UPDATE.
    """
    # The model's own table name; every value is a parameter.
    sql = (
        f"UPDATE {_TABLE} SET "  # noqa: S608
        "state = CASE WHEN rerun_requested THEN %s ELSE %s END, "
        "attempts = CASE WHEN rerun_requested THEN 0 ELSE attempts END, "
        "next_attempt_at = CASE WHEN rerun_requested THEN %s ELSE next_attempt_at END, "
        "finished_at = CASE WHEN rerun_requested THEN NULL ELSE %s END, "
        "rung_at = CASE WHEN rerun_requested THEN %s ELSE NULL END, "
        "last_error = '', lease_expires_at = NULL, locked_by = '', rerun_requested = %s, "
        "updated_at = %s "
        "WHERE id = %s AND state = %s AND locked_by = %s "
        "RETURNING state"
    )
    moment = _value(now)
    params = [
        WorkState.PENDING.value,
        WorkState.DONE.value,
        moment,
        moment,
        moment,
        False,
        moment,
        item_id,
        WorkState.RUNNING.value,
        claim,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return None if row is None else WorkState(row[0])
