"""The token source zoomclient asks for access tokens, backed by the ZoomAccount row.

Zoom rotates refresh tokens: every refresh returns a new refresh token and kills the one sent. Two
workers refreshing with the same token leave one of them with "Invalid Token!" and the connection
dead until a person re-authorizes (reference §7.1). So a refresh (and a server-to-server token
fetch, which historically invalidated the previous token, §7.2) runs:

- under a row lock on the ZoomAccount (SELECT ... FOR UPDATE), one worker at a time;
- only if still needed once the lock is held: a worker that waited finds the token another worker
  just stored and uses that one;
- in a transaction of its own that commits before the new token is used, so the new pair is never
  lost with a rollback of the caller's work.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from django.db import connections, transaction
from django.utils import timezone

from zoom_integration.models import ConnectionKind, ZoomAccount, ZoomAccountStatus
from zoom_integration.services.reauth import zoom_account_mark_needs_reauth
from zoom_integration.services.zoom_api import oauth_for_account
from zoomclient import TokenSet, ZoomError, ZoomInvalidGrant, ZoomOAuthError

log = logging.getLogger("zoom_integration.tokens")

# Refresh when less than this remains, so a token does not expire between being handed out and a
# slow call (a report, a download) reaching Zoom.
REFRESH_MARGIN = timedelta(minutes=5)

T = TypeVar("T")


class ZoomAccountUnusable(ZoomError):
    """The account's credentials are dead (needs re-authentication) or were revoked: Zoom work
    for it must pause until an Org Admin re-authenticates. `pause_group` names that work."""

    def __init__(self, zoom_account: ZoomAccount) -> None:
        super().__init__(f"Zoom account {zoom_account.zoom_account_id} is {zoom_account.status}")
        self.zoom_account_pk = zoom_account.pk
        self.status = zoom_account.status
        self.pause_group = zoom_account.pause_group


class ZoomAccountTokenSource:
    """zoomclient's TokenSource for one ZoomAccount; holds only the row's id and re-reads it."""

    def __init__(self, *, zoom_account_pk: int, now: Callable[[], datetime] = timezone.now) -> None:
        self.zoom_account_pk = zoom_account_pk
        self._now = now

    def access_token(self) -> str:
        account = ZoomAccount.objects.get(pk=self.zoom_account_pk)
        _ensure_usable(account)
        if not account.access_token_expires_within(REFRESH_MARGIN, self._now()):
            return account.access_token
        return self._renew(
            lambda locked: locked.access_token_expires_within(REFRESH_MARGIN, self._now()),
            cause="expiring",
        )

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        # Only the token Zoom rejected is replaced: if the stored one differs, another worker has
        # refreshed since this one read it, and theirs is the one to use.
        return self._renew(lambda locked: locked.access_token == rejected_token, cause="rejected")

    def _renew(self, still_needed: Callable[[ZoomAccount], bool], *, cause: str) -> str:
        outcome = committed_on_its_own(
            lambda: _renew_under_lock(self.zoom_account_pk, still_needed, cause=cause)
        )
        if isinstance(outcome, str):
            return outcome
        # The credentials are dead. Recorded after the lock's transaction ended, in its own; not
        # if an Org Admin re-authenticated in between (the refused tokens are no longer stored).
        committed_on_its_own(
            lambda: zoom_account_mark_needs_reauth(
                zoom_account_pk=self.zoom_account_pk,
                reason=_dead_reason(outcome.error),
                refused_access_token=outcome.access_token,
            )
        )
        account = ZoomAccount.objects.get(pk=self.zoom_account_pk)
        if account.status == ZoomAccountStatus.CONNECTED:
            # Re-authenticated meanwhile: the job tries again with the new tokens.
            raise outcome.error
        # The same exception as every later call gets, carrying the pause group: the job that
        # found the credentials dead pauses with the rest instead of failing (zoom_work_handler).
        raise ZoomAccountUnusable(account) from outcome.error


@dataclass(frozen=True)
class _Refused:
    """Zoom refused to renew the tokens; `access_token` is the one stored when it did."""

    error: ZoomOAuthError
    access_token: str


def _renew_under_lock(
    zoom_account_pk: int, still_needed: Callable[[ZoomAccount], bool], *, cause: str
) -> str | _Refused:
    """Inside a transaction: the new access token, or the OAuth error that says the credentials
    are dead (returned, not raised, so that the transaction still commits)."""
    account = ZoomAccount.objects.select_for_update().get(pk=zoom_account_pk)
    _ensure_usable(account)
    if not still_needed(account):
        log.info("zoom.token.reused", extra={"zoom_account_pk": account.pk, "cause": cause})
        return account.access_token
    try:
        tokens = _fetch_new_tokens(account)
    except ZoomOAuthError as error:
        if _credentials_dead(account, error):
            log.warning(
                "zoom.token.refresh_refused",
                extra={"zoom_account_pk": account.pk, "error": error.error, "cause": cause},
            )
            return _Refused(error, account.access_token)
        raise
    zoom_account_store_tokens(zoom_account=account, tokens=tokens)
    log.info(
        "zoom.token.renewed",
        extra={
            "zoom_account_pk": account.pk,
            "kind": account.connection_kind,
            "cause": cause,
            "expires_at": tokens.expires_at.isoformat(),
        },
    )
    return tokens.access_token


def _fetch_new_tokens(account: ZoomAccount) -> TokenSet:
    with oauth_for_account(account) as oauth:
        if account.connection_kind == ConnectionKind.S2S:
            # No refresh token: a server-to-server app fetches a new token with its credentials.
            return oauth.account_credentials(account.zoom_account_id)
        return oauth.refresh(account.refresh_token)


def _credentials_dead(account: ZoomAccount, error: ZoomOAuthError) -> bool:
    if isinstance(error, ZoomInvalidGrant):
        return True
    # A server-to-server app whose secret was regenerated or that was deactivated answers 4xx
    # (invalid_client, "The app has been disabled"); a 5xx is Zoom's trouble, worth retrying.
    return account.connection_kind == ConnectionKind.S2S and 400 <= error.status < 500


def _dead_reason(error: ZoomOAuthError) -> str:
    return f"Zoom refused to renew the tokens: {error.error}, “{error.reason}”."


def _ensure_usable(account: ZoomAccount) -> None:
    if account.status != ZoomAccountStatus.CONNECTED:
        raise ZoomAccountUnusable(account)


def zoom_account_store_tokens(*, zoom_account: ZoomAccount, tokens: TokenSet) -> None:
    """Keep a token response on the row (encrypted by the fields). A response without a refresh
    token (server-to-server) leaves the stored one as it is."""
    zoom_account.access_token = tokens.access_token
    if tokens.refresh_token:
        zoom_account.refresh_token = tokens.refresh_token
    zoom_account.access_expires_at = tokens.expires_at
    if tokens.scopes:
        zoom_account.scopes = list(tokens.scopes)
    if tokens.api_url:
        zoom_account.api_url = tokens.api_url
    # Zoom just issued these: the credentials were good a moment ago.
    zoom_account.last_reached_zoom_at = timezone.now()
    zoom_account.save(
        update_fields=[
            "access_token",
            "refresh_token",
            "access_expires_at",
            "scopes",
            "api_url",
            "last_reached_zoom_at",
            "updated_at",
        ]
    )


def committed_on_its_own(write: Callable[[], T]) -> T:
    """Run `write` in a transaction that has committed when this returns.

    Called from a request or a task, that is a plain transaction. Called from inside another
    transaction (a work handler runs in one), a savepoint would be rolled back with the caller's
    work and take Zoom's freshly rotated refresh token with it; so on PostgreSQL the write runs on
    a connection of its own (a thread: Django connections are per thread) and commits at once.
    SQLite has one writer at a time and the caller's transaction already holds the write lock
    (BEGIN IMMEDIATE), so there the write can only join it. That is why work that calls Zoom is
    registered with `atomic=False` (docs/work.md) and runs outside any transaction; the warning
    below flags a caller that broke that rule.
    """
    with ExitStack() as own_transaction:
        try:
            # Django decides whether a transaction of our own can start here: a durable block
            # refuses to open inside a caller's transaction, before anything runs in it.
            own_transaction.enter_context(transaction.atomic(durable=True))
        except RuntimeError:
            pass  # inside a caller's transaction: see below
        else:
            return write()
    if transaction.get_connection().vendor == "sqlite":
        log.warning("zoom.token.write_nested_in_transaction", extra={"vendor": "sqlite"})
        with transaction.atomic():
            return write()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zoom-token") as pool:
        return pool.submit(_in_own_connection, write).result()


def _in_own_connection(write: Callable[[], T]) -> T:
    try:
        with transaction.atomic():
            return write()
    finally:
        connections.close_all()
