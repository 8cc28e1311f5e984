"""The api.zoom.us/v2 endpoints, one module per resource."""

from __future__ import annotations

from starlette.routing import Route

from zoomsim.endpoint import API_ROUTES


def all_routes() -> list[Route]:
    # Importing a module registers its endpoints in API_ROUTES.
    from zoomsim.api import (  # noqa: F401
        meetings,
        past_meetings,
        recordings,
        registrants,
        reports,
        users,
    )

    return list(API_ROUTES)
