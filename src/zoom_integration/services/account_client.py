"""The ZoomClient background work uses for a connected account: tokens from the shared, locked
store on the ZoomAccount row (services/tokens.py), calls to the regional API host Zoom named for
the account."""

from __future__ import annotations

from zoom_integration.models import ZoomAccount
from zoom_integration.services.tokens import ZoomAccountTokenSource
from zoom_integration.services.zoom_api import zoom_endpoints
from zoomclient import ZoomClient


def zoom_client_for_account(zoom_account: ZoomAccount) -> ZoomClient:
    return ZoomClient(
        zoom_endpoints().with_api_url(zoom_account.api_url or None),
        ZoomAccountTokenSource(zoom_account_pk=zoom_account.pk),
    )
