"""POST /oauth/token with grant_type=authorization_code: the code exchange, PKCE, client auth,
and malformed requests."""

from __future__ import annotations

import base64

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.oauth_flow import (
    CAMPUS_CALLBACK,
    authorization_code,
    basic_auth,
    exchange,
    me,
    s256,
    token_request,
)

VERIFIER = "verifier-" + "x" * 50


def test_code_exchange_gives_zooms_token_response(zoomsim: LiveZoomsim) -> None:
    response = exchange(zoomsim, authorization_code(zoomsim))
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert list(body) == [
        "access_token",
        "token_type",
        "refresh_token",
        "expires_in",
        "scope",
        "api_url",
    ]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == " ".join(zoomsim.state.apps["campus-client-id"].scopes)
    assert body["api_url"] == zoomsim.base_url
    assert len(body["access_token"]) > 300
    assert body["access_token"] != body["refresh_token"]
    assert me(zoomsim, body["access_token"]).json()["id"] == "acme-admin"


def test_a_code_works_once(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim)
    assert exchange(zoomsim, code).status_code == 200
    reused = exchange(zoomsim, code)
    assert reused.status_code == 400
    assert reused.json() == {
        "reason": f"Invalid authorization code {code}",
        "error": "invalid_request",
    }


def test_an_unknown_code_is_invalid(zoomsim: LiveZoomsim) -> None:
    response = exchange(zoomsim, "made-up")
    assert response.status_code == 400
    assert response.json() == {
        "reason": "Invalid authorization code made-up",
        "error": "invalid_request",
    }


def test_a_code_expires_after_five_minutes(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim)
    zoomsim.state.clock.advance(301)
    response = exchange(zoomsim, code)
    assert response.status_code == 400
    assert response.json() == {"reason": "Code is expired", "error": "invalid_request"}


def test_a_code_just_inside_five_minutes_still_works(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim)
    zoomsim.state.clock.advance(290)
    assert exchange(zoomsim, code).status_code == 200


def test_redirect_uri_must_equal_the_one_used_to_authorize(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim)
    other_registered = "http://localhost:8000/admin-tools/integrations/zoom/callback"
    for wrong in (other_registered, ""):
        response = exchange(zoomsim, code, redirect_uri=wrong)
        assert response.status_code == 400
        assert response.json() == {"reason": "Redirect URI mismatch.", "error": "invalid_request"}
    # A refused exchange does not spend the code.
    assert exchange(zoomsim, code).status_code == 200


def test_pkce_s256_with_the_right_verifier(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim, code_challenge=s256(VERIFIER), code_challenge_method="S256")
    response = exchange(zoomsim, code, code_verifier=VERIFIER)
    assert response.status_code == 200
    assert me(zoomsim, response.json()["access_token"]).status_code == 200


def test_pkce_s256_with_a_wrong_or_missing_verifier(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim, code_challenge=s256(VERIFIER), code_challenge_method="S256")
    wrong = exchange(zoomsim, code, code_verifier=VERIFIER + "y")
    assert wrong.status_code == 400
    assert wrong.json() == {"reason": "Invalid code_verifier.", "error": "invalid_grant"}
    # The challenge itself is not the verifier.
    assert exchange(zoomsim, code, code_verifier=s256(VERIFIER)).status_code == 400
    missing = exchange(zoomsim, code)
    assert missing.status_code == 400
    assert missing.json() == {"reason": "Missing code_verifier.", "error": "invalid_request"}
    assert exchange(zoomsim, code, code_verifier=VERIFIER).status_code == 200


def test_pkce_plain(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim, code_challenge=VERIFIER, code_challenge_method="plain")
    assert exchange(zoomsim, code, code_verifier=s256(VERIFIER)).status_code == 400
    assert exchange(zoomsim, code, code_verifier=VERIFIER).status_code == 200


def test_parameters_in_the_query_string_are_not_read(zoomsim: LiveZoomsim) -> None:
    # Zoom takes the token parameters from the form body only since 2022.
    code = authorization_code(zoomsim)
    params = {"grant_type": "authorization_code", "code": code, "redirect_uri": CAMPUS_CALLBACK}
    with httpx.Client(base_url=zoomsim.base_url) as client:
        response = client.post("/oauth/token", params=params, headers=basic_auth())
        assert response.status_code == 400
        assert response.json() == {"reason": "Missing grant type.", "error": "invalid_request"}
        # With the grant in the body, a code in the query string is still not read.
        half = client.post(
            "/oauth/token",
            params={"code": code},
            data={"grant_type": "authorization_code", "redirect_uri": CAMPUS_CALLBACK},
            headers=basic_auth(),
        )
        assert half.json() == {"reason": "Invalid authorization code ", "error": "invalid_request"}
    # The refused requests spent nothing: the code still works from the body.
    assert exchange(zoomsim, code).status_code == 200


