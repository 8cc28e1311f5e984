"""Connecting an organization to its Zoom account: OAuth (an Org Admin authorizes as a Zoom owner
or admin) or server-to-server credentials. First connection and re-authentication are one code
path: the same flow, the same service, the same ZoomAccount row.

One ZoomAccount per Zoom account (unique on Zoom's account id); several organizations may link to
it. Zoom revokes a user's older tokens when it issues new ones (4741), so the newest tokens Zoom
issued for an account are always the ones to keep on the shared row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from organizations.models import Organization, User
from work.services import work_resume
from zoom_integration.models import (
    AuditAction,
    ConnectionKind,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)
from zoom_integration.scopes import scopes_missing
from zoom_integration.services.audit import audit_entry_record
from zoom_integration.services.tokens import zoom_account_store_tokens
from zoom_integration.services.zoom_api import (
    campus_app_oauth,
    interactive_timeout,
    server_to_server_oauth,
    zoom_endpoints,
)
from zoomclient import (
    AuthorizationRequest,
    TokenSet,
    ZoomClient,
    ZoomError,
    ZoomOAuth,
    ZoomOAuthError,
    ZoomTransportError,
    ZoomUser,
)

log = logging.getLogger("zoom_integration.connection")

# Zoom's `role_name` of the people who may add an admin-managed app for the whole account.
ZOOM_ADMIN_ROLE_NAMES = frozenset({"owner", "admin"})

# Zoom keeps the refused member signed in at zoom.us, so pressing AUTHENTICATE again lands on
# the same refusal unless they switch user first: the message says how.
SIGN_IN_AS_ADMIN = (
    "Only a Zoom account owner or admin can connect Campus. Zoom keeps you signed in as the "
    "person who just tried: press AUTHENTICATE CAMPUS CONNECTOR again, choose “Sign in as "
    "someone else” on Zoom's page (or sign out at zoom.us: your profile picture, then Sign Out), "
    "and sign in as an owner or admin of your Zoom account."
)
_UNREACHABLE = "Zoom could not be reached. Nothing was changed. Try again in a minute."


def _zoom_did_not_answer(error: ZoomTransportError) -> ZoomConnectRefused:
    """What a person on the page is told when Zoom is unreachable or hangs (the page waits at
    most ZOOM_INTERACTIVE_TIMEOUT_SECONDS for each call)."""
    if isinstance(error.__cause__, httpx.TimeoutException):
        seconds = f"{float(settings.ZOOM_INTERACTIVE_TIMEOUT_SECONDS):g}"
        return ZoomConnectRefused(
            f"Zoom did not answer within {seconds} seconds. Nothing was changed. "
            "Try again in a minute."
        )
    return ZoomConnectRefused(_UNREACHABLE)


class ZoomConnectRefused(Exception):
    """A connection Campus refuses; `message` tells the person what to do. Nothing changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class _Authorized:
    tokens: TokenSet
    user: ZoomUser


# --- OAuth ---------------------------------------------------------------------------------------


def zoom_authorization_begin(*, redirect_uri: str) -> AuthorizationRequest:
    """Where to send the Org Admin, with the state and PKCE verifier to keep in their session."""
    with campus_app_oauth() as oauth:
        return oauth.authorization_request(redirect_uri)


def zoom_connect_with_authorization_code(
    *,
    organization: Organization,
    actor: User,
    code: str,
    redirect_uri: str,
    code_verifier: str,
) -> ZoomAccount:
    """Exchange Zoom's code, check who authorized, and connect (or re-authenticate)."""
    with campus_app_oauth(timeout=interactive_timeout()) as oauth:
        try:
            tokens = oauth.exchange_code(
                code, redirect_uri=redirect_uri, code_verifier=code_verifier
            )
        except ZoomOAuthError as error:
            log.warning("zoom.connect.code_refused", extra={"error": error.error})
            raise ZoomConnectRefused(
                "Zoom did not accept the authorization (it may have expired). Authenticate again."
            ) from error
        except ZoomTransportError as error:
            raise _zoom_did_not_answer(error) from error
        authorized = _Authorized(tokens, _zoom_user_me(tokens))
        if authorized.user.role_name.strip().lower() not in ZOOM_ADMIN_ROLE_NAMES:
            _revoke_quietly(oauth, tokens)
            log.info("zoom.connect.not_zoom_admin", extra={"organization_id": organization.pk})
            raise ZoomConnectRefused(SIGN_IN_AS_ADMIN)
        try:
            return _zoom_account_connect(
                organization=organization,
                actor=actor,
                kind=ConnectionKind.OAUTH,
                authorized=authorized,
            )
        except _UnusedCredentials as refused:
            _revoke_quietly(oauth, tokens)
            raise refused.refusal from None


