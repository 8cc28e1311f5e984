"""Reads of the Zoom integration. Every selector takes the organization."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.paginator import Page, Paginator

from live_events.models import LiveEvent, LiveEventProvider
from organizations.models import Organization
from zoom_integration.models import (
    AuditEntry,
    ConnectionKind,
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
    # How many other organizations use the same Zoom account actively. Only the number: an Org
    # Admin has no standing in another organization, and nothing tells Campus that this person
    # could see who else uses the Zoom account at Zoom, so the other organizations stay unnamed.
    other_organization_count: int = 0

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
    def needs_reauth_explanation(self) -> str:
        """What broke and what to do, in words: Zoom's own answer (`status_reason`, e.g.
        `invalid_grant, "Invalid Token!"`) tells a person nothing they can act on."""
        account = self.account
        if account is None:
            return ""
        if account.connection_kind == ConnectionKind.S2S:
            return (
                "Zoom no longer accepts the server-to-server credentials Campus was given: the "
                "app's client secret was probably regenerated, or the app was deactivated in the "
                "Zoom App Marketplace. Enter the app's current credentials below."
            )
        return (
            "Zoom no longer accepts Campus's authorization: it was probably removed or replaced "
            "in Zoom (the Campus app uninstalled or re-authorized there), or it expired after "
            "going unused. Authenticate again below, signed in to Zoom as an owner or admin of "
            f"{account.account_label}."
        )

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
    if link is None or not link.is_active:
        return ZoomConnectionSummary(link=link)
    others = (
        OrganizationZoomLink.objects.filter(
            zoom_account_id=link.zoom_account_id, status=LinkStatus.ACTIVE
        )
        .exclude(organization=organization)
        .count()
    )
    return ZoomConnectionSummary(link=link, other_organization_count=others)


def zoom_live_event_count(*, organization: Organization) -> int:
    """How many live events disabling would turn into external-link events."""
    return LiveEvent.objects.filter(
        organization=organization, provider=LiveEventProvider.ZOOM
    ).count()


AUDIT_ENTRIES_PER_PAGE = 10


def zoom_audit_entries_page(
    *, organization: Organization, page_number: str | None
) -> Page[AuditEntry]:
    """One page of the History table, newest first. A page number that is not a number, or past
    the end, gives the first or the last page rather than an error (a stale or edited link)."""
    entries = AuditEntry.objects.filter(organization=organization).select_related("actor")
    return Paginator(entries, AUDIT_ENTRIES_PER_PAGE).get_page(page_number)
