"""Handlers the unit tests run: each shows one outcome a real handler can have."""

from __future__ import annotations

import threading
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from work.handlers import PauseWork, RetryLater, register_handler
from work.models import WorkItem, WorkState
from work.services import work_enqueue

MARKER = "test.marker"
CREDENTIALS_FIXED = "test.credentials_fixed"
RATE_LIMIT_WAIT = timedelta(seconds=90)


def write_marker(item: WorkItem) -> None:
    WorkItem.objects.create(
        kind=MARKER, subject=item.subject, payload={"for": item.pk}, state=WorkState.DONE
    )


def markers_for(item: WorkItem) -> int:
    return WorkItem.objects.filter(kind=MARKER, payload__for=item.pk).count()


@register_handler("test.record")
def record(item: WorkItem) -> None:
    write_marker(item)


@register_handler("test.broken")
def broken(item: WorkItem) -> None:
    write_marker(item)  # rolled back with the failed attempt
    raise RuntimeError("zoom answered 500\n" + "x" * 1000)


@register_handler("test.rate_limited")
def rate_limited(item: WorkItem) -> None:
    write_marker(item)
    raise RetryLater(timezone.now() + RATE_LIMIT_WAIT, "rate limited by Zoom (429)")


@register_handler("test.needs_credentials")
def needs_credentials(item: WorkItem) -> None:
    if not WorkItem.objects.filter(kind=CREDENTIALS_FIXED).exists():
        raise PauseWork(item.pause_group, "Zoom refused the refresh token (invalid_grant)")
    write_marker(item)


@register_handler("test.changed_while_running")
def changed_while_running(item: WorkItem) -> None:
    """The first run sees a change arrive mid-run: the same work is enqueued again."""
    if markers_for(item) == 0:
        work_enqueue(kind=item.kind, subject=item.subject, payload={}, dedupe_key=item.dedupe_key)
    write_marker(item)


# For the concurrency test: the handler holds its transaction open until the test releases it.
blocking_started = threading.Event()
blocking_release = threading.Event()


@register_handler("test.blocks_until_released")
def blocks_until_released(item: WorkItem) -> None:
    write_marker(item)
    blocking_started.set()
    if not blocking_release.wait(timeout=30):
        raise TimeoutError("the test never released the handler")


# Non-atomic handlers: they talk to another service, so they run outside any transaction.
seen_in_transaction: list[bool] = []


@register_handler("test.calls_out", atomic=False)
def calls_out(item: WorkItem) -> None:
    seen_in_transaction.append(transaction.get_connection().in_atomic_block)
    write_marker(item)


@register_handler("test.calls_out_then_fails", atomic=False)
def calls_out_then_fails(item: WorkItem) -> None:
    write_marker(item)  # committed on its own: what was done outside stays done
    raise RuntimeError("Zoom answered 503 after the first call went through")


@register_handler("test.calls_out_and_is_overtaken", atomic=False)
def calls_out_and_is_overtaken(item: WorkItem) -> None:
    # While this worker talked to Zoom, its lease ran out and another worker claimed the row.
    WorkItem.objects.filter(pk=item.pk).update(locked_by="another-worker:claim")
    write_marker(item)
