"""Token lifetimes after the code exchange: refresh rotation, expiry, uninstall, server-to-server
tokens and revocation."""

from __future__ import annotations

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.oauth_flow import (
    S2S_ID,
    S2S_SECRET,
    basic_auth,
    connected_tokens,
    me,
    refresh,
    token_request,
)

INVALID_GRANT = {"reason": "Invalid Token!", "error": "invalid_grant"}


def test_refresh_returns_a_new_pair_that_works(zoomsim: LiveZoomsim) -> None:
    first = connected_tokens(zoomsim)
    response = refresh(zoomsim, first["refresh_token"])
    assert response.status_code == 200
    second = response.json()
    assert second["access_token"] != first["access_token"]
    assert second["refresh_token"] != first["refresh_token"]
    assert second["token_type"] == "bearer"
    assert second["expires_in"] == 3600
    assert second["scope"] == first["scope"]
    assert second["api_url"] == zoomsim.base_url
    assert me(zoomsim, second["access_token"]).json()["id"] == "acme-admin"


def test_a_refresh_token_works_once(zoomsim: LiveZoomsim) -> None:
    first = connected_tokens(zoomsim)
    second = refresh(zoomsim, first["refresh_token"]).json()
    reused = refresh(zoomsim, first["refresh_token"])
    assert reused.status_code == 400
    assert reused.json() == INVALID_GRANT
    # The failed reuse leaves the current pair alone.
    assert me(zoomsim, second["access_token"]).status_code == 200
    assert refresh(zoomsim, second["refresh_token"]).status_code == 200


def test_the_old_access_token_dies_at_refresh(zoomsim: LiveZoomsim) -> None:
    first = connected_tokens(zoomsim)
    assert me(zoomsim, first["access_token"]).status_code == 200
    refresh(zoomsim, first["refresh_token"])
    response = me(zoomsim, first["access_token"])
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Invalid access token."}


def test_an_access_token_expires_after_an_hour(zoomsim: LiveZoomsim) -> None:
    tokens = connected_tokens(zoomsim)
    zoomsim.state.clock.advance(3600)
    response = me(zoomsim, tokens["access_token"])
    assert response.status_code == 401
    assert response.json() == {"code": 124, "message": "Access token is expired."}
    # The refresh token outlives it and brings a working one.
    renewed = refresh(zoomsim, tokens["refresh_token"]).json()
    assert me(zoomsim, renewed["access_token"]).status_code == 200


def test_the_lifetimes_follow_the_knobs(zoomsim: LiveZoomsim) -> None:
    zoomsim.state.knobs.access_token_ttl = 120
    tokens = connected_tokens(zoomsim)
    assert tokens["expires_in"] == 120
    zoomsim.state.clock.advance(121)
    assert me(zoomsim, tokens["access_token"]).status_code == 401


