"""The ASGI application: zoom.us (`/oauth/...`), api.zoom.us (`/v2/...`), the control API
(`/_sim/...`) and the pages for running meetings by hand (`/sim/...`), in one process."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from zoomsim import control, happenings, media, oauth, pages, webhooks
from zoomsim.api import all_routes
from zoomsim.errors import OAuthErrorResponse, ZoomErrorResponse
from zoomsim.faults import FaultMiddleware
from zoomsim.sim import Simulator

log = logging.getLogger("zoomsim")

_MEETING_PATH = re.compile(r"^/v2/(?:past_meetings|meetings|report/meetings)/(.*?)(?:/[a-z_]+)?$")


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


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    path = request.url.path
    if path.startswith("/v2/") and exc.status_code == 404:
        match = _MEETING_PATH.match(request.scope.get("path", path))
        if match:
            # A UUID with `/` or `//` sent single-encoded splits the path; Zoom answers 3001
            # naming the id without its slashes.
            ref = match.group(1).replace("%2F", "/").replace("%2f", "/")
            ref = ref.replace("//", "/").strip("/")
            return JSONResponse({"code": 3001, "message": f"Meeting does not exist: {ref}."}, 404)
        return JSONResponse({"code": 404, "message": "Not Found"}, 404)
    if path.startswith("/v2/") and exc.status_code == 405:
        return JSONResponse({"code": 405, "message": "Method Not Allowed"}, 405)
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
