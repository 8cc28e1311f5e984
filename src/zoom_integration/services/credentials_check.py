"""Checking each connected account's credentials regularly, so a dead grant is found (and the Org
Admins emailed) before a meeting's data is lost, not when the first meeting needs Zoom.

An hourly task enqueues one check per connected account that Zoom has not accepted for
ZOOM_CREDENTIAL_CHECK_HOURS (accounts whose work renews tokens anyway need none), spaced
ZOOM_CREDENTIAL_CHECK_SPACING_SECONDS apart. The check is the lightest call Zoom has,
`GET /users/me`, through the account's token source: an access token past its life is renewed
first, and a renewal Zoom refuses takes the re-authentication path (needs re-authentication,
work paused, Org Admins emailed once). Zoom unreachable is not a verdict: the account stays
connected, `last_reached_zoom_at` keeps its time, and the check is retried with backoff.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from work.services import work_enqueue
from zoom_integration.models import ZoomAccount, ZoomAccountStatus
from zoom_integration.services.account_client import zoom_client_for_account

log = logging.getLogger("zoom_integration.credentials_check")

CREDENTIALS_CHECK_WORK_KIND = "zoom.account.check_credentials"


def zoom_credential_checks_enqueue(*, now: datetime | None = None) -> int:
    """One check row per connected account not reached lately; returns how many were due."""
    now = now or timezone.now()
    stale_before = now - timedelta(hours=float(settings.ZOOM_CREDENTIAL_CHECK_HOURS))
    spacing = timedelta(seconds=float(settings.ZOOM_CREDENTIAL_CHECK_SPACING_SECONDS))
    due = ZoomAccount.objects.filter(
        Q(last_reached_zoom_at__isnull=True) | Q(last_reached_zoom_at__lte=stale_before),
        status=ZoomAccountStatus.CONNECTED,
    ).order_by("pk")
    count = 0
    for index, account in enumerate(due):
        # The dedupe key makes it one row per account: a check still waiting is left as it is.
        work_enqueue(
            kind=CREDENTIALS_CHECK_WORK_KIND,
            subject=f"zoom-account:{account.pk}",
            payload={"zoom_account_pk": account.pk},
            dedupe_key=f"{CREDENTIALS_CHECK_WORK_KIND}:{account.pk}",
            run_at=now + spacing * index,
            pause_group=account.pause_group,
        )
        count += 1
    if count:
        log.info("zoom.credentials_check.enqueued", extra={"count": count})
    return count


def zoom_account_credentials_check(*, zoom_account_pk: int) -> None:
    """The work: one light call with the account's credentials. Raises what the call raised
    (ZoomAccountUnusable when Zoom refused the renewal; ZoomTransportError when unreachable)."""
    account = ZoomAccount.objects.get(pk=zoom_account_pk)
    if account.status != ZoomAccountStatus.CONNECTED:
        return  # revoked, or already waiting for re-authentication: nothing to find out
    with zoom_client_for_account(account) as client:
        client.get_user("me")
    zoom_account_record_reached(zoom_account_pk=zoom_account_pk)
    log.info("zoom.credentials_check.ok", extra={"zoom_account_pk": zoom_account_pk})


def zoom_account_record_reached(*, zoom_account_pk: int, at: datetime | None = None) -> None:
    """Zoom accepted the account's credentials at `at` (now)."""
    ZoomAccount.objects.filter(pk=zoom_account_pk).update(
        last_reached_zoom_at=at or timezone.now(), updated_at=timezone.now()
    )
