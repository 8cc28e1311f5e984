"""Disabling the Zoom integration of an organization: from Campus (the DISABLE button) and from
Zoom (`app_deauthorized`), one code path.

What it does, in one transaction: the link turns disabled; every Zoom live event of the
organization becomes an external-link event (title, times and the join link kept; imported
attendance and recordings stay); the organization's pending Zoom work is cancelled; when no other
organization still uses the Zoom account, the account is marked revoked and its secrets are
cleared; an audit entry records who and why. Revoking the grant at Zoom is work enqueued in the
same transaction (services/revocation.py), retried until Zoom answers; not when Zoom itself told
us the app was removed: the app is gone there, and its tokens with it.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from live_events.services import live_events_convert_to_external_link
from organizations.models import Organization, User
from work.models import WorkItem
from work.services import work_cancel
from zoom_integration.models import (
    REASON_APP_DEAUTHORIZED,
    AuditAction,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)
from zoom_integration.services.audit import audit_entry_record
from zoom_integration.services.revocation import zoom_grant_revocation_enqueue

log = logging.getLogger("zoom_integration.disable")

# Every kind of background work toward Zoom starts with this.
ZOOM_WORK_KIND_PREFIX = "zoom."


def zoom_integration_disable(
    *, organization: Organization, actor: User | None, reason: str
) -> bool:
    """Disable the organization's Zoom integration. False if it was not active (a second click,
    a replayed uninstall): nothing happens twice."""
    with transaction.atomic():
        link = (
            OrganizationZoomLink.objects.select_for_update()
            .filter(organization=organization, status=LinkStatus.ACTIVE)
            .first()
        )
        if link is None:
            return False
        account = ZoomAccount.objects.select_for_update().get(pk=link.zoom_account_id)
        now = timezone.now()
        link.status = LinkStatus.DISABLED
        link.disabled_by = actor
        link.disabled_at = now
        link.disabled_reason = reason
        link.save(update_fields=["status", "disabled_by", "disabled_at", "disabled_reason"])

        events_converted = live_events_convert_to_external_link(organization=organization)
        work_cancelled = work_cancel(
            organization=organization, kinds=_zoom_work_kinds(organization)
        )

        still_used = (
            OrganizationZoomLink.objects.filter(zoom_account=account, status=LinkStatus.ACTIVE)
            .exclude(pk=link.pk)
            .exists()
        )
        revoke_at_zoom = not still_used and reason != REASON_APP_DEAUTHORIZED
        if not still_used:
            if revoke_at_zoom:
                # Before the secrets are cleared: the revocation keeps what it needs.
                zoom_grant_revocation_enqueue(zoom_account=account)
            _zoom_account_retire(account, reason=reason)

        audit_entry_record(
            organization=organization,
            actor=actor,
            action=AuditAction.DISABLED,
            detail={
                "reason": reason,
                "zoom_account_id": account.zoom_account_id,
                "live_events_converted": events_converted,
                "work_cancelled": work_cancelled,
                "grant_revoked_at_zoom": revoke_at_zoom,
                "zoom_account_still_used_by_other_organizations": still_used,
            },
        )
    log.info(
        "zoom.integration.disabled",
        extra={
            "organization_id": organization.pk,
            "reason": reason,
            "live_events_converted": events_converted,
            "work_cancelled": work_cancelled,
        },
    )
    return True


def _zoom_work_kinds(organization: Organization) -> list[str]:
    kinds = WorkItem.objects.filter(
        organization=organization, kind__startswith=ZOOM_WORK_KIND_PREFIX
    ).values_list("kind", flat=True)
    return sorted(set(kinds))


def _zoom_account_retire(account: ZoomAccount, *, reason: str) -> None:
    """No organization uses the account any more: forget its secrets (kept nowhere else)."""
    account.status = ZoomAccountStatus.REVOKED
    account.status_reason = reason
    account.access_token = ""
    account.refresh_token = ""
    account.access_expires_at = None
    account.s2s_client_secret = ""
    account.save()
