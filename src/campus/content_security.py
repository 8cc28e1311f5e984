"""The Content-Security-Policy header (django-csp; the policy is CONTENT_SECURITY_POLICY in
settings), with the one source only known at run time: Zoom's OAuth origin.

AUTHENTICATE is a form posted to Campus that answers with a redirect to Zoom's consent page, and
browsers hold the redirect's target to form-action as well. The origin is read from
ZOOM_OAUTH_BASE_URL on each response rather than frozen into the settings, so it follows that
setting wherever it is set (zoomsim on another port, zoom.us at scale).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.http import HttpRequest, HttpResponseBase


def zoom_oauth_origin() -> str:
    parts = urlsplit(settings.ZOOM_OAUTH_BASE_URL)
    return f"{parts.scheme}://{parts.netloc}"


class CampusCSPMiddleware(CSPMiddleware):
    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only:
            parts.update = {**(parts.update or {}), "form-action": [zoom_oauth_origin()]}
        return parts
