"""The Org Admin's trip through Zoom's consent pages, the way a browser makes it: Campus's page
sends the browser to zoomsim, zoomsim's forms are filled and submitted over HTTP, and zoomsim's
redirect back to Campus is followed by Campus's test client. Nothing is faked: the code, the
tokens and /users/me all come from the live zoomsim."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from tests.zoomsim.oauth_flow import location, submit

ZOOM_PASSWORDS = {
    "owner@acme.test": "zoom-owner",
    "admin@acme.test": "zoom-admin",
    "host@acme.test": "zoom-host",
    "owner@globex.test": "zoom-owner",
    "admin@globex.test": "zoom-admin",
    "host@globex.test": "zoom-host",
}


def consent_at_zoom(authorize_url: str, email: str, *, decision: str = "authorize") -> str:
    """Sign in to zoomsim as `email` and press `decision` ("authorize", "decline", or "back"
    on the page a non-admin sees). Returns the URL zoomsim redirects the browser to."""
    parts = urlsplit(authorize_url)
    with httpx.Client(
        base_url=f"{parts.scheme}://{parts.netloc}", follow_redirects=False, timeout=10
    ) as browser:
        signin_page = browser.get(authorize_url)
        assert signin_page.status_code == 200, signin_page.text
        signed_in = submit(
            browser, signin_page, "signin-form", email=email, password=ZOOM_PASSWORDS[email]
        )
        assert signed_in.status_code == 303, signed_in.text
        consent_page = browser.get(location(signed_in))
        assert consent_page.status_code == 200, consent_page.text
        back = submit(browser, consent_page, "consent-form", button=decision)
        return location(back)


def start_authentication(client: Client) -> str:
    """Choose the radio button and press AUTHENTICATE CAMPUS CONNECTOR; return Zoom's URL."""
    response = client.post(
        reverse("zoom_integration:authenticate"), {"integration_level": "account"}
    )
    assert response.status_code == 302, response.content
    return str(response["Location"])


def connect_through_zoom(
    client: Client, email: str = "admin@acme.test", *, decision: str = "authorize"
) -> HttpResponse:
    """The whole flow; returns Campus's answer to Zoom's redirect back."""
    back_to_campus = consent_at_zoom(start_authentication(client), email, decision=decision)
    path = urlsplit(back_to_campus)
    response: HttpResponse = client.get(f"{path.path}?{path.query}")
    return response
