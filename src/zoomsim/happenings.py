"""Meetings that happen: instances start, participants join and leave, instances end."""

from __future__ import annotations

from starlette.routing import BaseRoute

routes: list[BaseRoute] = []
