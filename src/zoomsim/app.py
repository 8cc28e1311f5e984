"""The ASGI application: zoom.us (`/oauth/...`), api.zoom.us (`/v2/...`), the control API
(`/_sim/...`) and the pages for running meetings by hand (`/sim/...`), in one process."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
from collections.abc import AsyncIterator
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from zoomsim import bulk_meetings, control, happenings, media, oauth, pages, webhooks
from zoomsim.api import all_routes
from zoomsim.errors import OAuthErrorResponse, ZoomErrorResponse
from zoomsim.faults import FaultMiddleware
from zoomsim.sim import Simulator

log = logging.getLogger("zoomsim")

# Zoom's answer to a /v2 method and path it does not serve (the Users spec lists it).
_NOT_RECOGNIZED = {"code": 2300, "message": "This API endpoint is not recognized."}
# A Zoom meeting UUID: base64 of 16 bytes, so it ends in "==".
_UUID_WITH_SLASHES = re.compile(r"[A-Za-z0-9+/]*/[A-Za-z0-9+/]*==")


class RawPathMiddleware:
    """Route /v2/ requests on the raw path so handlers see how ids were encoded."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v2/"):
            raw = scope.get("raw_path")
            if raw:
                scope = dict(scope)
                scope["path"] = raw.decode("latin-1").split("?", 1)[0]
        await self.app(scope, receive, send)


async def _zoom_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ZoomErrorResponse)
    return JSONResponse(exc.body(), status_code=exc.status, headers=exc.headers)


async def _oauth_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OAuthErrorResponse)
    return JSONResponse(exc.body(), status_code=exc.status)


def _pattern_with_slashy_meeting_id(template: str) -> re.Pattern[str]:
    parts = []
    for piece in re.split(r"(\{[^}]+\})", template):
        if piece == "{meetingId}":
            parts.append("(?P<ref>.+)")  # slashes too: that is how the path was split
        elif piece.startswith("{"):
            parts.append("[^/]+")
        else:
            parts.append(re.escape(piece))
    return re.compile("^" + "".join(parts) + "$")


@functools.cache
def _meeting_path_patterns() -> tuple[re.Pattern[str], ...]:
    """Every /v2 route with a `{meetingId}`, as a pattern whose meetingId may hold slashes."""
    return tuple(
        _pattern_with_slashy_meeting_id(route.path)
        for route in all_routes()
        if "{meetingId}" in route.path
    )


def _split_meeting_uuid(raw_path: str) -> str | None:
    """The meeting UUID a path was split by, when it is an endpoint's path with a UUID sent
    with bare slashes in place of its meetingId; None for any other path."""
    for pattern in _meeting_path_patterns():
        match = pattern.match(raw_path)
        if match:
            ref = unquote(match.group("ref"))
            if _UUID_WITH_SLASHES.fullmatch(ref):
                return ref.replace("//", "/").strip("/")
    return None


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if path.startswith("/v2/") and exc.status_code in (404, 405):
        ref = _split_meeting_uuid(request.scope.get("path", path))
        if ref is not None:
            # A UUID with `/` or `//` sent unencoded splits the path; Zoom answers 3001 naming
            # the id without its slashes.
            return JSONResponse({"code": 3001, "message": f"Meeting does not exist: {ref}."}, 404)
        # Zoom answers an unknown path, and a known path with a method it does not serve (its
        # endpoints are a method and a path), with 404/2300, before looking at the token.
        return JSONResponse(_NOT_RECOGNIZED, 404)
    return JSONResponse({"code": exc.status_code, "message": exc.detail}, exc.status_code)


async def _unexpected(request: Request, exc: Exception) -> Response:
    log.exception("zoomsim.unexpected_error", extra={"path": request.url.path})
    return JSONResponse({"code": 500, "message": "Internal error in zoomsim."}, 500)


def create_app(sim: Simulator) -> Starlette:
    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        webhooks.start(sim)
        happenings.start(sim)
        try:
            yield
        finally:
            for task in sim.background:
                task.cancel()
            for task in sim.background:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            sim.flush()

    app = Starlette(
        routes=[
            *oauth.routes,
            *all_routes(),
            *control.routes,
            *happenings.routes,
            *bulk_meetings.routes,
            *pages.routes,
            *media.routes,
        ],
        exception_handlers={
            ZoomErrorResponse: _zoom_error,
            OAuthErrorResponse: _oauth_error,
            HTTPException: _http_error,
            Exception: _unexpected,
        },
        lifespan=lifespan,
    )
    app.state.sim = sim
    webhooks.install(sim)
    app.add_middleware(FaultMiddleware, sim=sim)
    app.add_middleware(RawPathMiddleware)
    return app
