"""The Zoom meeting provider for live events: available while the organization's Zoom link is
active and its account connected (not while it needs re-authentication). It checks hosts with
Zoom and hands sessions and registrations to the Zoom background work."""

from __future__ import annotations

from live_events.models import LiveEventProvider, LiveEventRegistration, LiveEventSession
from live_events.providers import HostCheck, HostRequirements
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

    def host_check(
        self,
        *,
        organization: Organization,
        email: str,
        requirements: HostRequirements,
        alternative: bool,
    ) -> HostCheck:
        from zoom_integration.services.hosts import zoom_host_check

        return zoom_host_check(
            organization=organization,
            email=email,
            requirements=requirements,
            alternative=alternative,
        )

    def session_sync_request(self, *, session: LiveEventSession) -> None:
        from zoom_integration.services.meetings import meeting_sync_enqueue

        meeting_sync_enqueue(session=session)

    def registration_sync_request(self, *, registration: LiveEventRegistration) -> None:
        from zoom_integration.services.registrants import registrant_sync_enqueue

        registrant_sync_enqueue(registration=registration)

    def registrations_batch_request(self, *, session: LiveEventSession) -> None:
        from zoom_integration.services.registrants import registrants_batch_enqueue

        registrants_batch_enqueue(session=session)

    def start_url(self, *, session: LiveEventSession) -> str:
        from zoom_integration.services.meetings import zoom_meeting_start_url

        return zoom_meeting_start_url(session=session)
