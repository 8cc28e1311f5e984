"""The periodic credentials check, against the live zoomsim: a grant Zoom revoked is found by a
light call (GET /users/me) and the Org Admins are emailed before any meeting needs Zoom; Zoom
being unreachable is no verdict (still connected, retried); the page says when Campus last
reached Zoom."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from organizations.models import Organization, User
from tests.django_conftest import People, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import fault_remove
from tests.zoom_integration.zoom_account_scenes import (
    CaptureOnCommit,
    Connect,
    access_token_expiring,
    last_reached_hours_ago,
    run_when_due,
    zoom_drops,
    zoom_revokes_the_tokens,
)
from tests.zoom_integration.zoom_flow import connect_through_zoom
from work.models import WorkItem, WorkState
from zoom_integration.models import ZoomAccount, ZoomAccountStatus
from zoom_integration.services.credentials_check import (
    CREDENTIALS_CHECK_WORK_KIND,
    zoom_credential_checks_enqueue,
)
from zoom_integration.services.tokens import ZoomAccountTokenSource
from zoomclient import ZoomTransportError

pytestmark = pytest.mark.django_db


def check_rows() -> list[WorkItem]:
    return list(WorkItem.objects.filter(kind=CREDENTIALS_CHECK_WORK_KIND).order_by("pk"))


def test_one_check_per_account_not_reached_lately_spaced_apart_and_never_two_at_once(
    zoomsim: LiveZoomsim,
    settings: Settings,
    acme: Organization,
    globex: Organization,
    acme_people: People,
    globex_admin: User,
    connect_acme_account: Connect,
) -> None:
    settings.ZOOM_CREDENTIAL_CHECK_HOURS = 4
    settings.ZOOM_CREDENTIAL_CHECK_SPACING_SECONDS = 30
    acme_account = connect_acme_account(acme, acme_people.org_admin)
    assert connect_through_zoom(signed_in(globex_admin), "admin@globex.test").status_code == 302
    globex_account = ZoomAccount.objects.get(zoom_account_id="acct-globex")
    assert acme_account.pk != globex_account.pk
    # Both were reached when they connected: nothing to check yet.
    assert zoom_credential_checks_enqueue() == 0
    last_reached_hours_ago(acme_account, 5)
    last_reached_hours_ago(globex_account, 6)
    # A later future: the rows wait (run_at ahead), so nothing runs here.
    later = timezone.now() + timedelta(minutes=10)

    assert zoom_credential_checks_enqueue(now=later) == 2
    assert zoom_credential_checks_enqueue(now=later) == 2  # again: the same rows, no new ones

    rows = check_rows()
    assert [row.payload["zoom_account_pk"] for row in rows] == [acme_account.pk, globex_account.pk]
    assert rows[1].next_attempt_at - rows[0].next_attempt_at == timedelta(seconds=30)
    assert [row.pause_group for row in rows] == [
        acme_account.pause_group,
        globex_account.pause_group,
    ]
    assert all(row.state == WorkState.PENDING for row in rows)


def test_a_grant_zoom_revoked_is_found_by_the_check_and_the_org_admins_are_emailed(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    zoom_revokes_the_tokens(zoomsim)  # the page still says "Connected": nothing called Zoom
    last_reached_hours_ago(account, 5)

    with django_capture_on_commit_callbacks(execute=True):  # the bell: the check runs now
        assert zoom_credential_checks_enqueue() == 1

    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.NEEDS_REAUTH
    assert "invalid_grant" in stored.status_reason
    assert [email.to for email in mail.outbox] == [[acme_people.org_admin.email]]
    (row,) = check_rows()
    assert row.state == WorkState.PAUSED  # it checks again after re-authentication
    page = signed_in(acme_people.org_admin).get(reverse("zoom_integration:configure"))
    assert "Needs re-authentication" in page.content.decode()
    # Checks are for connected accounts only: no more calls while it waits for a person.
    assert zoom_credential_checks_enqueue() == 0


def test_a_check_that_cannot_reach_zoom_leaves_the_account_connected_and_tries_again(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    last_reached_hours_ago(account, 5)
    reached_before = ZoomAccount.objects.get(pk=account.pk).last_reached_zoom_at
    rule = zoom_drops(zoomsim, "^/v2/users/me$")

    with django_capture_on_commit_callbacks(execute=True):
        zoom_credential_checks_enqueue()

    (row,) = check_rows()
    assert row.state == WorkState.PENDING  # retried with backoff
    assert row.attempts == 1
    assert row.next_attempt_at > timezone.now()
    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.CONNECTED
    assert stored.last_reached_zoom_at == reached_before
    assert mail.outbox == []

    fault_remove(zoomsim, rule)

    assert run_when_due(row).state == WorkState.DONE
    reached = ZoomAccount.objects.get(pk=account.pk).last_reached_zoom_at
    assert reached is not None
    assert reached_before is not None
    assert reached > reached_before


def test_a_refresh_zoom_cannot_answer_stays_connected_and_the_page_says_when_zoom_was_reached(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    last_reached_hours_ago(account, 3)
    reached_before = ZoomAccount.objects.get(pk=account.pk).last_reached_zoom_at
    access_token_expiring(account, in_minutes=1)
    zoom_drops(zoomsim, "^/oauth/token$")

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZoomTransportError),
    ):
        ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.CONNECTED
    assert stored.status_reason == ""
    assert stored.last_reached_zoom_at == reached_before
    assert mail.outbox == []
    page = signed_in(acme_people.org_admin).get(reverse("zoom_integration:configure"))
    html = page.content.decode()
    assert 'id="zoom-status">Connected<' in html
    assert 'id="zoom-last-reached"' in html
    assert "Last reached Zoom" in html
    assert "not yet" not in html


def test_a_successful_refresh_records_that_zoom_was_reached(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    last_reached_hours_ago(account, 3)
    access_token_expiring(account, in_minutes=1)

    ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    reached = ZoomAccount.objects.get(pk=account.pk).last_reached_zoom_at
    assert reached is not None
    assert timezone.now() - reached < timedelta(minutes=1)
