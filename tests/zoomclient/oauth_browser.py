"""A person clicking through zoomsim's sign-in and consent pages for an authorization URL the
client built, with httpx standing in for the browser."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx

from tests.zoomsim.oauth_flow import location, submit

CAMPUS_ID = "campus-client-id"
CAMPUS_SECRET = "campus-client-secret"
CAMPUS_CALLBACK = "http://127.0.0.1:8000/admin-tools/integrations/zoom/callback"


def authorize_in_browser(
    authorization_url: str, email: str = "admin@acme.test", password: str = "zoom-admin"
) -> dict[str, str]:
    """Open the URL, sign in, click Authorize; the query Zoom redirects back with."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(authorization_url))
    with httpx.Client(base_url=origin, follow_redirects=False, timeout=10) as browser:
        signin_page = browser.get(authorization_url)
        assert signin_page.status_code == 200, signin_page.text
        signed_in = submit(browser, signin_page, "signin-form", email=email, password=password)
        consent_page = browser.get(location(signed_in))
        redirect = submit(browser, consent_page, "consent-form", button="authorize")
    back = location(redirect)
    assert back.startswith(CAMPUS_CALLBACK + "?"), back
    return {name: values[0] for name, values in parse_qs(urlsplit(back).query).items()}