def test_an_expired_refresh_token_is_invalid_grant(zoomsim: LiveZoomsim) -> None:
    tokens = connected_tokens(zoomsim)
    zoomsim.state.clock.advance(zoomsim.state.knobs.refresh_token_ttl + 1)
    response = refresh(zoomsim, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json() == INVALID_GRANT


def test_refresh_after_the_app_was_removed_is_invalid_grant(zoomsim: LiveZoomsim) -> None:
    tokens = connected_tokens(zoomsim)
    # What app_deauthorized leaves behind: the installation is inactive.
    zoomsim.state.installations["campus-client-id:acct-acme"].active = False
    response = refresh(zoomsim, tokens["refresh_token"])
    assert response.status_code == 400
    assert response.json() == INVALID_GRANT


@pytest.mark.parametrize("value", ["", "not-a-refresh-token"])
def test_missing_or_unknown_refresh_token(zoomsim: LiveZoomsim, value: str) -> None:
    response = refresh(zoomsim, value)
    assert response.status_code == 400
    assert response.json()["error"] == ("invalid_request" if not value else "invalid_grant")


def test_an_access_token_is_not_a_refresh_token(zoomsim: LiveZoomsim) -> None:
    tokens = connected_tokens(zoomsim)
    assert refresh(zoomsim, tokens["access_token"]).json() == INVALID_GRANT


# --- server-to-server ----------------------------------------------------------------------


def _s2s_token(zoomsim: LiveZoomsim, account_id: str = "acct-acme") -> httpx.Response:
    return token_request(
        zoomsim,
        {"grant_type": "account_credentials", "account_id": account_id},
        client_id=S2S_ID,
        secret=S2S_SECRET,
    )


def test_account_credentials_gives_a_token_without_refresh(zoomsim: LiveZoomsim) -> None:
    response = _s2s_token(zoomsim)
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["access_token", "token_type", "expires_in", "scope", "api_url"]
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == " ".join(zoomsim.state.apps[S2S_ID].scopes)
    assert body["api_url"] == zoomsim.base_url
    assert me(zoomsim, body["access_token"]).json()["id"] == "acme-admin"


def test_account_credentials_in_the_query_string_are_not_read(zoomsim: LiveZoomsim) -> None:
    # Zoom's server-to-server page shows the parameters in the URL, but Zoom reads them from the
    # form body only since 2022 (integrators' calls written that way now get 400).
    with httpx.Client(base_url=zoomsim.base_url) as client:
        response = client.post(
            "/oauth/token",
            params={"grant_type": "account_credentials", "account_id": "acct-acme"},
            headers=basic_auth(S2S_ID, S2S_SECRET),
        )
    assert response.status_code == 400
    assert response.json() == {"reason": "Missing grant type.", "error": "invalid_request"}


def test_a_refresh_in_the_query_string_is_refused_and_spends_nothing(zoomsim: LiveZoomsim) -> None:
    pair = connected_tokens(zoomsim)
    with httpx.Client(base_url=zoomsim.base_url) as client:
        response = client.post(
            "/oauth/token",
            params={"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]},
            headers=basic_auth(),
        )
    assert response.status_code == 400
    assert response.json() == {"reason": "Missing grant type.", "error": "invalid_request"}
    assert me(zoomsim, pair["access_token"]).status_code == 200
    assert refresh(zoomsim, pair["refresh_token"]).status_code == 200


def test_several_server_to_server_tokens_are_valid_at_once(zoomsim: LiveZoomsim) -> None:
    first = _s2s_token(zoomsim).json()["access_token"]
    second = _s2s_token(zoomsim).json()["access_token"]
    assert first != second
    assert me(zoomsim, first).status_code == 200
    assert me(zoomsim, second).status_code == 200


@pytest.mark.parametrize(
    ("account_id", "reason"),
    [("acct-globex", "Invalid account_id: acct-globex"), ("", "Missing account_id.")],
)
def test_account_credentials_only_for_the_apps_own_account(
    zoomsim: LiveZoomsim, account_id: str, reason: str
) -> None:
    response = _s2s_token(zoomsim, account_id)
    assert response.status_code == 400
    assert response.json() == {"reason": reason, "error": "invalid_request"}


def test_account_credentials_is_not_for_an_oauth_app(zoomsim: LiveZoomsim) -> None:
    response = token_request(
        zoomsim, {"grant_type": "account_credentials", "account_id": "acct-acme"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "reason": "Unsupported grant type",
        "error": "unsupported_grant_type",
    }


def test_wrong_server_to_server_secret(zoomsim: LiveZoomsim) -> None:
    response = token_request(
        zoomsim,
        {"grant_type": "account_credentials", "account_id": "acct-acme"},
        client_id=S2S_ID,
        secret="guess",
    )
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


# --- revoke --------------------------------------------------------------------------------


def _revoke(
    zoomsim: LiveZoomsim, token: str | None, headers: dict[str, str] | None = None
) -> httpx.Response:
    params = {"token": token} if token is not None else {}
    with httpx.Client(base_url=zoomsim.base_url) as client:
        return client.post(
            "/oauth/revoke", params=params, headers=basic_auth() if headers is None else headers
        )


def test_revoking_the_access_token_ends_the_pair(zoomsim: LiveZoomsim) -> None:
    tokens = connected_tokens(zoomsim)
    response = _revoke(zoomsim, tokens["access_token"])
    assert response.status_code == 200
    assert response.json() == {"status": "success"}
    assert me(zoomsim, tokens["access_token"]).json()["code"] == 124
    assert refresh(zoomsim, tokens["refresh_token"]).json() == INVALID_GRANT
    assert _revoke(zoomsim, tokens["access_token"]).json()["reason"] == "Invalid Token!"


def test_revoking_by_refresh_token_ends_the_pair(zoomsim: LiveZoomsim) -> None:
    tokens = connected_tokens(zoomsim)
    assert _revoke(zoomsim, tokens["refresh_token"]).json() == {"status": "success"}
    assert me(zoomsim, tokens["access_token"]).status_code == 401


def test_revoking_a_server_to_server_token(zoomsim: LiveZoomsim) -> None:
    access = _s2s_token(zoomsim).json()["access_token"]
    response = _revoke(zoomsim, access, basic_auth(S2S_ID, S2S_SECRET))
    assert response.json() == {"status": "success"}
    assert me(zoomsim, access).status_code == 401


def test_revoke_errors(zoomsim: LiveZoomsim) -> None:
    tokens = connected_tokens(zoomsim)
    unknown = _revoke(zoomsim, "no-such-token")
    assert unknown.status_code == 400
    assert unknown.json() == {"reason": "Invalid Token!", "error": "invalid_request"}
    missing = _revoke(zoomsim, None)
    assert missing.status_code == 400
    assert missing.json() == {"reason": "Token cannot be empty.", "error": "invalid_request"}
    unauthenticated = _revoke(zoomsim, tokens["access_token"], {})
    assert unauthenticated.status_code == 401
    assert unauthenticated.json()["error"] == "invalid_client"
    # Another app cannot revoke Campus's token.
    foreign = _revoke(zoomsim, tokens["access_token"], basic_auth(S2S_ID, S2S_SECRET))
    assert foreign.status_code == 400
    assert me(zoomsim, tokens["access_token"]).status_code == 200
