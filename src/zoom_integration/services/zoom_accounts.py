"""Which Zoom account an organization's meeting work uses: the one its active link names."""

from __future__ import annotations

from organizations.models import Organization
from zoom_integration.models import LinkStatus, OrganizationZoomLink, ZoomAccount


def zoom_account_for_organization(*, organization_id: int) -> ZoomAccount | None:
    """The Zoom account of the organization's active link; None once disabled or never linked."""
    link = (
        OrganizationZoomLink.objects.select_related("zoom_account")
        .filter(organization_id=organization_id, status=LinkStatus.ACTIVE)
        .first()
    )
    return link.zoom_account if link is not None else None


def zoom_account_of(organization: Organization) -> ZoomAccount | None:
    return zoom_account_for_organization(organization_id=organization.pk)
