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
        return not self.unavailable_reason(organization=organization)

    def unavailable_reason(self, *, organization: Organization) -> str:
        link = (
            OrganizationZoomLink.objects.filter(organization=organization)
            .select_related("zoom_account")
            .first()
        )
        if link is None or link.status != LinkStatus.ACTIVE:
            return (
                "Your organization has not connected Zoom. An Org Admin can connect it in "
                "Admin Tools → ADVANCED SETTINGS → INTEGRATIONS."
            )
        if link.zoom_account.status != ZoomAccountStatus.CONNECTED:
            return (
                "Zoom needs an Org Admin to re-authenticate the connection (Admin Tools → "
                "ADVANCED SETTINGS → INTEGRATIONS) before new Zoom meetings can be scheduled."
            )
        return ""
