"""zoom.us/oauth: the authorize pages (sign-in, consent), token, and revoke.

Behaviour follows shared/reference/zoom-api.md §1; docs/zoomsim/oauth.md lists every endpoint,
parameter and error. Token endpoint errors use Zoom's body `{"reason": ..., "error": ...}`; the
47xx code Zoom documents for each is named in the comment beside it (Zoom does not put it in the
body of these responses).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from zoomsim import oauth_pages
from zoomsim.errors import OAuthErrorResponse
from zoomsim.model import App, AuthCode, Token, User
from zoomsim.sim import sim_of
from zoomsim.state import State

SESSION_COOKIE = "zoomsim_session"

# RFC 7636: a code challenge (and verifier) is 43-128 characters of this alphabet. A padded
# base64 S256 challenge fails here, as it does at strict servers.
_PKCE_VALUE = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
# Codes and tokens are forgotten a day after they expire (revoked tokens at once: a forgotten one
# gets the same answer), so a long-running simulator does not grow without end, while a recently
# expired one still gets its precise error ("Code is expired", "Access token is expired.").
_FORGET_AFTER = 24 * 3600
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

ADMIN_REQUIRED_DESCRIPTION = (
    "Only an account owner or admin can authorize this app for the account. "
    "Ask your Zoom account owner or admin to add it."
)


# --- the authorize request -----------------------------------------------------------------


class AuthorizePageError(Exception):
    """An authorize request Zoom refuses with an error page instead of redirecting back: the
    redirect_uri is not trusted yet (or is the problem), so there is nowhere safe to send it."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class AuthorizeRequest:
    app: App
    redirect_uri: str
    state: str
    code_challenge: str
    code_challenge_method: str

    def params(self) -> dict[str, str]:
        """The request's parameters, to carry in hidden fields or a URL."""
        params = {
            "response_type": "code",
            "client_id": self.app.client_id,
            "redirect_uri": self.redirect_uri,
            "state": self.state,
            "code_challenge": self.code_challenge,
            "code_challenge_method": self.code_challenge_method,
        }
        return {name: value for name, value in params.items() if value}

    def authorize_path(self) -> str:
        """Back to the authorize page with this request, e.g. after signing in or out."""
        return f"/oauth/authorize?{urlencode(self.params())}"

    def back_to_app(self, **query: str) -> RedirectResponse:
        """302 to the app's redirect_uri with `query` and the app's `state` echoed."""
        if self.state:
            query["state"] = self.state
        parts = urlsplit(self.redirect_uri)
        merged = "&".join(part for part in (parts.query, urlencode(query)) if part)
        return RedirectResponse(urlunsplit(parts._replace(query=merged)), status_code=302)


def parse_authorize_request(state: State, fields: Mapping[str, str]) -> AuthorizeRequest:
    client_id = fields.get("client_id", "")
    app = state.apps.get(client_id)
    if app is None:
        raise AuthorizePageError(f"Invalid client_id: {client_id}", 4702)
    if app.kind != "oauth_admin":
        raise AuthorizePageError(
            f"Invalid client_id: {client_id}. A Server-to-Server OAuth app has no authorize "
            "page; it gets tokens with grant_type=account_credentials.",
            4702,
        )
    redirect_uri = fields.get("redirect_uri", "")
    if redirect_uri not in app.redirect_urls:
        raise AuthorizePageError(f"Invalid redirect: {redirect_uri}", 4709)
    # Scopes are set in the app's configuration; since 2021 Zoom refuses them in the URL.
    if "scope" in fields:
        raise AuthorizePageError("Invalid scopes", 4711)
    response_type = fields.get("response_type", "")
    if response_type != "code":
        raise AuthorizePageError(f"Unsupported response_type: {response_type}", 4700)
    challenge = fields.get("code_challenge", "")
    method = fields.get("code_challenge_method", "")
    if method and not challenge:
        raise AuthorizePageError("code_challenge_method was sent without code_challenge", 4700)
    if challenge:
        method = method or "plain"  # RFC 7636: a challenge without a method is "plain"
        if method not in ("S256", "plain"):
            raise AuthorizePageError(f"Invalid code_challenge_method: {method}", 4700)
        if not _PKCE_VALUE.fullmatch(challenge):
            raise AuthorizePageError("Invalid code_challenge", 4700)
    return AuthorizeRequest(
        app=app,
        redirect_uri=redirect_uri,
        state=fields.get("state", ""),
        code_challenge=challenge,
        code_challenge_method=method,
    )


