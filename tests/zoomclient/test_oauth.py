from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.oauth_browser import (
    CAMPUS_CALLBACK,
    CAMPUS_ID,
    CAMPUS_SECRET,
    authorize_in_browser,
)
from zoomclient import (
    ServerToServerTokenSource,
    TokenSet,
    ZoomClient,
    ZoomEndpoints,
    ZoomInvalidGrant,
    ZoomOAuth,
    ZoomOAuthError,
    ZoomTransportError,
    ZoomUnauthorized,
)


class StaticTokens:
    """The token of a TokenSet, with nothing to refresh to."""

    def __init__(self, token_set: TokenSet) -> None:
        self.token = token_set.access_token

    def access_token(self) -> str:
        return self.token

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        return self.token


@pytest.fixture
def oauth(endpoints: ZoomEndpoints) -> Iterator[ZoomOAuth]:
    with ZoomOAuth(CAMPUS_ID, CAMPUS_SECRET, endpoints) as app:
        yield app


def connect(oauth: ZoomOAuth) -> TokenSet:
    request = oauth.authorization_request(CAMPUS_CALLBACK)
    callback = authorize_in_browser(request.url)
    assert callback["state"] == request.state
    return oauth.exchange_code(
        callback["code"], redirect_uri=CAMPUS_CALLBACK, code_verifier=request.code_verifier
    )


def test_authorization_url_carries_state_and_s256_challenge_but_no_scope(
    oauth: ZoomOAuth, zoomsim: LiveZoomsim
) -> None:
    request = oauth.authorization_request(CAMPUS_CALLBACK)
    parts = urlsplit(request.url)
    query = {name: values[0] for name, values in parse_qs(parts.query).items()}
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == zoomsim.base_url + "/oauth/authorize"
    assert "scope" not in query
    assert query["response_type"] == "code"
    assert query["client_id"] == CAMPUS_ID
    assert query["redirect_uri"] == CAMPUS_CALLBACK
    assert query["state"] == request.state
    assert query["code_challenge_method"] == "S256"
    digest = hashlib.sha256(request.code_verifier.encode()).digest()
    assert query["code_challenge"] == base64.urlsafe_b64encode(digest).decode().rstrip("=")
    assert 43 <= len(request.code_verifier) <= 128
    # Every request gets its own state and verifier.
    again = oauth.authorization_request(CAMPUS_CALLBACK)
    assert (again.state, again.code_verifier) != (request.state, request.code_verifier)


def test_code_flow_through_the_consent_page_then_users_me(
    oauth: ZoomOAuth, endpoints: ZoomEndpoints
) -> None:
    before = datetime.now(UTC)
    tokens = connect(oauth)
    assert tokens.refresh_token
    assert "user:read:user:admin" in tokens.scopes
    assert (
        before + timedelta(seconds=3500)
        < tokens.expires_at
        <= before + timedelta(hours=1, seconds=5)
    )
    assert tokens.access_token not in repr(tokens)
    assert tokens.refresh_token not in repr(tokens)
    with ZoomClient(endpoints.with_api_url(tokens.api_url), StaticTokens(tokens)) as zoom:
        me = zoom.get_user("me")
    assert (me.id, me.account_id, me.email) == ("acme-admin", "acct-acme", "admin@acme.test")
    assert me.role_name == "Admin"


def test_wrong_code_verifier_is_refused_as_invalid_grant(oauth: ZoomOAuth) -> None:
    request = oauth.authorization_request(CAMPUS_CALLBACK)
    callback = authorize_in_browser(request.url)
    with pytest.raises(ZoomInvalidGrant):
        oauth.exchange_code(callback["code"], redirect_uri=CAMPUS_CALLBACK, code_verifier="x" * 64)


def test_refresh_rotates_the_pair_and_the_old_refresh_token_is_dead(
    oauth: ZoomOAuth, endpoints: ZoomEndpoints
) -> None:
    first = connect(oauth)
    assert first.refresh_token is not None
    second = oauth.refresh(first.refresh_token)
    assert second.refresh_token not in (None, first.refresh_token)
    assert second.access_token != first.access_token

    with pytest.raises(ZoomInvalidGrant) as raised:
        oauth.refresh(first.refresh_token)
    assert raised.value.status == 400
    assert raised.value.reason == "Invalid Token!"
    assert first.refresh_token not in str(raised.value)

    with ZoomClient(endpoints, StaticTokens(second)) as zoom:
        assert zoom.get_user("me").id == "acme-admin"


