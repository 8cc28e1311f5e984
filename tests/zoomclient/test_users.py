"""Users: one (get_user) and the account's list (list_users), against zoomsim over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.conftest import MintingTokenSource, check_against_spec
from zoomclient import AccountUser, ZoomClient, ZoomEndpoints, ZoomScopeMissing


@pytest.fixture
def counted_client(
    endpoints: ZoomEndpoints, tokens: MintingTokenSource
) -> Iterator[tuple[ZoomClient, list[str]]]:
    """A client whose requests are counted (and whose answers are checked against the spec)."""
    seen: list[str] = []

    def record(request: httpx.Request) -> None:
        seen.append(request.url.raw_path.decode())

    hooks = {"request": [record], "response": [check_against_spec]}
    with (
        httpx.Client(timeout=10, event_hooks=hooks) as http,
        ZoomClient(endpoints, tokens, http=http) as zoom,
    ):
        yield zoom, seen


def by_email(users: list[AccountUser]) -> dict[str, AccountUser]:
    return {user.email: user for user in users}


def test_list_users_gives_the_accounts_active_users(client: ZoomClient) -> None:
    users = by_email(client.list_users())
    assert client.last_rate_limit.category == "Medium"
    assert set(users) == {
        "owner@acme.test",
        "admin@acme.test",
        "host@acme.test",
        "cohost@acme.test",
        "basic@acme.test",
    }
    admin = users["admin@acme.test"]
    assert (admin.id, admin.role_id, admin.display_name, admin.timezone) == (
        "acme-admin",
        "1",
        "Ada Admin",
        "Europe/Berlin",
    )
    # What the live-events host field needs: who may host a registration meeting.
    assert users["host@acme.test"].can_host_registration_meetings
    assert not users["basic@acme.test"].can_host_registration_meetings  # Basic, not Licensed


def test_pending_users_come_without_an_id(client: ZoomClient) -> None:
    [pending] = client.list_users(status="pending")
    assert (pending.email, pending.id, pending.status) == ("pending@acme.test", None, "pending")
    assert not pending.can_host_registration_meetings
    [inactive] = client.list_users(status="inactive")
    assert inactive.id == "acme-inactive"


def test_list_users_by_role(client: ZoomClient) -> None:
    assert [user.id for user in client.list_users(role_id="0")] == ["acme-owner"]


def test_list_users_reads_every_page(counted_client: tuple[ZoomClient, list[str]]) -> None:
    zoom, seen = counted_client
    users = zoom.list_users(page_size=2)
    assert len(users) == 5
    assert len({user.id for user in users}) == 5
    assert len(seen) == 3  # 5 users in pages of 2
    assert all(path.startswith("/v2/users?") for path in seen)


def test_list_users_needs_its_own_scope(zoomsim: LiveZoomsim, endpoints: ZoomEndpoints) -> None:
    token = zoomsim.token("acme-admin", scopes=["user:read:user:admin"])
    with ZoomClient(endpoints, MintingTokenSource(zoomsim, token=token)) as zoom:
        assert zoom.get_user("me").id == "acme-admin"
        with pytest.raises(ZoomScopeMissing) as raised:
            zoom.list_users()
    assert raised.value.missing_scopes == ("user:read:list_users:admin",)
