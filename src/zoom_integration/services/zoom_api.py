"""Building zoomclient's OAuth objects from settings and a ZoomAccount row: the one place that
knows which client id, secret, hosts and timeouts to use. (A client for an account's API calls,
with its shared token source, is `services/account_client.py`: it builds on the token source,
which builds on this module.)"""

from __future__ import annotations

import httpx
from django.conf import settings

from zoom_integration.models import ConnectionKind, ZoomAccount
from zoomclient import DEFAULT_TIMEOUT, ZoomEndpoints, ZoomOAuth


def zoom_endpoints() -> ZoomEndpoints:
    return ZoomEndpoints(
        oauth_base=settings.ZOOM_OAUTH_BASE_URL, api_base=settings.ZOOM_API_BASE_URL
    )


def interactive_timeout() -> httpx.Timeout:
    """For calls a person waits for on a page: a hanging Zoom must not hold the page for
    zoomclient's 30 seconds (ZOOM_INTERACTIVE_TIMEOUT_SECONDS)."""
    return httpx.Timeout(float(settings.ZOOM_INTERACTIVE_TIMEOUT_SECONDS))


def background_timeout() -> httpx.Timeout:
    """For background work: zoomclient's timeouts, the read one from ZOOM_READ_TIMEOUT_SECONDS."""
    return httpx.Timeout(
        connect=DEFAULT_TIMEOUT.connect,
        read=float(settings.ZOOM_READ_TIMEOUT_SECONDS),
        write=DEFAULT_TIMEOUT.write,
        pool=DEFAULT_TIMEOUT.pool,
    )


def campus_app_oauth(*, timeout: httpx.Timeout | None = None) -> ZoomOAuth:
    """The Campus app's OAuth side (admin-managed, authorization code)."""
    return ZoomOAuth(
        settings.ZOOM_CLIENT_ID,
        settings.ZOOM_CLIENT_SECRET,
        zoom_endpoints(),
        timeout=timeout or background_timeout(),
    )


def server_to_server_oauth(
    *, client_id: str, client_secret: str, timeout: httpx.Timeout | None = None
) -> ZoomOAuth:
    """An organization's own Server-to-Server OAuth app."""
    return ZoomOAuth(
        client_id, client_secret, zoom_endpoints(), timeout=timeout or background_timeout()
    )


def oauth_for_account(zoom_account: ZoomAccount) -> ZoomOAuth:
    """Whoever issued this account's tokens: needed to refresh, fetch and revoke them."""
    if zoom_account.connection_kind == ConnectionKind.S2S:
        return server_to_server_oauth(
            client_id=zoom_account.s2s_client_id, client_secret=zoom_account.s2s_client_secret
        )
    return campus_app_oauth()
