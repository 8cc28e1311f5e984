"""Reads of the Zoom integration. Every selector takes the organization."""

from __future__ import annotations

from dataclasses import dataclass

from live_events.models import LiveEvent, LiveEventProvider
from organizations.models import Organization
from zoom_integration.models import (
    AuditEntry,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)
from zoom_integration.scopes import scopes_missing


@dataclass(frozen=True)
class ZoomConnectionSummary:
    """What the Integrations section and the Zoom page show about an organization's connection."""

    link: OrganizationZoomLink | None

    @property
    def account(self) -> ZoomAccount | None:
        return self.link.zoom_account if self.link is not None else None

    @property
    def is_active(self) -> bool:
        return self.link is not None and self.link.is_active

    @property
    def needs_reauth(self) -> bool:
        return (
            self.is_active
            and self.account is not None
            and self.account.status == ZoomAccountStatus.NEEDS_REAUTH
        )

    @property
    def is_disabled(self) -> bool:
        return self.link is not None and self.link.status == LinkStatus.DISABLED

    @property
    def scopes_missing(self) -> list[str]:
        return scopes_missing(self.account.scopes) if self.account is not None else []

    @property
    def status_label(self) -> str:
        if self.link is None:
            return "Not connected"
        if self.is_disabled:
            return "Disabled"
        return self.link.zoom_account.get_status_display()


def zoom_connection_summary(*, organization: Organization) -> ZoomConnectionSummary:
    link = (
        OrganizationZoomLink.objects.select_related(
            "zoom_account", "zoom_account__connected_by", "disabled_by"
        )
        .filter(organization=organization)
        .first()
    )
    return ZoomConnectionSummary(link=link)


def zoom_live_event_count(*, organization: Organization) -> int:
    """How many live events disabling would turn into external-link events."""
    return LiveEvent.objects.filter(
        organization=organization, provider=LiveEventProvider.ZOOM
    ).count()


def zoom_audit_entries(*, organization: Organization, limit: int = 20) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(organization=organization).select_related("actor")[:limit]
    )
