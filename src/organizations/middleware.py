"""Puts the signed-in person's organization and membership on every request.

Views never look the organization up from the URL or a form: it comes from here, which is what
keeps every query inside the person's own tenant. The person's time zone (or else their
organization's) becomes the current one, so templates show local times.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from organizations.selectors import membership_for_user


class OrganizationMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        membership = (
            membership_for_user(user=request.user) if request.user.is_authenticated else None
        )
        request.membership = membership  # type: ignore[attr-defined]
        request.organization = membership.organization if membership else None  # type: ignore[attr-defined]
        if membership is None:
            return self.get_response(request)
        zone_name = membership.user.time_zone or membership.organization.time_zone
        with timezone.override(zoneinfo.ZoneInfo(zone_name)):
            return self.get_response(request)
