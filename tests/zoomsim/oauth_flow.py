"""Drive zoomsim's OAuth pages the way a browser does: read the form out of the page, fill the
visible fields, submit it with the hidden ones, keep the session cookie, and never follow a
redirect by itself (the tests look at every hop)."""

from __future__ import annotations

import base64
import hashlib
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.openapi_check import assert_matches_spec

CAMPUS_ID = "campus-client-id"
CAMPUS_SECRET = "campus-client-secret"
CAMPUS_CALLBACK = "http://127.0.0.1:8000/admin-tools/integrations/zoom/callback"
S2S_ID = "acme-s2s-client-id"
S2S_SECRET = "acme-s2s-secret"
PASSWORDS = {
    "owner@acme.test": "zoom-owner",
    "admin@acme.test": "zoom-admin",
    "host@acme.test": "zoom-host",
    "admin@globex.test": "zoom-admin",
}


class _Forms(HTMLParser):
    """Every form of a page: its action and the fields it would submit."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: dict[str, dict[str, Any]] = {}
        self._current: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._current = {"action": attributes.get("action", ""), "fields": {}, "buttons": []}
            self.forms[attributes.get("id", "")] = self._current
        elif self._current is not None and tag == "input" and attributes.get("name"):
            self._current["fields"][attributes["name"]] = attributes.get("value", "")
        elif self._current is not None and tag == "button":
            self._current["buttons"].append(attributes.get("name", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def form(page: httpx.Response, form_id: str) -> dict[str, Any]:
    parser = _Forms()
    parser.feed(page.text)
    assert form_id in parser.forms, f"no form #{form_id} in the page:\n{page.text}"
    return parser.forms[form_id]


def submit(
    browser: httpx.Client,
    page: httpx.Response,
    form_id: str,
    *,
    button: str | None = None,
    **typed: str,
) -> httpx.Response:
    """Submit form `form_id` of `page` with `typed` filled in, by clicking `button`."""
    found = form(page, form_id)
    data = {**found["fields"], **typed}
    if button is not None:
        assert button in found["buttons"], f"no button {button!r} in #{form_id}"
        data[button] = "1"
    return browser.post(found["action"], data=data)


def query_of(response: httpx.Response) -> dict[str, str]:
    """The query of a redirect's Location, one value per name."""
    return {
        name: values[0] for name, values in parse_qs(urlsplit(location(response)).query).items()
    }


def location(response: httpx.Response) -> str:
    assert response.status_code in (302, 303), (response.status_code, response.text)
    return response.headers["location"]


def authorize_params(**overrides: str) -> dict[str, str]:
    params = {"response_type": "code", "client_id": CAMPUS_ID, "redirect_uri": CAMPUS_CALLBACK}
    params.update(overrides)
    return params


def browser(zoomsim: LiveZoomsim) -> httpx.Client:
    return httpx.Client(base_url=zoomsim.base_url, follow_redirects=False, timeout=10)


def sign_in(browser: httpx.Client, email: str, **params: str) -> httpx.Response:
    """Open the authorize URL, sign in as `email`, and return the page Zoom shows next."""
    signin_page = browser.get("/oauth/authorize", params=authorize_params(**params))
    assert signin_page.status_code == 200, signin_page.text
    signed_in = submit(browser, signin_page, "signin-form", email=email, password=PASSWORDS[email])
    assert signed_in.status_code == 303, signed_in.text
    return browser.get(location(signed_in))


def authorization_code(zoomsim: LiveZoomsim, email: str = "admin@acme.test", **params: str) -> str:
    """The whole browser part: sign in, Authorize, and take the code from the redirect."""
    with browser(zoomsim) as client:
        consent_page = sign_in(client, email, **params)
        redirect = submit(client, consent_page, "consent-form", button="authorize")
    assert location(redirect).startswith(CAMPUS_CALLBACK + "?")
    return query_of(redirect)["code"]


def basic_auth(client_id: str = CAMPUS_ID, secret: str = CAMPUS_SECRET) -> dict[str, str]:
    pair = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {pair}"}


def token_request(
    zoomsim: LiveZoomsim,
    data: dict[str, str],
    *,
    client_id: str = CAMPUS_ID,
    secret: str = CAMPUS_SECRET,
) -> httpx.Response:
    with httpx.Client(base_url=zoomsim.base_url, timeout=10) as client:
        return client.post("/oauth/token", data=data, headers=basic_auth(client_id, secret))


def exchange(zoomsim: LiveZoomsim, code: str, **extra: str) -> httpx.Response:
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CAMPUS_CALLBACK}
    data.update(extra)
    return token_request(zoomsim, data)


def refresh(zoomsim: LiveZoomsim, refresh_token: str) -> httpx.Response:
    return token_request(zoomsim, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def connected_tokens(zoomsim: LiveZoomsim) -> dict[str, Any]:
    """An admin's fresh token pair, through the real pages and the token endpoint."""
    response = exchange(zoomsim, authorization_code(zoomsim))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def me(zoomsim: LiveZoomsim, access_token: str) -> httpx.Response:
    """GET /v2/users/me: how a test proves a token works (or is dead, 401/124)."""
    with zoomsim.client(access_token) as client:
        response = client.get("/v2/users/me")
    # /oauth/ is in no Zoom OpenAPI spec; the API calls the tokens make are.
    assert_matches_spec(response, "GET", "/users/{userId}")
    return response


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")
