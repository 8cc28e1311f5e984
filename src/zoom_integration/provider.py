"""The Zoom meeting provider for live events: available while the organization's Zoom link is
active and its account connected (not while it needs re-authentication)."""

from __future__ import annotations

from live_events.models import LiveEventProvider
from organizations.models import Organization
from zoom_integration.models import LinkStatus, OrganizationZoomLink, ZoomAccountStatus


class ZoomMeetingProvider:
    key = LiveEventProvider.ZOOM.value
    label = "Zoom"

    def is_available(self, *, organization: Organization) -> bool:
        return OrganizationZoomLink.objects.filter(
            organization=organization,
            status=LinkStatus.ACTIVE,
            zoom_account__status=ZoomAccountStatus.CONNECTED,
        ).exists()
