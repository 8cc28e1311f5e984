"""Building zoomclient objects from settings and a ZoomAccount row: the one place that knows
which client id, secret and hosts to use."""

from __future__ import annotations

from django.conf import settings

from zoom_integration.models import ConnectionKind, ZoomAccount
from zoomclient import ZoomClient, ZoomEndpoints, ZoomOAuth


def zoom_endpoints() -> ZoomEndpoints:
    return ZoomEndpoints(
        oauth_base=settings.ZOOM_OAUTH_BASE_URL, api_base=settings.ZOOM_API_BASE_URL
    )


def campus_app_oauth() -> ZoomOAuth:
    """The Campus app's OAuth side (admin-managed, authorization code)."""
    return ZoomOAuth(settings.ZOOM_CLIENT_ID, settings.ZOOM_CLIENT_SECRET, zoom_endpoints())


def server_to_server_oauth(*, client_id: str, client_secret: str) -> ZoomOAuth:
    """An organization's own Server-to-Server OAuth app."""
    return ZoomOAuth(client_id, client_secret, zoom_endpoints())


def oauth_for_account(zoom_account: ZoomAccount) -> ZoomOAuth:
    """Whoever issued this account's tokens: needed to refresh, fetch and revoke them."""
    if zoom_account.connection_kind == ConnectionKind.S2S:
        return server_to_server_oauth(
            client_id=zoom_account.s2s_client_id, client_secret=zoom_account.s2s_client_secret
        )
    return campus_app_oauth()


def zoom_client_for_account(zoom_account: ZoomAccount) -> ZoomClient:
    """A client for this account's Zoom work: tokens from the shared, locked store in the
    database, calls to the regional API host Zoom named for the account."""
    # Imported here: the token source builds its OAuth client with this module.
    from zoom_integration.services.tokens import ZoomAccountTokenSource

    return ZoomClient(
        zoom_endpoints().with_api_url(zoom_account.api_url or None),
        ZoomAccountTokenSource(zoom_account_pk=zoom_account.pk),
    )
