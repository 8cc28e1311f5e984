"""The installed integration as two records (one per Zoom account, one per organization linking
to it), the webhook events Zoom sent, and the audit trail.

A Zoom account may be linked to several organizations (one university, several Campus
organizations): the credentials live once, on ZoomAccount, so a refresh by one organization's work
never strands another's. Disabling sets a status; rows are not deleted.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models

from zoom_integration.encryption import EncryptedTextField


class ConnectionKind(models.TextChoices):
    OAUTH = "oauth", "OAuth (authorized by a Zoom admin)"
    S2S = "s2s", "Server-to-server credentials"


class ZoomAccountStatus(models.TextChoices):
    CONNECTED = "connected", "Connected"
    NEEDS_REAUTH = "needs_reauth", "Needs re-authentication"
    REVOKED = "revoked", "Revoked"


class ZoomAccount(models.Model):
    zoom_account_id = models.CharField(max_length=64, unique=True)
    # Zoom gives no account name to an app (GET /accounts is for master accounts only): the
    # account is known by its number, which its admins see in Zoom's web portal as "Account No.".
    zoom_account_number = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Zoom's account number (GET /users/me `account_number`)."
    )
    display_name = models.CharField(
        max_length=200, blank=True, help_text="Who authorized, as Zoom names them, and their email."
    )
    connection_kind = models.CharField(max_length=10, choices=ConnectionKind.choices)
    # Zoom's tokens are several hundred characters (JWT-like); Fernet adds a third: TextField.
    access_token = EncryptedTextField(blank=True)
    refresh_token = EncryptedTextField(blank=True)
    access_expires_at = models.DateTimeField(null=True, blank=True)
    # Server-to-server credentials: the secret is as sensitive as a token.
    s2s_client_id = models.CharField(max_length=200, blank=True)
    s2s_client_secret = EncryptedTextField(blank=True)
    scopes = models.JSONField(default=list, blank=True)
    api_url = models.URLField(blank=True, help_text="Zoom's regional API host for this account.")
    status = models.CharField(
        max_length=20, choices=ZoomAccountStatus.choices, default=ZoomAccountStatus.CONNECTED
    )
    status_reason = models.CharField(max_length=300, blank=True)
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    connected_at = models.DateTimeField(null=True, blank=True)
    reauth_emailed_at = models.DateTimeField(null=True, blank=True)
    last_reached_zoom_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=(
            "When Zoom last accepted these credentials: connecting, a token renewal or the "
            "periodic credentials check. Stays as it was while Zoom cannot be reached."
        ),
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Zoom account {self.zoom_account_id}"

    @property
    def account_label(self) -> str:
        """The account as its admins know it: "Zoom account no. 123456789 (ID abc…)", or by its
        id alone when Zoom's number is not known yet (connected before Campus stored it)."""
        if self.zoom_account_number:
            return f"Zoom account no. {self.zoom_account_number} (ID {self.zoom_account_id})"
        return f"Zoom account ID {self.zoom_account_id}"

    @property
    def authorized_by_label(self) -> str:
        """Who authorized Campus at Zoom (the Zoom user), not the account."""
        return self.display_name or "unknown"

    @property
    def pause_group(self) -> str:
        """The work-pause group of every piece of Zoom work done with this account's tokens."""
        return f"zoom-account:{self.pk}"

    def access_token_expires_within(self, margin: timedelta, now: datetime) -> bool:
        return (
            not self.access_token
            or self.access_expires_at is None
            or self.access_expires_at - margin <= now
        )


class ZoomGrantRevocation(models.Model):
    """A grant Campus gave up (DISABLE) and still has to revoke at Zoom. The token, and for a
    server-to-server app its credentials, are kept here (encrypted) until Zoom has answered: the
    ZoomAccount row forgets its secrets at once and may be connected again meanwhile, and a work
    row's payload holds ids only."""

    zoom_account = models.ForeignKey(
        ZoomAccount, on_delete=models.PROTECT, related_name="grant_revocations"
    )
    token = EncryptedTextField(blank=True)
    # Empty for Campus's own OAuth app (its credentials are settings).
    s2s_client_id = models.CharField(max_length=200, blank=True)
    s2s_client_secret = EncryptedTextField(blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"revocation of {self.zoom_account_id}'s grant [{self.outcome or 'pending'}]"


class LinkStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DISABLED = "disabled", "Disabled"


class OrganizationZoomLink(models.Model):
    organization = models.OneToOneField(
        "organizations.Organization", on_delete=models.CASCADE, related_name="zoom_link"
    )
    zoom_account = models.ForeignKey(ZoomAccount, on_delete=models.PROTECT, related_name="links")
    status = models.CharField(max_length=10, choices=LinkStatus.choices, default=LinkStatus.ACTIVE)
    enabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    enabled_at = models.DateTimeField()
    disabled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=100, blank=True)

    def __str__(self) -> str:
        return f"{self.organization_id} → {self.zoom_account_id} [{self.status}]"

    @property
    def is_active(self) -> bool:
        return self.status == LinkStatus.ACTIVE


class ZoomWebhookEvent(models.Model):
    """One event Zoom delivered, stored before it is processed. Zoom sends no reliable event id,
    so the key is the SHA-256 of the raw body: a replay of the same bytes is the same row."""

    body_sha256 = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=100)
    zoom_account_id = models.CharField(max_length=64, blank=True)
    raw_body = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["event_type", "received_at"], name="zoom_webhook_type")]

    def __str__(self) -> str:
        return f"{self.event_type} for {self.zoom_account_id} at {self.received_at}"


class AuditAction(models.TextChoices):
    """What an audit entry records, and how the audit trail names it. (Not the field's `choices`:
    the column stays free text, so a new action needs no migration.)"""

    CONNECTED = "zoom.connected", "Connected"
    REAUTHENTICATED = "zoom.reauthenticated", "Re-authenticated"
    NEEDS_REAUTH = "zoom.needs_reauth", "Zoom stopped accepting the tokens"
    DISABLED = "zoom.disabled", "Disabled"
    APP_DEAUTHORIZED = "zoom.app_deauthorized", "Campus app removed at Zoom"


# Why a link was disabled (OrganizationZoomLink.disabled_reason, and the audit entry's detail).
REASON_ORG_ADMIN = "disabled_by_org_admin"
REASON_APP_DEAUTHORIZED = "app_deauthorized"


class AuditEntry(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="zoom_audit_entries"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Empty when Zoom did it (e.g. the app was uninstalled at Zoom).",
    )
    action = models.CharField(max_length=100)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.action} by {self.actor_id or 'Zoom'} at {self.at}"

    @property
    def action_label(self) -> str:
        if self.action in AuditAction.values:
            return str(AuditAction(self.action).label)
        return self.action

    @property
    def actor_label(self) -> str:
        if self.actor is not None:
            return str(self.actor.display_name)
        # Without a person, either Zoom acted (the app was removed there) or Campus noticed.
        if (
            self.action == AuditAction.APP_DEAUTHORIZED
            or self.detail.get("reason") == REASON_APP_DEAUTHORIZED
        ):
            return "Zoom"
        return "Campus"