# --- request plumbing ----------------------------------------------------------------------


class _UnreadableBody(Exception):
    pass


async def _body_fields(request: Request) -> dict[str, str]:
    """Form fields of the body (urlencoded or multipart); an empty body has none."""
    raw = await request.body()
    if not raw.strip():
        return {}
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/x-www-form-urlencoded":
        try:
            return dict(parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise _UnreadableBody("The body is not valid form-encoded UTF-8.") from exc
    if content_type == "multipart/form-data":
        try:
            form = await request.form()
        except Exception as exc:  # the multipart parser raises several types
            raise _UnreadableBody("The multipart body could not be parsed.") from exc
        return {name: value for name, value in form.items() if isinstance(value, str)}
    raise _UnreadableBody(
        f"Unsupported content type {content_type or '(none)'}: send the parameters "
        "form-encoded (application/x-www-form-urlencoded)."
    )


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers=_NO_STORE)


def _session_user(state: State, request: Request) -> User | None:
    user_id = state.sessions.get(request.cookies.get(SESSION_COOKIE, ""))
    user = state.users.get(user_id) if user_id else None
    return user if user is not None and user.status == "active" else None


BrowserHandler = Callable[[Request], Awaitable[Response]]


def _browser_page(handler: BrowserHandler) -> BrowserHandler:
    """A page a person sees: refusals become Zoom's error page, never JSON or a 500."""

    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request)
        except AuthorizePageError as error:
            return _html(oauth_pages.error_page(error.message, error.code), 400)
        except _UnreadableBody as error:
            return _html(oauth_pages.error_page(str(error), 4700), 400)

    endpoint.__name__ = handler.__name__
    return endpoint


# --- pages: authorize, sign in, consent, sign out ------------------------------------------


@_browser_page
async def authorize(request: Request) -> Response:
    state = sim_of(request).state
    authorize_request = parse_authorize_request(state, request.query_params)
    user = _session_user(state, request)
    if user is None:
        return _html(oauth_pages.signin_page(authorize_request.params()))
    return _consent_or_admin_required(state, authorize_request, user)


def _consent_or_admin_required(
    state: State, authorize_request: AuthorizeRequest, user: User
) -> Response:
    app = authorize_request.app
    account = state.accounts[user.account_id]
    params = authorize_request.params()
    if not user.is_admin:
        # Admin-managed apps act for the whole account: only an owner or admin may add them.
        return _html(oauth_pages.admin_required_page(app, account, user, params))
    return _html(oauth_pages.consent_page(app, account, user, params))


@_browser_page
async def signin(request: Request) -> Response:
    sim = sim_of(request)
    fields = await _body_fields(request)
    authorize_request = parse_authorize_request(sim.state, fields)
    email = fields.get("email", "").strip()
    user = sim.state.user_by_email(email) if email else None
    password_ok = user is not None and hmac.compare_digest(
        user.password.encode(), fields.get("password", "").encode()
    )
    if user is None or not password_ok:
        page = oauth_pages.signin_page(
            authorize_request.params(), email=email, error="Incorrect email or password."
        )
        return _html(page, 401)
    if user.status != "active":
        page = oauth_pages.signin_page(
            authorize_request.params(),
            email=email,
            error="This Zoom user is not active. Accept the invitation or ask your admin.",
        )
        return _html(page, 401)
    session = secrets.token_urlsafe(32)
    sim.state.sessions[session] = user.id
    response = RedirectResponse(authorize_request.authorize_path(), status_code=303)
    # SameSite=Lax keeps the cookie off cross-site POSTs, so another site cannot submit the
    # consent form for a signed-in person.
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="lax", path="/")
    return response