def test_revoked_access_token_is_rejected_by_the_api(
    oauth: ZoomOAuth, endpoints: ZoomEndpoints
) -> None:
    tokens = connect(oauth)
    oauth.revoke(tokens.access_token)
    with (
        ZoomClient(endpoints, StaticTokens(tokens)) as zoom,
        pytest.raises(ZoomUnauthorized) as raised,
    ):
        zoom.get_user("me")
    assert (raised.value.status, raised.value.code) == (401, 124)


def test_wrong_client_secret_is_an_oauth_error_but_not_invalid_grant(
    endpoints: ZoomEndpoints,
) -> None:
    with (
        ZoomOAuth(CAMPUS_ID, "not-the-secret", endpoints) as oauth,
        pytest.raises(ZoomOAuthError) as raised,
    ):
        oauth.refresh("whatever")
    assert not isinstance(raised.value, ZoomInvalidGrant)
    assert (raised.value.status, raised.value.error) == (401, "invalid_client")
    assert "not-the-secret" not in str(raised.value)


def test_server_to_server_token_has_no_refresh_token_and_works(endpoints: ZoomEndpoints) -> None:
    with ZoomOAuth("acme-s2s-client-id", "acme-s2s-secret", endpoints) as oauth:
        tokens = oauth.account_credentials("acct-acme")
        assert tokens.refresh_token is None
        assert "meeting:write:meeting:admin" in tokens.scopes
        source = ServerToServerTokenSource(oauth, "acct-acme")
        with ZoomClient(endpoints, source) as zoom:
            assert zoom.get_user("me").id == "acme-admin"  # the app's owner
        assert source.api_url == tokens.api_url


def test_server_to_server_source_fetches_a_new_token_after_a_401(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints
) -> None:
    with ZoomOAuth("acme-s2s-client-id", "acme-s2s-secret", endpoints) as oauth:
        source = ServerToServerTokenSource(oauth, "acct-acme")
        first = source.access_token()
        zoomsim.state.tokens[first].access_revoked = True  # the scene: Zoom dropped it
        with ZoomClient(endpoints, source) as zoom:
            assert zoom.get_user("me").id == "acme-admin"
        assert source.access_token() != first
        # A worker that saw the old token rejected gets the already-fetched one, no new fetch.
        assert source.refreshed_after_unauthorized(first) == source.access_token()


def test_server_to_server_source_renews_an_expiring_token(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints
) -> None:
    zoomsim.state.knobs.access_token_ttl = 30  # shorter than the renewal margin
    with ZoomOAuth("acme-s2s-client-id", "acme-s2s-secret", endpoints) as oauth:
        source = ServerToServerTokenSource(oauth, "acct-acme")
        assert source.access_token() != source.access_token()


def test_the_api_url_of_the_token_response_is_where_calls_go(
    zoomsim: LiveZoomsim, oauth: ZoomOAuth, closed_port_url: str
) -> None:
    # Zoom names the account's regional API host in `api_url`; here it is zoomsim itself, while
    # the configured api_base points at a closed port.
    tokens = connect(oauth)
    assert tokens.api_url == zoomsim.base_url
    configured = ZoomEndpoints(oauth_base=zoomsim.base_url, api_base=closed_port_url + "/v2")
    with ZoomClient(configured, StaticTokens(tokens)) as zoom, pytest.raises(ZoomTransportError):
        zoom.get_user("me")
    with ZoomClient(configured.with_api_url(tokens.api_url), StaticTokens(tokens)) as zoom:
        assert zoom.get_user("me").id == "acme-admin"


def test_oauth_server_unreachable_is_a_transport_error(closed_port_url: str) -> None:
    closed = ZoomEndpoints.at(closed_port_url)
    with (
        ZoomOAuth(CAMPUS_ID, CAMPUS_SECRET, closed) as oauth,
        pytest.raises(ZoomTransportError) as raised,
    ):
        oauth.refresh("some-refresh-token")
    assert isinstance(raised.value.__cause__, httpx.ConnectError)
    assert "some-refresh-token" not in str(raised.value)
