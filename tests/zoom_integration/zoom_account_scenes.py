"""Scenes the Zoom integration tests set around a connected Zoom account, through the live
zoomsim: connecting with acct-acme's server-to-server app, Zoom revoking the tokens, a token about
to expire, Zoom's verdict on a token, Zoom breaking off its answers, zoomsim's webhooks sent to a
live Campus, an account needing re-authentication, and Zoom work waiting in the account's pause
group."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from django.utils import timezone
from pytest_django.live_server_helper import LiveServer

from organizations.models import Organization, User
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import fault
from work.models import WorkItem
from work.services import work_enqueue, work_run
from zoom_integration.models import ZoomAccount
from zoom_integration.services.connection import zoom_connect_server_to_server
from zoom_integration.services.reauth import zoom_account_mark_needs_reauth

# The `connect_acme_account` fixture: (organization, actor, zoom_email="admin@acme.test").
Connect = Callable[..., ZoomAccount]
# pytest-django's `django_capture_on_commit_callbacks` fixture.
CaptureOnCommit = Callable[..., Any]


def connect_acme_server_to_server(organization: Organization, actor: User) -> ZoomAccount:
    """Connect with the Server-to-Server OAuth app zoomsim's seed gives acct-acme."""
    return zoom_connect_server_to_server(
        organization=organization,
        actor=actor,
        account_id="acct-acme",
        client_id="acme-s2s-client-id",
        client_secret="acme-s2s-secret",
    )


def zoom_revokes_the_tokens(zoomsim: LiveZoomsim) -> None:
    """Zoom revokes every token of Campus's app in acct-acme (as when the app is removed or the
    authorizing admin leaves): the next refresh is refused with invalid_grant."""
    response = httpx.post(
        f"{zoomsim.base_url}/_sim/apps/campus-client-id/accounts/acct-acme/revoke-tokens"
    )
    assert response.status_code == 200, response.text


def access_token_expiring(account: ZoomAccount, *, in_minutes: float) -> None:
    """The stored access token expires in `in_minutes`: the next use renews it first if that is
    under the refresh margin."""
    ZoomAccount.objects.filter(pk=account.pk).update(
        access_expires_at=timezone.now() + timedelta(minutes=in_minutes)
    )


def last_reached_hours_ago(account: ZoomAccount, hours: float) -> None:
    """Campus last reached Zoom for this account `hours` ago."""
    ZoomAccount.objects.filter(pk=account.pk).update(
        last_reached_zoom_at=timezone.now() - timedelta(hours=hours)
    )


def zoom_drops(zoomsim: LiveZoomsim, path: str) -> str:
    """Every call whose path matches breaks off mid-answer until the rule is removed; returns the
    rule's id (for `fault_remove`)."""
    return fault(zoomsim, path=path, count=-1, drop_connection=True)


def point_zoomsim_webhooks_at(zoomsim: LiveZoomsim, live_server: LiveServer) -> None:
    """zoomsim sends Campus's app's webhooks to the live Campus (the Marketplace's event URL)."""
    response = httpx.patch(
        f"{zoomsim.base_url}/_sim/apps/campus-client-id",
        json={"webhook_url": f"{live_server.url}/zoom/webhooks/"},
    )
    assert response.status_code == 200, response.text


def needing_reauthentication(account: ZoomAccount, capture_on_commit: CaptureOnCommit) -> None:
    """Campus marks the account as needing re-authentication, its email sent on commit."""
    with capture_on_commit(execute=True):
        zoom_account_mark_needs_reauth(zoom_account_pk=account.pk, reason="Zoom said no.")


def run_when_due(row: WorkItem) -> WorkItem:
    """The row's next attempt time has come (the sweeper rings it): a worker runs it."""
    WorkItem.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
    ran = work_run(item_id=row.pk)
    assert ran is not None
    return ran


def status_at_zoom(zoomsim: LiveZoomsim, access_token: str) -> int:
    """What Zoom answers `GET /users/me` with this token: 200 while Zoom accepts it, else 401."""
    with zoomsim.client(access_token) as api:
        return api.get("/v2/users/me").status_code


def zoom_work_waiting(organization: Organization, account: ZoomAccount) -> WorkItem:
    """A Zoom job waiting in the account's pause group (it is never run here)."""
    return work_enqueue(
        kind="zoom.meeting.create",
        subject="session:1",
        payload={},
        organization=organization,
        pause_group=account.pause_group,
    )
