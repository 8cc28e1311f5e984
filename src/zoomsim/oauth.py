"""zoom.us/oauth: authorize (consent page), token, revoke."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
