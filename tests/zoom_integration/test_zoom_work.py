"""Zoom work that finds the credentials dead pauses (it does not fail), sends no email of its own,
and runs to done by itself once an Org Admin re-authenticates: a real job calling the live zoomsim
through the account's token source."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from django.core import mail

from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.who_am_i_work import WHO_AM_I, answers_from_zoom
from tests.zoom_integration.zoom_account_scenes import (
    Connect,
    access_token_expiring,
    zoom_revokes_the_tokens,
)
from work.models import WorkItem, WorkState
from work.services import work_enqueue, work_run
from zoom_integration.models import ZoomAccount, ZoomAccountStatus
from zoom_integration.zoom_work import PAUSED_REASON

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., object]


def enqueue_probe(account: ZoomAccount, number: int) -> WorkItem:
    # No pause group given: the handler's pause names the account's group by itself.
    return work_enqueue(
        kind=WHO_AM_I,
        subject=f"probe:{number}",
        payload={"zoom_account_pk": account.pk},
        organization=account.links.get().organization,
    )


def test_zoom_work_pauses_on_dead_credentials_and_completes_after_reauthentication(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    answers_from_zoom.clear()
    account = connect_acme_account(acme, acme_people.org_admin)
    zoom_revokes_the_tokens(zoomsim)
    access_token_expiring(account, in_minutes=1)
    jobs = [enqueue_probe(account, 1), enqueue_probe(account, 2)]

    for job in jobs:  # the first finds the refresh refused, the second an account needing reauth
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            work_run(item_id=job.pk)

    for job in jobs:
        paused = WorkItem.objects.get(pk=job.pk)
        assert paused.state == WorkState.PAUSED
        assert paused.pause_group == account.pause_group
        assert paused.attempts == 0  # a pause is not a failed attempt
        assert paused.paused_reason == PAUSED_REASON
    assert ZoomAccount.objects.get(pk=account.pk).status == ZoomAccountStatus.NEEDS_REAUTH
    assert len(mail.outbox) == 1  # once for the connection, not once per job
    assert answers_from_zoom == []

    connect_acme_account(acme, acme_people.org_admin)  # re-authentication

    assert [WorkItem.objects.get(pk=job.pk).state for job in jobs] == [WorkState.PENDING] * 2
    for job in jobs:
        assert work_run(item_id=job.pk) is not None
    assert [WorkItem.objects.get(pk=job.pk).state for job in jobs] == [WorkState.DONE] * 2
    assert answers_from_zoom == ["acct-acme", "acct-acme"]


def test_zoom_work_rate_limited_by_zoom_waits_for_the_time_zoom_names_without_failing(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
) -> None:
    answers_from_zoom.clear()
    account = connect_acme_account(acme, acme_people.org_admin)
    # Zoom's daily-cap 429 for the next call to /users/me, naming when the budget returns.
    retry_after = "2030-01-02T00:00:00Z"
    fault = httpx.post(
        f"{zoomsim.base_url}/_sim/faults",
        json={
            "path": "/v2/users/me",
            "count": 1,
            "status": 429,
            "code": 429,
            "message": "You have reached the maximum daily rate limit for this API.",
            "retry_after": retry_after,
        },
    )
    assert fault.status_code in (200, 201), fault.text
    job = enqueue_probe(account, 3)

    work_run(item_id=job.pk)

    waiting = WorkItem.objects.get(pk=job.pk)
    assert waiting.state == WorkState.PENDING
    assert waiting.attempts == 0  # waiting for Zoom's budget is not a failed attempt
    assert waiting.next_attempt_at.isoformat().startswith("2030-01-02T00:00:00")
    assert "rate limit" in waiting.last_error
    assert answers_from_zoom == []
