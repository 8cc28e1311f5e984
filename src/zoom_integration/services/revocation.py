"""Revoking a grant at Zoom after DISABLE, as durable work retried until Zoom answers.

Disabling happens at once in Campus (one transaction: statuses, secrets forgotten on the
account). Telling Zoom is a work row written in that same transaction: if Zoom is unreachable or
failing (a network fault, a 5xx), the row waits with a growing delay (the work app's backoff,
capped at WORK_BACKOFF_CAP_SECONDS) and tries again, for as long as it takes. A wait for Zoom is
not a failed attempt (RetryLater), so an outage does not use up the row's attempts; the tries
are counted on the revocation itself. Zoom answering 4xx ends it: Zoom no longer knows the token
(already revoked, or expired and forgotten), so nothing is left to revoke.
"""

from __future__ import annotations

import logging
from typing import NoReturn

from django.db import transaction
from django.utils import timezone

from work.backoff import backoff_delay
from work.config import work_config
from work.handlers import RetryLater
from work.services import work_enqueue
from zoom_integration.models import ConnectionKind, ZoomAccount, ZoomGrantRevocation
from zoom_integration.services.zoom_api import campus_app_oauth, server_to_server_oauth
from zoomclient import ZoomOAuth, ZoomOAuthError, ZoomTransportError

log = logging.getLogger("zoom_integration.revocation")

REVOKE_WORK_KIND = "zoom.grant.revoke"


def zoom_grant_revocation_enqueue(*, zoom_account: ZoomAccount) -> ZoomGrantRevocation | None:
    """Keep what revoking the account's grant needs and enqueue the work, in the caller's
    transaction (call it before the account's secrets are cleared). None: nothing to revoke."""
    token = zoom_account.access_token or zoom_account.refresh_token
    if not token:
        return None
    is_s2s = zoom_account.connection_kind == ConnectionKind.S2S
    revocation = ZoomGrantRevocation.objects.create(
        zoom_account=zoom_account,
        token=token,
        s2s_client_id=zoom_account.s2s_client_id if is_s2s else "",
        s2s_client_secret=zoom_account.s2s_client_secret if is_s2s else "",
    )
    key = f"{REVOKE_WORK_KIND}:{revocation.pk}"
    work_enqueue(
        kind=REVOKE_WORK_KIND,
        subject=f"zoom-account:{zoom_account.pk}",
        # Account-wide, not the organization's: cancelling an organization's Zoom work must not
        # cancel this, and the grant is the account's.
        organization=None,
        payload={"revocation_pk": revocation.pk},
        dedupe_key=key,
    )
    return revocation


def zoom_grant_revoke(*, revocation_pk: int) -> None:
    """The work: `POST /oauth/revoke` (https://developers.zoom.us/docs/integrations/oauth/
    #revoking-an-access-token), then forget the token. Raises RetryLater while Zoom is
    unreachable or failing."""
    revocation = ZoomGrantRevocation.objects.get(pk=revocation_pk)
    if revocation.finished_at is not None:
        return
    ZoomGrantRevocation.objects.filter(pk=revocation_pk).update(attempts=revocation.attempts + 1)
    try:
        with _oauth_of(revocation) as oauth:
            oauth.revoke(revocation.token)
        outcome = "revoked at Zoom"
    except ZoomTransportError as error:
        _retry_later(revocation, reason=f"Zoom could not be reached ({type(error).__name__})")
    except ZoomOAuthError as error:
        if error.status >= 500:
            _retry_later(revocation, reason=f"Zoom answered {error.status}")
        outcome = f"Zoom no longer knows the token ({error.error})"
    _finish(revocation_pk, outcome=outcome)
    log.info(
        "zoom.grant.revoked",
        extra={"zoom_account_pk": revocation.zoom_account_id, "outcome": outcome},
    )


def _oauth_of(revocation: ZoomGrantRevocation) -> ZoomOAuth:
    if revocation.s2s_client_id:
        return server_to_server_oauth(
            client_id=revocation.s2s_client_id, client_secret=revocation.s2s_client_secret
        )
    return campus_app_oauth()


def _retry_later(revocation: ZoomGrantRevocation, *, reason: str) -> NoReturn:
    config = work_config()
    delay = backoff_delay(
        attempt=revocation.attempts + 1, base=config.backoff_base, cap=config.backoff_cap
    )
    log.warning(
        "zoom.grant.revoke_postponed",
        extra={
            "zoom_account_pk": revocation.zoom_account_id,
            "attempt": revocation.attempts + 1,
            "retry_in_seconds": int(delay.total_seconds()),
        },
    )
    raise RetryLater(timezone.now() + delay, f"{reason}; the revoke is tried again later.")


def _finish(revocation_pk: int, *, outcome: str) -> None:
    with transaction.atomic():
        revocation = ZoomGrantRevocation.objects.select_for_update().get(pk=revocation_pk)
        revocation.finished_at = timezone.now()
        revocation.outcome = outcome[:200]
        revocation.token = ""
        revocation.s2s_client_secret = ""
        revocation.save(update_fields=["finished_at", "outcome", "token", "s2s_client_secret"])
