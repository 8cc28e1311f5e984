"""Template context every page needs for the navigation panel."""

from __future__ import annotations

from django.http import HttpRequest

from organizations.models import Membership, Organization


def membership(request: HttpRequest) -> dict[str, Membership | Organization | None]:
    return {
        "membership": getattr(request, "membership", None),
        "organization": getattr(request, "organization", None),
    }
