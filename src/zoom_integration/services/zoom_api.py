"""Building zoomclient's OAuth objects from settings and a ZoomAccount row: the one place that
knows which client id, secret and hosts to use. (A client for an account's API calls, with its
shared token source, is `services/account_client.py`: it builds on the token source, which builds
on this module.)"""

from __future__ import annotations

from django.conf import settings

from zoom_integration.models import ConnectionKind, ZoomAccount
from zoomclient import ZoomEndpoints, ZoomOAuth


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