# --- server-to-server ----------------------------------------------------------------------------


def zoom_connect_server_to_server(
    *,
    organization: Organization,
    actor: User,
    account_id: str,
    client_id: str,
    client_secret: str,
) -> ZoomAccount:
    """Validate the credentials by fetching a token and `GET /users/me`, then connect."""
    with server_to_server_oauth(
        client_id=client_id, client_secret=client_secret, timeout=interactive_timeout()
    ) as oauth:
        try:
            tokens = oauth.account_credentials(account_id)
        except ZoomOAuthError as error:
            log.info("zoom.connect.s2s_refused", extra={"error": error.error})
            raise ZoomConnectRefused(
                "Zoom did not accept these server-to-server credentials "
                f"({error.reason or error.error}). Check the account ID, client ID and secret "
                "of your Server-to-Server OAuth app."
            ) from error
        except ZoomTransportError as error:
            raise _zoom_did_not_answer(error) from error
    user = _zoom_user_me(tokens)
    if user.account_id != account_id:
        raise ZoomConnectRefused(
            "These credentials belong to a different Zoom account than the account ID entered."
        )
    try:
        return _zoom_account_connect(
            organization=organization,
            actor=actor,
            kind=ConnectionKind.S2S,
            authorized=_Authorized(tokens, user),
            s2s_client_id=client_id,
            s2s_client_secret=client_secret,
        )
    except _UnusedCredentials as refused:
        raise refused.refusal from None


# --- the one place a connection is stored --------------------------------------------------------


class _UnusedCredentials(Exception):
    """Refused after the tokens were issued; the caller revokes what nobody keeps."""

    def __init__(self, refusal: ZoomConnectRefused) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


def _zoom_account_connect(
    *,
    organization: Organization,
    actor: User,
    kind: ConnectionKind,
    authorized: _Authorized,
    s2s_client_id: str = "",
    s2s_client_secret: str = "",
) -> ZoomAccount:
    zoom_account_id = authorized.user.account_id
    refusal: ZoomConnectRefused | None = None
    with transaction.atomic():
        link = (
            OrganizationZoomLink.objects.select_for_update()
            .select_related("zoom_account")
            .filter(organization=organization)
            .first()
        )
        account = (
            ZoomAccount.objects.select_for_update().filter(zoom_account_id=zoom_account_id).first()
        )
        if (
            link is not None
            and link.is_active
            and link.zoom_account.zoom_account_id != zoom_account_id
        ):
            refusal = _connected_to_another_account(link.zoom_account)
            if account is None:
                raise _UnusedCredentials(refusal)
            if kind == ConnectionKind.OAUTH == account.connection_kind:
                # Issuing these tokens revoked that account's older ones (4741): keep the new
                # ones on its row so the organizations that use it go on working.
                zoom_account_store_tokens(zoom_account=account, tokens=authorized.tokens)
        else:
            account = _zoom_account_store(
                account,
                zoom_account_id=zoom_account_id,
                kind=kind,
                authorized=authorized,
                actor=actor,
                s2s_client_id=s2s_client_id,
                s2s_client_secret=s2s_client_secret,
            )
            reauthenticated = link is not None and link.is_active
            _link_store(link, organization=organization, account=account, actor=actor)
            audit_entry_record(
                organization=organization,
                actor=actor,
                action=AuditAction.REAUTHENTICATED if reauthenticated else AuditAction.CONNECTED,
                detail={
                    "zoom_account_id": zoom_account_id,
                    "connection_kind": kind.value,
                    "scopes_missing": scopes_missing(account.scopes),
                },
            )
            # Work paused while the credentials were dead resumes by itself.
            work_resume(pause_group=account.pause_group)
    if refusal is not None:
        # Raised only now, outside the transaction: the tokens kept above must commit.
        log.info("zoom.connect.other_account", extra={"organization_id": organization.pk})
        raise refusal
    log.info(
        "zoom.connect.connected",
        extra={
            "organization_id": organization.pk,
            "zoom_account_pk": account.pk,
            "kind": kind.value,
        },
    )
    return account


