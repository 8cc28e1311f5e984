"""zoom.us/oauth: the authorization URL (state + PKCE S256), code exchange, refresh, revoke, and
server-to-server `account_credentials` tokens (reference §1).

Authlib supplies the OAuth 2.0 primitives (state and verifier generation, the S256 challenge, the
authorization URI); the requests go over httpx here, so every answer passes through the one error
builder in `zoomclient.errors` and comes back as a typed `TokenSet`. Authlib's OAuth2Client would
raise its own error types and hide the HTTP status Zoom's errors depend on.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]

from zoomclient.config import DEFAULT_TIMEOUT, ZoomEndpoints, shared_tls_context
from zoomclient.errors import oauth_error_from_response, oauth_unexpected_body, transport_error

log = logging.getLogger("zoomclient")

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class TokenSet:
    """A token response. Keep `refresh_token` and `api_url` with the access token: Zoom rotates
    refresh tokens (the old one dies on use) and names the regional API host in `api_url`."""

    access_token: str
    refresh_token: str | None
    expires_at: datetime
    scopes: tuple[str, ...]
    api_url: str | None

    def __repr__(self) -> str:
        # Tokens must not reach logs or tracebacks through a repr.
        return (
            f"TokenSet(expires_at={self.expires_at.isoformat()}, scopes={self.scopes!r}, "
            f"api_url={self.api_url!r}, refreshable={self.refresh_token is not None})"
        )

    def expires_within(self, margin: timedelta, now: datetime) -> bool:
        return self.expires_at - margin <= now


@dataclass(frozen=True)
class AuthorizationRequest:
    """Send the person to `url`; keep `state` and `code_verifier` in their session until the
    callback: the callback must carry the same `state`, and the exchange needs the verifier."""

    url: str
    state: str
    code_verifier: str

    def __repr__(self) -> str:
        return "AuthorizationRequest(url=..., state=..., code_verifier=...)"


class ZoomOAuth:
    """The app's side of zoom.us/oauth, authenticated with its client id and secret."""

    def __init__(
        self,
        client_id: str,
        client_secret: str,
        endpoints: ZoomEndpoints,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        http: httpx.Client | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.client_id = client_id
        self._client_secret = client_secret
        self.endpoints = endpoints
        self._http = http or httpx.Client(timeout=timeout, verify=shared_tls_context())
        self._owns_http = http is None
        self._clock = clock

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> ZoomOAuth:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def authorization_request(self, redirect_uri: str) -> AuthorizationRequest:
        """https://developers.zoom.us/docs/integrations/oauth/#step-1-request-user-authorization

        No `scope` parameter: scopes are set in the app's configuration, and Zoom rejects an
        authorize URL that names them ("Invalid scopes", since 2021)."""
        state = generate_token(32)
        # RFC 7636: 43-128 characters; generate_token uses letters and digits only.
        code_verifier = generate_token(64)
        url = prepare_grant_uri(
            self.endpoints.oauth_base + "/oauth/authorize",
            client_id=self.client_id,
            response_type="code",
            redirect_uri=redirect_uri,
            state=state,
            code_challenge=create_s256_code_challenge(code_verifier),
            code_challenge_method="S256",
        )
        return AuthorizationRequest(url=str(url), state=state, code_verifier=code_verifier)

    def exchange_code(self, code: str, *, redirect_uri: str, code_verifier: str) -> TokenSet:
        """https://developers.zoom.us/docs/integrations/oauth/#step-2-request-access-token"""
        return self._token_request(
            "authorization_code",
            {"code": code, "redirect_uri": redirect_uri, "code_verifier": code_verifier},
        )

    def refresh(self, refresh_token: str) -> TokenSet:
        """https://developers.zoom.us/docs/integrations/oauth/#refreshing-an-access-token

        Returns a NEW pair: Zoom rotates refresh tokens and the one sent here is dead from now on,
        so store the result before using it. A dead refresh token raises ZoomInvalidGrant."""
        return self._token_request("refresh_token", {"refresh_token": refresh_token})

    def account_credentials(self, account_id: str) -> TokenSet:
        """https://developers.zoom.us/docs/internal-apps/s2s-oauth/ (no refresh token: fetch a new
        one when it expires)."""
        return self._token_request("account_credentials", {"account_id": account_id})

    def revoke(self, token: str) -> None:
        """https://developers.zoom.us/docs/integrations/oauth/#revoking-an-access-token

        Zoom documents `token` as a query parameter of the POST."""
        response = self._post("/oauth/revoke", params={"token": token}, data=None)
        if response.is_error:
            raise oauth_error_from_response(response)

    # --- the token endpoint ------------------------------------------------------------------

    def _token_request(self, grant_type: str, params: Mapping[str, str]) -> TokenSet:
        requested_at = self._clock()
        response = self._post(
            "/oauth/token", params=None, data={"grant_type": grant_type, **params}
        )
        if response.is_error:
            raise oauth_error_from_response(response)
        try:
            body = response.json()
        except ValueError as exc:
            raise oauth_unexpected_body(response) from exc
        if not isinstance(body, Mapping) or not isinstance(body.get("access_token"), str):
            raise oauth_unexpected_body(response)
        return _token_set(body, requested_at)

    def _post(
        self, path: str, *, params: Mapping[str, str] | None, data: Mapping[str, str] | None
    ) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self._http.post(
                self.endpoints.oauth_base + path,
                params=params,
                data=data,
                auth=httpx.BasicAuth(self.client_id, self._client_secret),  # client_secret_basic
                headers={"Accept": "application/json"},
            )
        except httpx.TransportError as exc:
            raise transport_error(exc) from exc
        log.info(
            "zoomclient.request",
            extra={
                "method": "POST",
                "path": path,
                "status": response.status_code,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        return response


def _token_set(body: Mapping[str, Any], requested_at: datetime) -> TokenSet:
    try:
        seconds = int(body.get("expires_in", 3600))
    except (TypeError, ValueError):
        seconds = 3600  # Zoom's access tokens live an hour
    refresh_token = body.get("refresh_token")
    api_url = body.get("api_url")
    return TokenSet(
        access_token=body["access_token"],
        refresh_token=refresh_token if isinstance(refresh_token, str) and refresh_token else None,
        # Counted from when the request was sent, so the token is never believed fresher than it is.
        expires_at=requested_at + timedelta(seconds=seconds),
        scopes=tuple(str(body.get("scope") or "").split()),
        api_url=api_url if isinstance(api_url, str) and api_url else None,
    )
