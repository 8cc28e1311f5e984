"""The ZoomClient background work uses for a connected account: tokens from the shared, locked
store on the ZoomAccount row (services/tokens.py), calls to the regional API host Zoom named for
the account, paced under the account's rate limits (zoom_integration/pacing.py)."""

from __future__ import annotations

from django.conf import settings

from zoom_integration.models import ZoomAccount
from zoom_integration.pacing import zoom_pacer
from zoom_integration.services.tokens import ZoomAccountTokenSource
from zoom_integration.services.zoom_api import background_timeout, zoom_endpoints
from zoomclient import ZoomClient


def zoom_client_for_account(zoom_account: ZoomAccount) -> ZoomClient:
    return ZoomClient(
        zoom_endpoints().with_api_url(zoom_account.api_url or None),
        ZoomAccountTokenSource(zoom_account_pk=zoom_account.pk),
        timeout=background_timeout(),
        # Zoom counts its rate limits per account, so that is what the pacer budgets.
        pacer=zoom_pacer(),
        pacing_account=zoom_account.zoom_account_id,
        max_pacing_wait=settings.ZOOM_PACER_MAX_WAIT_SECONDS,
    )