@_browser_page
async def consent(request: Request) -> Response:
    sim = sim_of(request)
    fields = await _body_fields(request)
    # The form's hidden fields are as untrusted as the original URL: validate them again.
    authorize_request = parse_authorize_request(sim.state, fields)
    user = _session_user(sim.state, request)
    if user is None:
        return _html(oauth_pages.signin_page(authorize_request.params()), 401)
    if not user.is_admin:
        # Whatever button was sent: a member cannot authorize an admin-managed app.
        return authorize_request.back_to_app(
            error="access_denied", error_description=ADMIN_REQUIRED_DESCRIPTION
        )
    if "decline" in fields:
        return authorize_request.back_to_app(error="access_denied")
    if "authorize" not in fields:
        raise AuthorizePageError("Choose Authorize or Decline.", 4700)
    code = _authorize(sim.state, authorize_request, user)
    sim.changed()
    return authorize_request.back_to_app(code=code.code)


def _authorize(state: State, authorize_request: AuthorizeRequest, user: User) -> AuthCode:
    """Install the app for the user's account (again, if it was removed) and issue a code."""
    now = state.now()
    app = authorize_request.app
    installation = state.installation(app.client_id, user.account_id)
    if installation is None:
        installation = state.installation_or_new(app.client_id, user.account_id, user.id)
    elif not installation.active:
        installation.active = True
        installation.installed_at = now
    installation.user_id = user.id
    _forget_old_codes(state)
    code = AuthCode(
        code=secrets.token_urlsafe(24),
        client_id=app.client_id,
        user_id=user.id,
        account_id=user.account_id,
        redirect_uri=authorize_request.redirect_uri,
        expires_at=now + state.knobs.auth_code_ttl,
        code_challenge=authorize_request.code_challenge,
        code_challenge_method=authorize_request.code_challenge_method,
    )
    state.auth_codes[code.code] = code
    return code


@_browser_page
async def signout(request: Request) -> Response:
    sim = sim_of(request)
    fields = await _body_fields(request)
    sim.state.sessions.pop(request.cookies.get(SESSION_COOKIE, ""), None)
    if fields.get("client_id"):
        authorize_request = parse_authorize_request(sim.state, fields)
        response: Response = RedirectResponse(authorize_request.authorize_path(), status_code=303)
    else:
        response = _html(oauth_pages.signed_out_page())
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# --- token and revoke ----------------------------------------------------------------------


def _invalid_client() -> OAuthErrorResponse:  # 4702 / 4704 / 4706
    return OAuthErrorResponse(401, "invalid_client", "Invalid client_id or client_secret")


def _invalid_request(reason: str) -> OAuthErrorResponse:
    return OAuthErrorResponse(400, "invalid_request", reason)


def _invalid_grant() -> OAuthErrorResponse:
    # Zoom's answer to a used, revoked, expired or unknown refresh token (400 since ~2022).
    return OAuthErrorResponse(400, "invalid_grant", "Invalid Token!")


def _unsupported_grant() -> OAuthErrorResponse:  # 4705
    return OAuthErrorResponse(400, "unsupported_grant_type", "Unsupported grant type")


def _authenticate_client(state: State, request: Request) -> App:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        raise _invalid_client()
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise _invalid_client() from exc
    client_id, _, client_secret = decoded.partition(":")
    app = state.apps.get(client_id)
    if app is None or not hmac.compare_digest(app.client_secret.encode(), client_secret.encode()):
        raise _invalid_client()
    return app


async def _form_params(request: Request) -> dict[str, str]:
    """The form body's fields, or Zoom's invalid_request when the body cannot be read."""
    try:
        return await _body_fields(request)
    except _UnreadableBody as error:
        raise _invalid_request(str(error)) from error


async def _token_params(request: Request) -> dict[str, str]:
    """The token endpoint reads the form body only. Zoom's docs still show
    `?grant_type=…&account_id=…` in the URL and Zoom read it there until 2022; since then the
    query string is not read (such a request is "Missing grant type."), so a client that still
    sends it fails here as it does at Zoom."""
    return await _form_params(request)


