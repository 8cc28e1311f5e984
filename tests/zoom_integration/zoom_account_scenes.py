"""Scenes the Zoom integration tests set around a connected Zoom account, through the live
zoomsim: connecting with acct-acme's server-to-server app, Zoom revoking the tokens, a token about
to expire, Zoom's verdict on a token, and Zoom work waiting in the account's pause group."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
from django.utils import timezone

from organizations.models import Organization, User
from tests.support.zoomsim_server import LiveZoomsim
from work.models import WorkItem
from work.services import work_enqueue
from zoom_integration.models import ZoomAccount
from zoom_integration.services.connection import zoom_connect_server_to_server

# The `connect_acme_account` fixture: (organization, actor, zoom_email="admin@acme.test").
Connect = Callable[..., ZoomAccount]


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
