"""Reads of background work. Organization-scoped where a person will see the result."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Count, Q, QuerySet

from organizations.models import Organization
from work.models import WorkItem, WorkState


def work_due(
    *, now: datetime, limit: int, not_rung_since: datetime | None = None
) -> list[WorkItem]:
    """Rows the sweeper rings for: due pending ones first by due time, then abandoned running ones.

    A running row whose lease has expired belongs to a worker that died; claiming decides whether
    it is retried or failed. With `not_rung_since`, rows whose bell rang since then are left out.
    """
    not_rung = Q()
    if not_rung_since is not None:
        not_rung = Q(rung_at__isnull=True) | Q(rung_at__lt=not_rung_since)
    pending = list(
        WorkItem.objects.filter(
            not_rung, state=WorkState.PENDING, next_attempt_at__lte=now
        ).order_by("next_attempt_at", "pk")[:limit]
    )
    room = limit - len(pending)
    if room <= 0:
        return pending
    abandoned = WorkItem.objects.filter(
        not_rung, state=WorkState.RUNNING, lease_expires_at__lt=now
    ).order_by("lease_expires_at", "pk")[:room]
    return pending + list(abandoned)


def work_for_subject(
    *, organization: Organization | None, subject: str, kinds: Iterable[str] | None = None
) -> QuerySet[WorkItem]:
    """The work concerning `subject` (e.g. "session:42"), newest first."""
    rows = WorkItem.objects.filter(organization=organization, subject=subject)
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    return rows.order_by("-created_at", "-pk")


def work_state_counts(*, organization: Organization | None) -> dict[str, int]:
    """How many rows the organization has in each state; every state present, zero if none."""
    counts = {state.value: 0 for state in WorkState}
    grouped = (
        WorkItem.objects.filter(organization=organization)
        .values_list("state")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for state, count in grouped:
        counts[state] = count
    return counts


def work_needing_attention(
    *, organization: Organization | None, limit: int = 20
) -> QuerySet[WorkItem]:
    """Failed and paused work, and work that has failed at least once, for an admin to look at."""
    return (
        WorkItem.objects.filter(organization=organization)
        .filter(
            Q(state__in=(WorkState.FAILED, WorkState.PAUSED))
            | (Q(state=WorkState.PENDING) & ~Q(last_error=""))
        )
        .order_by("-updated_at", "-pk")[:limit]
    )
