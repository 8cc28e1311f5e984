from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_runs import advance
from tests.zoomsim.openapi_check import assert_matches_spec


def test_me_is_the_user_the_token_belongs_to(api: httpx.Client) -> None:
    response = api.get("/v2/users/me")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == "acme-admin"
    assert body["account_id"] == "acct-acme"
    assert body["role_name"] == "Admin"
    assert response.headers["X-RateLimit-Category"] == "Light"


def test_user_by_email_and_by_id(api: httpx.Client) -> None:
    by_email = api.get("/v2/users/host%40acme.test").json()
    by_id = api.get("/v2/users/acme-host").json()
    assert by_email["id"] == by_id["id"] == "acme-host"
    assert by_email["type"] == 2


def test_user_of_another_account_is_not_found(api: httpx.Client) -> None:
    response = api.get("/v2/users/host@globex.test")
    assert response.status_code == 404
    assert response.json() == {"code": 1001, "message": "User does not exist: host@globex.test."}


def test_missing_and_unknown_tokens_get_124(zoomsim: LiveZoomsim) -> None:
    with zoomsim.client() as anonymous:
        response = anonymous.get("/v2/users/me")
    assert (response.status_code, response.json()["code"]) == (401, 124)
    with zoomsim.client("not-a-token") as stranger:
        response = stranger.get("/v2/users/me")
    assert response.json() == {"code": 124, "message": "Invalid access token."}


def test_expired_token_gets_124_expired(zoomsim: LiveZoomsim) -> None:
    token = zoomsim.token("acme-admin", ttl=60)
    zoomsim.state.clock.advance(61)
    with zoomsim.client(token) as client:
        response = client.get("/v2/users/me")
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}


def test_missing_scope_gets_4711_naming_it(zoomsim: LiveZoomsim) -> None:
    token = zoomsim.token("acme-admin", scopes=["meeting:read:meeting:admin"])
    with zoomsim.client(token) as client:
        response = client.get("/v2/users/me")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 4711
    assert "user:read:user:admin" in body["message"]


# --- GET /users -------------------------------------------------------------------------------

LIST = "/users"
ACME_ACTIVE = [
    "owner@acme.test",
    "admin@acme.test",
    "host@acme.test",
    "cohost@acme.test",
    "basic@acme.test",
]


def list_users(client: httpx.Client, **params: Any) -> httpx.Response:
    response = client.get("/v2/users", params=params)
    assert_matches_spec(response, "GET", LIST)
    return response


def test_list_users_gives_the_accounts_active_users(api: httpx.Client) -> None:
    response = list_users(api)
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Category"] == "Medium"
    body = response.json()
    assert [user["email"] for user in body["users"]] == ACME_ACTIVE  # not Globex's
    assert (body["total_records"], body["page_size"], body["page_count"]) == (5, 30, 1)
    assert body["next_page_token"] == ""
    admin = next(user for user in body["users"] if user["email"] == "admin@acme.test")
    assert (admin["id"], admin["role_id"], admin["status"], admin["type"]) == (
        "acme-admin",
        "1",
        "active",
        2,
    )
    assert admin["display_name"] == "Ada Admin"
    basic = next(user for user in body["users"] if user["email"] == "basic@acme.test")
    assert basic["type"] == 1


def test_list_users_by_status_and_role(api: httpx.Client) -> None:
    [pending] = list_users(api, status="pending").json()["users"]
    assert pending["email"] == "pending@acme.test"
    # The Users spec: no `id` for pending users; nor have they ever signed in.
    assert "id" not in pending
    assert "last_login_time" not in pending
    [inactive] = list_users(api, status="inactive").json()["users"]
    assert (inactive["id"], inactive["status"]) == ("acme-inactive", "inactive")
    admins = list_users(api, role_id="1").json()["users"]
    assert [user["id"] for user in admins] == ["acme-admin"]
    licensed = list_users(api, license="zoom_workforce_management").json()
    assert (licensed["total_records"], licensed["users"]) == (0, [])


def test_list_users_pages_with_next_page_token(api: httpx.Client, control: httpx.Client) -> None:
    seen: list[str] = []
    first = list_users(api, page_size=2).json()
    assert (first["page_count"], first["total_records"]) == (3, 5)
    token = first["next_page_token"]
    seen += [user["email"] for user in first["users"]]
    while token:
        page = list_users(api, page_size=2, next_page_token=token).json()
        seen += [user["email"] for user in page["users"]]
        token = page["next_page_token"]
    assert seen == ACME_ACTIVE
    # A token belongs to its listing and lives 15 minutes.
    other = list_users(api, status="pending", next_page_token=first["next_page_token"])
    assert (other.status_code, other.json()["code"]) == (400, 300)
    advance(control, 15 * 60)
    expired = list_users(api, page_size=2, next_page_token=first["next_page_token"])
    assert expired.json() == {"code": 300, "message": "The next page token is invalid or expired."}


def test_list_users_page_size_is_capped_at_2000(api: httpx.Client) -> None:
    assert list_users(api, page_size=5000).json()["page_size"] == 2000


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("status", "deleted"),
        ("page_size", "0"),
        ("page_size", "ten"),
        ("role_id", "owner"),
        ("include_fields", "password"),
        ("license", "free"),
    ],
)
def test_list_users_refuses_bad_parameters(api: httpx.Client, name: str, value: str) -> None:
    response = list_users(api, **{name: value})
    assert response.status_code == 400
    assert response.json() == {"code": 300, "message": f"Invalid parameter: {name}."}


@pytest.mark.parametrize(
    "scope",
    [
        "user:read:admin",
        "user:read",
        "user:write:admin",
        "user:write",
        "user:read:list_users:admin",
    ],
)
def test_list_users_takes_any_of_the_specs_scopes(zoomsim: LiveZoomsim, scope: str) -> None:
    with zoomsim.client(zoomsim.token("acme-admin", scopes=[scope])) as client:
        assert list_users(client).status_code == 200


def test_list_users_without_its_scope_is_4711(zoomsim: LiveZoomsim) -> None:
    # The scope for one user is not the scope for the list.
    token = zoomsim.token("acme-admin", scopes=["user:read:user:admin"])
    with zoomsim.client(token) as client:
        response = list_users(client)
    assert response.status_code == 400
    assert response.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:[user:read:list_users:admin].",
    }
