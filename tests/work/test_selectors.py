from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from organizations.models import Organization
from work.models import WorkItem, WorkState
from work.selectors import (
    work_due,
    work_for_subject,
    work_needing_attention,
    work_state_counts,
)

pytestmark = pytest.mark.django_db


def row(**fields: object) -> WorkItem:
    return WorkItem.objects.create(**{"kind": "test.record", "subject": "session:1", **fields})


def test_work_due_is_due_pending_work_then_abandoned_running_work() -> None:
    now = timezone.now()
    older = row(next_attempt_at=now - timedelta(minutes=5))
    newer = row(next_attempt_at=now - timedelta(minutes=1))
    row(next_attempt_at=now + timedelta(minutes=1))  # not yet
    abandoned = row(state=WorkState.RUNNING, lease_expires_at=now - timedelta(seconds=1))
    row(state=WorkState.RUNNING, lease_expires_at=now + timedelta(minutes=5))  # alive
    for state in (WorkState.DONE, WorkState.FAILED, WorkState.CANCELLED, WorkState.PAUSED):
        row(state=state, next_attempt_at=now - timedelta(hours=1))

    assert [item.pk for item in work_due(now=now, limit=10)] == [older.pk, newer.pk, abandoned.pk]
    assert [item.pk for item in work_due(now=now, limit=2)] == [older.pk, newer.pk]


def test_work_for_subject_is_scoped_to_the_organization() -> None:
    acme = Organization.objects.create(name="Acme", slug="acme")
    globex = Organization.objects.create(name="Globex", slug="globex")
    create = row(organization=acme, subject="session:42", kind="zoom.meeting.create")
    update = row(organization=acme, subject="session:42", kind="zoom.meeting.update")
    row(organization=globex, subject="session:42")
    row(organization=acme, subject="session:43")

    assert list(work_for_subject(organization=acme, subject="session:42")) == [update, create]
    assert list(
        work_for_subject(organization=acme, subject="session:42", kinds=["zoom.meeting.create"])
    ) == [create]


def test_state_counts_and_work_needing_attention_for_display() -> None:
    acme = Organization.objects.create(name="Acme", slug="acme")
    row(organization=acme)
    retrying = row(organization=acme, last_error="ZoomServerError: 500")
    failed = row(organization=acme, state=WorkState.FAILED, last_error="RuntimeError: boom")
    paused = row(organization=acme, state=WorkState.PAUSED, paused_reason="invalid_grant")
    row(organization=acme, state=WorkState.DONE)
    row(state=WorkState.FAILED)  # account-wide, not Acme's

    assert work_state_counts(organization=acme) == {
        "pending": 2,
        "running": 0,
        "done": 1,
        "failed": 1,
        "cancelled": 0,
        "paused": 1,
    }
    assert set(work_needing_attention(organization=acme)) == {retrying, failed, paused}