def test_reauthorizing_revokes_the_earlier_tokens(zoomsim: LiveZoomsim) -> None:
    first = exchange(zoomsim, authorization_code(zoomsim)).json()
    second = exchange(zoomsim, authorization_code(zoomsim)).json()
    assert me(zoomsim, first["access_token"]).json() == {
        "code": 124,
        "message": "Invalid access token.",
    }
    stale_refresh = token_request(
        zoomsim, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert stale_refresh.json() == {"reason": "Invalid Token!", "error": "invalid_grant"}
    assert me(zoomsim, second["access_token"]).status_code == 200


def test_another_users_authorization_leaves_earlier_tokens_alone(zoomsim: LiveZoomsim) -> None:
    admin = exchange(zoomsim, authorization_code(zoomsim, "admin@acme.test")).json()
    owner = exchange(zoomsim, authorization_code(zoomsim, "owner@acme.test")).json()
    assert me(zoomsim, admin["access_token"]).json()["id"] == "acme-admin"
    assert me(zoomsim, owner["access_token"]).json()["id"] == "acme-owner"


INVALID_CLIENT = {"reason": "Invalid client_id or client_secret", "error": "invalid_client"}


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer abc",
        "Basic !!!not-base64!!!",
        "Basic " + base64.b64encode(b"campus-client-id:wrong-secret").decode(),
        "Basic " + base64.b64encode(b"unknown-client:campus-client-secret").decode(),
        "Basic " + base64.b64encode(b"campus-client-id").decode(),
    ],
)
def test_client_authentication_is_required(zoomsim: LiveZoomsim, authorization: str | None) -> None:
    code = authorization_code(zoomsim)
    headers = {"Authorization": authorization} if authorization else {}
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CAMPUS_CALLBACK}
    with httpx.Client(base_url=zoomsim.base_url) as client:
        response = client.post("/oauth/token", data=data, headers=headers)
    assert response.status_code == 401
    assert response.json() == INVALID_CLIENT
    assert exchange(zoomsim, code).status_code == 200


def test_a_code_is_bound_to_its_app(zoomsim: LiveZoomsim) -> None:
    code = authorization_code(zoomsim)
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CAMPUS_CALLBACK}
    response = token_request(
        zoomsim, data, client_id="acme-s2s-client-id", secret="acme-s2s-secret"
    )
    # A server-to-server app has no authorization-code grant at all.
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


@pytest.mark.parametrize("grant_type", ["password", "client_credentials_please", "implicit"])
def test_unsupported_grant_types(zoomsim: LiveZoomsim, grant_type: str) -> None:
    response = token_request(zoomsim, {"grant_type": grant_type})
    assert response.status_code == 400
    assert response.json() == {
        "reason": "Unsupported grant type",
        "error": "unsupported_grant_type",
    }


def test_missing_grant_type(zoomsim: LiveZoomsim) -> None:
    with httpx.Client(base_url=zoomsim.base_url) as client:
        response = client.post("/oauth/token", headers=basic_auth())
    assert response.status_code == 400
    assert response.json() == {"reason": "Missing grant type.", "error": "invalid_request"}


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"grant_type": "authorization_code"}', "application/json"),
        (b"grant_type=authorization_code&code=%ff", "application/x-www-form-urlencoded"),
        (b"--x\r\ngarbage", "multipart/form-data; boundary=y"),
        (b"grant_type=authorization_code", ""),
    ],
)
def test_unreadable_bodies_get_invalid_request(
    zoomsim: LiveZoomsim, content: bytes, content_type: str
) -> None:
    headers = {**basic_auth(), "content-type": content_type}
    with httpx.Client(base_url=zoomsim.base_url) as client:
        response = client.post("/oauth/token", content=content, headers=headers)
    assert response.status_code == 400
    body = response.json()
    assert body["error"] == "invalid_request"
    assert body["reason"]


def test_get_is_not_the_token_endpoint(zoomsim: LiveZoomsim) -> None:
    with httpx.Client(base_url=zoomsim.base_url) as client:
        response = client.get("/oauth/token", headers=basic_auth())
    assert response.status_code == 405
