"""Pages under /sim/ for running meetings by hand in the demo."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
