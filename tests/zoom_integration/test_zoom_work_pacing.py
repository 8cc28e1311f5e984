"""Zoom work under the pacer: when the account's budget is spent, the job moves to the time a
slot frees (no worker sleeps on it, no attempt counted, nothing sent to Zoom), while another
account's work runs at once."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta

import pytest
import redis
from django.utils import timezone
from pytest_django.fixtures import Settings

from organizations.models import Organization, User
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.who_am_i_work import WHO_AM_I, answers_from_zoom
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem, WorkState
from work.services import work_enqueue, work_run
from zoom_integration.models import ZoomAccount
from zoom_integration.pacing import zoom_pacer
from zoomclient.pacer_redis import RedisPacer

pytestmark = pytest.mark.django_db

PRO_LIGHT_PER_SECOND = 30


@pytest.fixture(params=["embedded", pytest.param("redis", marks=pytest.mark.services)])
def pacer_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[str]:
    """The embedded pacer (django_conftest gives each test its own file), or Redis."""
    if request.param == "embedded":
        yield request.param
        return
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    settings.ZOOM_PACER_REDIS_URL = url
    zoom_pacer.cache_clear()
    connection = redis.Redis.from_url(url)
    yield request.param
    for key in connection.scan_iter("zoompacer:acct-*"):
        connection.delete(key)
    zoom_pacer.cache_clear()


def enqueue_probe(account: ZoomAccount, organization: Organization) -> WorkItem:
    return work_enqueue(
        kind=WHO_AM_I,
        subject=f"probe:{account.zoom_account_id}",
        payload={"zoom_account_pk": account.pk},
        organization=organization,
    )


def other_workers_spend_the_light_budget(zoom_account_id: str) -> None:
    """This second's Light budget of the account, taken by other worker processes."""
    for _ in range(PRO_LIGHT_PER_SECOND):
        assert zoom_pacer().reserve(zoom_account_id, "Light") == 0


def test_paced_work_moves_to_when_a_slot_frees_and_other_accounts_work_goes_on(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    globex: Organization,
    globex_admin: User,
    connect_acme_account: Connect,
    pacer_store: str,
) -> None:
    answers_from_zoom.clear()
    acme_account = connect_acme_account(acme, acme_people.org_admin)
    globex_account = connect_acme_account(globex, globex_admin, "admin@globex.test")
    assert globex_account.zoom_account_id == "acct-globex"
    assert isinstance(zoom_pacer(), RedisPacer) == (pacer_store == "redis")
    other_workers_spend_the_light_budget("acct-acme")
    paced_job = enqueue_probe(acme_account, acme)
    other_job = enqueue_probe(globex_account, globex)
    before = timezone.now()

    work_run(item_id=paced_job.pk)
    work_run(item_id=other_job.pk)

    paced = WorkItem.objects.get(pk=paced_job.pk)
    assert paced.state == WorkState.PENDING
    assert paced.attempts == 0
    # The slot frees about a second after the other workers took theirs; the worker did not
    # sleep that second (the job is due then, not done).
    assert before < paced.next_attempt_at < before + timedelta(seconds=2)
    assert "rate limit" in paced.last_error
    assert WorkItem.objects.get(pk=other_job.pk).state == WorkState.DONE
    assert answers_from_zoom == ["acct-globex"]  # acme's call never reached Zoom