async def _revoke_params(request: Request) -> dict[str, str]:
    """Revoke still takes `token` from the query string, as Zoom documents it, or the body (which
    wins when both have it)."""
    return {**request.query_params, **(await _form_params(request))}


def _token_string(kind: str) -> str:
    # Zoom's tokens are opaque, JWT-looking and several hundred characters long; ours are too,
    # so a client that parses them or stores them in a short column fails here, not in production.
    header = base64.urlsafe_b64encode(f'{{"typ":"{kind}","iss":"zoomsim"}}'.encode()).decode()
    return f"{header.rstrip('=')}.{secrets.token_urlsafe(384)}.{secrets.token_urlsafe(64)}"


def _issue(
    state: State, app: App, *, account_id: str, user_id: str, scopes: list[str], refreshable: bool
) -> Token:
    _forget_dead_tokens(state)
    now = state.now()
    token = Token(
        access_token=_token_string("access"),
        client_id=app.client_id,
        account_id=account_id,
        user_id=user_id,
        scopes=list(scopes),
        access_expires_at=now + state.knobs.access_token_ttl,
        refresh_token=_token_string("refresh") if refreshable else None,
        refresh_expires_at=now + state.knobs.refresh_token_ttl if refreshable else None,
    )
    state.tokens[token.access_token] = token
    return token


def _token_body(state: State, token: Token) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": token.access_token, "token_type": "bearer"}
    if token.refresh_token is not None:
        body["refresh_token"] = token.refresh_token
    body["expires_in"] = state.knobs.access_token_ttl
    body["scope"] = " ".join(token.scopes)
    body["api_url"] = state.knobs.base_url
    return body


def _installation_active(state: State, client_id: str, account_id: str) -> bool:
    installation = state.installation(client_id, account_id)
    return installation is not None and installation.active


def _pkce_matches(code: AuthCode, verifier: str) -> bool:
    if code.code_challenge_method == "S256":
        digest = hashlib.sha256(verifier.encode("ascii", "replace")).digest()
        expected = base64.urlsafe_b64encode(digest).decode().rstrip("=")
    else:
        expected = verifier
    return hmac.compare_digest(expected.encode(), code.code_challenge.encode())


def _grant_authorization_code(state: State, app: App, params: Mapping[str, str]) -> Token:
    if app.kind != "oauth_admin":
        raise _unsupported_grant()
    value = params.get("code", "")
    code = state.auth_codes.get(value)
    if (
        code is None
        or code.used
        or code.client_id != app.client_id
        or code.user_id not in state.users
        or not _installation_active(state, app.client_id, code.account_id)
    ):
        raise _invalid_request(f"Invalid authorization code {value}")  # 4734
    if code.expires_at <= state.now():
        raise _invalid_request("Code is expired")  # 4733
    if params.get("redirect_uri", "") != code.redirect_uri:
        raise _invalid_request("Redirect URI mismatch.")  # 4709
    if code.code_challenge:
        verifier = params.get("code_verifier", "")
        if not verifier:
            raise _invalid_request("Missing code_verifier.")
        if not _pkce_matches(code, verifier):
            raise OAuthErrorResponse(400, "invalid_grant", "Invalid code_verifier.")
    code.used = True
    # A new authorization revokes the tokens of earlier ones for the same user (Zoom's 4741).
    for earlier in state.tokens.values():
        if earlier.client_id == app.client_id and earlier.user_id == code.user_id:
            earlier.revoke()
    return _issue(
        state,
        app,
        account_id=code.account_id,
        user_id=code.user_id,
        scopes=app.scopes,
        refreshable=True,
    )


