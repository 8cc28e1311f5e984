from __future__ import annotations

import httpx

from tests.support.zoomsim_server import LiveZoomsim


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
