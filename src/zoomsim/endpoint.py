"""How an api.zoom.us/v2 endpoint is declared: bearer auth, scopes, rate-limit category, then the
handler. Every endpoint module registers its routes through `api(...)`.

Paths are matched on the raw (still percent-encoded) path, because Zoom's behaviour with meeting
UUIDs depends on how they were encoded (see `ApiContext.meeting_ref`).
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from zoomsim.errors import ZoomErrorResponse, invalid_json, unauthorized
from zoomsim.json_bodies import parse_json
from zoomsim.model import Account, App, Token, User
from zoomsim.ratelimit import Category, charge
from zoomsim.sim import Simulator, sim_of
from zoomsim.state import State


@dataclass
class ApiContext:
    request: Request
    sim: Simulator
    token: Token
    account: Account
    app: App
    headers: dict[str, str] = field(default_factory=dict)  # added to the response

    @property
    def state(self) -> State:
        return self.sim.state

    def param(self, name: str) -> str:
        """A path parameter, percent-decoded once (as any server does)."""
        return unquote(str(self.request.path_params[name]))

    def meeting_ref(self, name: str = "meetingId") -> str:
        """A meeting id or UUID from the path, decoded the way Zoom does.

        Zoom decodes the path once and then normalises slashes in the value: a UUID that begins
        with `/` or contains `//` loses them unless the client encoded it twice. A value that still
        holds `%` after the first decoding was double-encoded and is decoded again.
        """
        value = self.param(name)
        if "%" in value:
            return unquote(value)
        while "//" in value:
            value = value.replace("//", "/")
        return value.lstrip("/")

    def query(self, name: str, default: str = "") -> str:
        return self.request.query_params.get(name, default)

    def acting_user(self) -> User:
        return self.state.users[self.token.user_id]

    async def json_body(self) -> dict[str, Any]:
        raw = await self.request.body()
        try:
            body = parse_json(raw) if raw.strip() else {}
        except ValueError as exc:
            raise invalid_json() from exc
        if not isinstance(body, dict):
            raise invalid_json()
        return body

    def json(self, data: Any, status: int = 200) -> Response:
        return JSONResponse(data, status_code=status, headers=self.headers)

    def no_content(self) -> Response:
        return Response(status_code=204, headers=self.headers)


Handler = Callable[[ApiContext], Awaitable[Response]]

# Every endpoint module appends to this list at import time; app.py mounts it under /v2.
API_ROUTES: list[Route] = []


def authenticate(sim: Simulator, request: Request) -> Token:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise unauthorized("Requires an access token.")
    return live_token(sim.state, value.strip())


def live_token(state: State, access_token: str) -> Token:
    """The token behind `access_token` if it still works: not revoked, not expired, and its app
    still installed on the account. Otherwise Zoom's 401/124."""
    token = state.tokens.get(access_token)
    if token is None or token.access_revoked:
        raise unauthorized("Invalid access token.")
    if token.access_expires_at <= state.now():
        raise unauthorized("Access token is expired.")
    installation = state.installation(token.client_id, token.account_id)
    if installation is None or not installation.active:
        raise unauthorized("Invalid access token.")
    return token


# Classic scopes are `resource:read` / `resource:write`, optionally `:admin` or `:master`
# (`user:read:admin`); granular ones name an action on a resource (`user:read:list_users:admin`).
_CLASSIC_SCOPE = re.compile(r"[a-z_]+:(?:read|write)(?::admin|:master)?")


def require_scopes(token: Token, accepted: tuple[str, ...]) -> None:
    """Any one of `accepted` (classic or granular) will do; Zoom names the granular ones."""
    if not accepted or set(token.scopes) & set(accepted):
        return
    granular = [scope for scope in accepted if not _CLASSIC_SCOPE.fullmatch(scope)]
    granular = granular or list(accepted)
    raise ZoomErrorResponse(
        400, 4711, f"Invalid access token, does not contain scopes:[{', '.join(granular)}]."
    )


def api(
    method: str, path: str, *, category: Category, scopes: tuple[str, ...]
) -> Callable[[Handler], Handler]:
    """Register `handler` for `METHOD /v2{path}` in rate-limit `category` behind `scopes`."""

    def register(handler: Handler) -> Handler:
        async def endpoint(request: Request) -> Response:
            sim = sim_of(request)
            token = authenticate(sim, request)
            require_scopes(token, scopes)
            state = sim.state
            headers = charge(state, token.account_id, category)
            ctx = ApiContext(
                request=request,
                sim=sim,
                token=token,
                account=state.accounts[token.account_id],
                app=state.apps[token.client_id],
                headers=headers,
            )
            try:
                response = await handler(ctx)
            except ZoomErrorResponse as error:
                # A refused call was still counted, and Zoom labels it like any other: the per-host
                # daily 429 carries the endpoint's category headers (reference §4).
                error.headers = {**headers, **error.headers}
                raise
            if method != "GET":
                sim.changed()
            return response

        endpoint.__name__ = handler.__name__
        API_ROUTES.append(Route("/v2" + path, endpoint, methods=[method]))
        return handler

    return register