def _grant_refresh_token(state: State, app: App, params: Mapping[str, str]) -> Token:
    if app.kind != "oauth_admin":
        raise _unsupported_grant()
    value = params.get("refresh_token", "")
    if not value:
        raise _invalid_request("Missing refresh_token.")
    old = state.token_by_refresh(value)
    if (
        old is None
        or old.client_id != app.client_id
        or old.refresh_revoked
        or old.replaced_by is not None
        or old.refresh_expires_at is None
        or old.refresh_expires_at <= state.now()
        or old.user_id not in state.users
        or not _installation_active(state, app.client_id, old.account_id)
    ):
        raise _invalid_grant()
    new = _issue(
        state,
        app,
        account_id=old.account_id,
        user_id=old.user_id,
        scopes=old.scopes,
        refreshable=True,
    )
    # Zoom rotates refresh tokens: the old refresh token is spent and its access token dies.
    old.revoke()
    old.replaced_by = new.access_token
    return new


def _grant_account_credentials(state: State, app: App, params: Mapping[str, str]) -> Token:
    if app.kind != "s2s":
        raise _unsupported_grant()
    account_id = params.get("account_id", "")
    if not account_id:
        raise _invalid_request("Missing account_id.")
    if account_id != app.account_id:
        raise _invalid_request(f"Invalid account_id: {account_id}")
    if not _installation_active(state, app.client_id, account_id):
        raise _invalid_request("The app has been disabled")  # 4717
    # Several S2S tokens may be valid at once (Zoom's newer behaviour), so earlier ones stay.
    return _issue(
        state,
        app,
        account_id=account_id,
        user_id=app.owner_user_id,
        scopes=app.scopes,
        refreshable=False,
    )


Grant = Callable[[State, App, Mapping[str, str]], Token]
_GRANTS: dict[str, Grant] = {
    "authorization_code": _grant_authorization_code,
    "refresh_token": _grant_refresh_token,
    "account_credentials": _grant_account_credentials,
}


async def token(request: Request) -> Response:
    sim = sim_of(request)
    app = _authenticate_client(sim.state, request)
    params = await _token_params(request)
    grant_type = params.get("grant_type", "")
    if not grant_type:
        raise _invalid_request("Missing grant type.")  # 4706
    grant = _GRANTS.get(grant_type)
    if grant is None:
        raise _unsupported_grant()
    issued = grant(sim.state, app, params)
    sim.changed()
    return JSONResponse(_token_body(sim.state, issued), headers=_NO_STORE)


async def revoke(request: Request) -> Response:
    sim = sim_of(request)
    app = _authenticate_client(sim.state, request)
    value = (await _revoke_params(request)).get("token", "")
    if not value:
        raise _invalid_request("Token cannot be empty.")  # 4700
    found = sim.state.tokens.get(value) or sim.state.token_by_refresh(value)
    # A revoked token answers like an unknown one: revoked rows are soon forgotten, and the
    # answer must not depend on whether this one still is.
    if found is None or found.client_id != app.client_id or found.access_revoked:
        raise _invalid_request("Invalid Token!")
    found.revoke()
    sim.changed()
    return JSONResponse({"status": "success"}, headers=_NO_STORE)


# --- forgetting what can no longer matter --------------------------------------------------


def _forget_old_codes(state: State) -> None:
    horizon = state.now() - _FORGET_AFTER
    for value in [v for v, code in state.auth_codes.items() if code.expires_at < horizon]:
        del state.auth_codes[value]


def _forget_dead_tokens(state: State) -> None:
    horizon = state.now() - _FORGET_AFTER

    def dead(token: Token) -> bool:
        access_dead = token.access_revoked or token.access_expires_at < horizon
        refresh_dead = (
            token.refresh_token is None
            or token.refresh_revoked
            or (token.refresh_expires_at or 0) < horizon
        )
        return access_dead and refresh_dead

    for value in [v for v, token in state.tokens.items() if dead(token)]:
        del state.tokens[value]


routes: list[BaseRoute] = [
    Route("/oauth/authorize", authorize, methods=["GET"]),
    Route("/oauth/signin", signin, methods=["POST"]),
    Route("/oauth/consent", consent, methods=["POST"]),
    Route("/oauth/signout", signout, methods=["POST"]),
    Route("/oauth/token", token, methods=["POST"]),
    Route("/oauth/revoke", revoke, methods=["POST"]),
]
