"""When Zoom stops accepting the connection's tokens: mark it, pause its work, tell the Org Admins.

The email goes out once when the connection breaks, and again only when it is still broken 24
hours after the last one (a periodic task), never once per failed job: the email's time is claimed
on the row under a lock before anything is sent.

Every Org Admin's email is sent on its own, over one connection: one that cannot be sent (a bad
address, a header the mail library refuses) is logged and the others still go, so one
organization's data cannot silence the emails of every organization sharing its Zoom account.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from organizations.models import Organization, User
from organizations.selectors import org_admin_memberships
from work.services import work_pause
from zoom_integration.models import (
    AuditAction,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)
from zoom_integration.services.audit import audit_entry_record

log = logging.getLogger("zoom_integration.reauth")

REAUTH_EMAIL_INTERVAL = timedelta(hours=24)


def zoom_account_mark_needs_reauth(
    *, zoom_account_pk: int, reason: str, refused_access_token: str | None = None
) -> bool:
    """Connected → needs re-authentication: pause the account's Zoom work, audit, and email the
    Org Admins after commit. False when it was not connected (already marked: nothing again), or
    when `refused_access_token` (the one stored when Zoom refused to renew) is no longer stored:
    an Org Admin re-authenticated meanwhile, and the new tokens are good."""
    with transaction.atomic():
        account = ZoomAccount.objects.select_for_update().get(pk=zoom_account_pk)
        if account.status != ZoomAccountStatus.CONNECTED:
            return False
        pk = account.pk
        if refused_access_token is not None and account.access_token != refused_access_token:
            log.info("zoom.account.reauthenticated_meanwhile", extra={"zoom_account_pk": pk})
            return False
        account.status = ZoomAccountStatus.NEEDS_REAUTH
        account.status_reason = reason[:300]
        account.save(update_fields=["status", "status_reason", "updated_at"])
        paused = work_pause(pause_group=account.pause_group, reason=reason)
        for organization in _organizations_using(account):
            audit_entry_record(
                organization=organization,
                actor=None,
                action=AuditAction.NEEDS_REAUTH,
                detail={"zoom_account_id": account.zoom_account_id, "work_paused": paused},
            )
        transaction.on_commit(lambda: zoom_reauth_email_send(zoom_account_pk=zoom_account_pk))
    log.warning(
        "zoom.account.needs_reauth",
        extra={"zoom_account_pk": zoom_account_pk, "work_paused": paused},
    )
    return True


def zoom_reauth_email_send(*, zoom_account_pk: int, now: datetime | None = None) -> int:
    """Email every Org Admin of every organization linked (active) to the account, unless they
    were emailed less than 24 hours ago or the account is no longer broken. Returns how many
    emails went out."""
    now = now or timezone.now()
    with transaction.atomic():
        account = ZoomAccount.objects.select_for_update().get(pk=zoom_account_pk)
        if account.status != ZoomAccountStatus.NEEDS_REAUTH:
            return 0
        last = account.reauth_emailed_at
        if last is not None and now - last < REAUTH_EMAIL_INTERVAL:
            return 0
        # Claim this round first, so a second caller (a retry, the periodic task) sends nothing.
        account.reauth_emailed_at = now
        account.save(update_fields=["reauth_emailed_at", "updated_at"])
        messages = [
            _reauth_email(admin, organization, account)
            for organization in _organizations_using(account)
            for admin in _org_admins(organization)
            if admin.email
        ]
    try:
        sent = _send_each(messages, zoom_account_pk=zoom_account_pk)
    except Exception:
        # Not one went (the mail server is down, say): give the round back, so the periodic task
        # tries again instead of waiting a day.
        ZoomAccount.objects.filter(pk=zoom_account_pk, reauth_emailed_at=now).update(
            reauth_emailed_at=last
        )
        log.exception("zoom.reauth_email.failed", extra={"zoom_account_pk": zoom_account_pk})
        raise
    log.info(
        "zoom.reauth_email.sent",
        extra={"zoom_account_pk": zoom_account_pk, "count": sent, "failed": len(messages) - sent},
    )
    return sent


class ReauthEmailsNotSent(Exception):
    """None of a round's emails could be sent."""


def _send_each(messages: list[EmailMessage], *, zoom_account_pk: int) -> int:
    """Send the messages one by one over one connection; a message that fails is logged and
    skipped. Raises ReauthEmailsNotSent when there were messages and none went."""
    sent = 0
    with get_connection(fail_silently=False) as connection:
        for message in messages:
            message.connection = connection
            try:
                sent += message.send()
            except Exception:
                # The address is left out of the log line on purpose: it may be what is broken.
                log.exception(
                    "zoom.reauth_email.recipient_failed",
                    extra={"zoom_account_pk": zoom_account_pk},
                )
    if messages and sent == 0:
        raise ReauthEmailsNotSent(f"none of {len(messages)} re-authentication emails was sent")
    return sent


def zoom_reauth_reminders_send(*, now: datetime | None = None) -> int:
    """The periodic task: remind again for every account still broken 24 hours after the last
    email. Returns how many emails went out."""
    now = now or timezone.now()
    due = ZoomAccount.objects.filter(
        Q(reauth_emailed_at__isnull=True) | Q(reauth_emailed_at__lte=now - REAUTH_EMAIL_INTERVAL),
        status=ZoomAccountStatus.NEEDS_REAUTH,
    )
    sent = 0
    for pk in due.values_list("pk", flat=True):
        try:
            sent += zoom_reauth_email_send(zoom_account_pk=pk, now=now)
        except Exception:  # noqa: S112 - logged by zoom_reauth_email_send; the others still go
            continue
    return sent


def zoom_reauth_url() -> str:
    """Absolute: the email is read outside Campus."""
    return settings.CAMPUS_BASE_URL + reverse("zoom_integration:configure")


def _reauth_email(admin: User, organization: Organization, account: ZoomAccount) -> EmailMessage:
    context = {
        "admin": admin,
        "organization": organization,
        "zoom_account": account,
        "reauth_url": zoom_reauth_url(),
    }
    # Names are single-line since they are validated on save, but one saved before that must not
    # turn into a header the mail library refuses (BadHeaderError): whitespace runs, line breaks
    # included, become one space.
    subject = " ".join(f"Action needed: reconnect Zoom for {organization.name}".split())
    body = render_to_string("zoom_integration/email/reauth.txt", context)
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [admin.email])


def _organizations_using(account: ZoomAccount) -> list[Organization]:
    """The organizations whose active link uses the account: the ones its trouble concerns."""
    links = OrganizationZoomLink.objects.filter(
        zoom_account=account, status=LinkStatus.ACTIVE
    ).select_related("organization")
    return [link.organization for link in links.order_by("organization_id")]


def _org_admins(organization: Organization) -> list[User]:
    return [
        membership.user
        for membership in org_admin_memberships(organization=organization)
        if membership.user.is_active
    ]
