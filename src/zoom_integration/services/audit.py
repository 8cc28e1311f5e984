"""The audit trail of the Zoom integration: who connected, re-authenticated, disabled, and what
Zoom itself did (the app uninstalled at Zoom has no Campus actor)."""

from __future__ import annotations

from typing import Any

from organizations.models import Organization, User
from zoom_integration.models import AuditAction, AuditEntry


def audit_entry_record(
    *, organization: Organization, actor: User | None, action: AuditAction, detail: dict[str, Any]
) -> AuditEntry:
    return AuditEntry.objects.create(
        organization=organization, actor=actor, action=action, detail=detail
    )