def _connected_to_another_account(connected: ZoomAccount) -> ZoomConnectRefused:
    return ZoomConnectRefused(
        "This organization is connected to a different Zoom account "
        f"({connected.account_label}). "
        "Sign in to Zoom as an owner or admin of that account to re-authenticate. "
        "Nothing was changed."
    )


def _zoom_account_store(
    account: ZoomAccount | None,
    *,
    zoom_account_id: str,
    kind: ConnectionKind,
    authorized: _Authorized,
    actor: User,
    s2s_client_id: str,
    s2s_client_secret: str,
) -> ZoomAccount:
    if account is None:
        account = ZoomAccount(zoom_account_id=zoom_account_id)
    user = authorized.user
    tokens = authorized.tokens
    account.connection_kind = kind
    account.zoom_account_number = user.account_number or None
    account.display_name = f"{user.display_name or user.email} ({user.email})"[:200]
    account.access_token = tokens.access_token
    # Server-to-server apps get no refresh token; an OAuth one replaced by S2S must not linger.
    account.refresh_token = tokens.refresh_token or ""
    account.access_expires_at = tokens.expires_at
    account.scopes = list(tokens.scopes)
    account.api_url = tokens.api_url or ""
    account.s2s_client_id = s2s_client_id
    account.s2s_client_secret = s2s_client_secret
    account.status = ZoomAccountStatus.CONNECTED
    account.status_reason = ""
    account.connected_by = actor
    account.connected_at = timezone.now()
    account.last_reached_zoom_at = account.connected_at
    account.reauth_emailed_at = None
    account.save()
    return account


def _link_store(
    link: OrganizationZoomLink | None,
    *,
    organization: Organization,
    account: ZoomAccount,
    actor: User,
) -> OrganizationZoomLink:
    now = timezone.now()
    if link is None:
        return OrganizationZoomLink.objects.create(
            organization=organization, zoom_account=account, enabled_by=actor, enabled_at=now
        )
    if not link.is_active:
        # Enabled again after a disable: a fresh start (the converted events stay converted).
        link.enabled_by, link.enabled_at = actor, now
        link.disabled_by, link.disabled_at, link.disabled_reason = None, None, ""
    link.zoom_account = account
    link.status = LinkStatus.ACTIVE
    link.save()
    return link


# --- talking to Zoom with tokens just issued -----------------------------------------------------


class _JustIssuedToken:
    """A TokenSource for the token of the response in hand: nothing to refresh yet."""

    def __init__(self, token: str) -> None:
        self._token = token

    def access_token(self) -> str:
        return self._token

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        raise ZoomConnectRefused("Zoom rejected the token it had just issued. Authenticate again.")


def _zoom_user_me(tokens: TokenSet) -> ZoomUser:
    """https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId} with `me`: the
    person who authorized (or the S2S app's owner), their account and their role."""
    endpoints = zoom_endpoints().with_api_url(tokens.api_url)
    try:
        with ZoomClient(
            endpoints, _JustIssuedToken(tokens.access_token), timeout=interactive_timeout()
        ) as client:
            return client.get_user("me")
    except ZoomTransportError as error:
        raise _zoom_did_not_answer(error) from error
    except ZoomError as error:
        log.warning("zoom.connect.users_me_failed", extra={"error": type(error).__name__})
        raise ZoomConnectRefused(
            "Zoom did not tell Campus which account was authorized. Authenticate again."
        ) from error


def _revoke_quietly(oauth: ZoomOAuth, tokens: TokenSet) -> None:
    """Give back tokens Campus will not keep; failing to is logged, not shown."""
    try:
        oauth.revoke(tokens.access_token)
    except ZoomError as error:
        log.warning("zoom.connect.revoke_failed", extra={"error": type(error).__name__})
