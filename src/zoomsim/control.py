"""The control API under /_sim/: what Zoom does not have, for tests and demos."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
