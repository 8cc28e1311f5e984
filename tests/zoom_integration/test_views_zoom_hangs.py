"""A page that calls Zoom (the OAuth callback, the server-to-server form) gives up on a hanging
Zoom after ZOOM_INTERACTIVE_TIMEOUT_SECONDS and says to try again, instead of holding the page
for zoomclient's 30 seconds. zoomsim's latency knob makes Zoom hang; the test shortens the
timeout so it stays quick."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

import httpx
import pytest
from django.urls import reverse
from pytest_django.fixtures import Settings

from organizations.models import Organization
from tests.django_conftest import People, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_flow import consent_at_zoom, start_authentication
from zoom_integration.models import OrganizationZoomLink, ZoomAccount

pytestmark = pytest.mark.django_db

TIMEOUT_SECONDS = 0.5
ZOOM_HANGS_FOR_MS = 4000
# Well under the hang: the page did not wait for Zoom.
ANSWERED_WITHIN_SECONDS = 3.0
TRY_AGAIN = (
    f"Zoom did not answer within {TIMEOUT_SECONDS:g} seconds. Nothing was changed. Try again"
)


def zoom_hangs(zoomsim: LiveZoomsim) -> None:
    knobs = httpx.patch(f"{zoomsim.base_url}/_sim/knobs", json={"latency_ms": ZOOM_HANGS_FOR_MS})
    assert knobs.status_code == 200, knobs.text


def test_the_oauth_callback_gives_up_on_a_hanging_zoom_and_says_to_try_again(
    zoomsim: LiveZoomsim, settings: Settings, acme: Organization, acme_people: People
) -> None:
    settings.ZOOM_INTERACTIVE_TIMEOUT_SECONDS = TIMEOUT_SECONDS
    client = signed_in(acme_people.org_admin)
    back_to_campus = urlsplit(consent_at_zoom(start_authentication(client), "admin@acme.test"))
    zoom_hangs(zoomsim)  # from the code exchange on

    started = time.monotonic()
    response = client.get(f"{back_to_campus.path}?{back_to_campus.query}")
    waited = time.monotonic() - started

    assert waited < ANSWERED_WITHIN_SECONDS
    assert response.status_code == 400
    assert TRY_AGAIN in response.content.decode()
    assert not ZoomAccount.objects.exists()
    assert not OrganizationZoomLink.objects.exists()


def test_the_server_to_server_form_gives_up_on_a_hanging_zoom_and_says_to_try_again(
    zoomsim: LiveZoomsim, settings: Settings, acme: Organization, acme_people: People
) -> None:
    settings.ZOOM_INTERACTIVE_TIMEOUT_SECONDS = TIMEOUT_SECONDS
    zoom_hangs(zoomsim)

    started = time.monotonic()
    response = signed_in(acme_people.org_admin).post(
        reverse("zoom_integration:server_to_server"),
        {
            "account_id": "acct-acme",
            "client_id": "acme-s2s-client-id",
            "client_secret": "acme-s2s-secret",
        },
    )
    waited = time.monotonic() - started

    assert waited < ANSWERED_WITHIN_SECONDS
    assert response.status_code == 400
    html = response.content.decode()
    assert TRY_AGAIN in html
    assert 'id="zoom-s2s-error"' in html  # beside the form the person filled
    assert "acme-s2s-secret" not in html
    assert not ZoomAccount.objects.exists()


def test_a_slow_zoom_within_the_timeout_still_connects(
    zoomsim: LiveZoomsim, settings: Settings, acme: Organization, acme_people: People
) -> None:
    settings.ZOOM_INTERACTIVE_TIMEOUT_SECONDS = 3.0
    knobs = httpx.patch(f"{zoomsim.base_url}/_sim/knobs", json={"latency_ms": 300})
    assert knobs.status_code == 200

    response = signed_in(acme_people.org_admin).post(
        reverse("zoom_integration:server_to_server"),
        {
            "account_id": "acct-acme",
            "client_id": "acme-s2s-client-id",
            "client_secret": "acme-s2s-secret",
        },
    )

    assert response.status_code == 302
    assert ZoomAccount.objects.get().zoom_account_id == "acct-acme"
