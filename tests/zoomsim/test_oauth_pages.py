"""zoom.us/oauth/authorize in a browser: sign-in, consent, decline, members refused, error pages."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.oauth_flow import (
    CAMPUS_CALLBACK,
    PASSWORDS,
    authorize_params,
    browser,
    exchange,
    form,
    location,
    query_of,
    sign_in,
    submit,
)


def test_signed_out_browser_gets_a_signin_form_carrying_the_request(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = client.get("/oauth/authorize", params=authorize_params(state="xyz"))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    signin = form(page, "signin-form")
    assert signin["action"] == "/oauth/signin"
    assert signin["fields"] == {
        "response_type": "code",
        "client_id": "campus-client-id",
        "redirect_uri": CAMPUS_CALLBACK,
        "state": "xyz",
        "email": "",
        "password": "",
    }
    assert '<label for="email">' in page.text
    assert '<label for="password">' in page.text


def test_wrong_password_shows_the_form_again_with_an_error(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = client.get("/oauth/authorize", params=authorize_params(state="s1"))
        refused = submit(client, page, "signin-form", email="admin@acme.test", password="nope")
        assert refused.status_code == 401
        assert "Incorrect email or password." in refused.text
        assert "zoomsim_session" not in refused.headers.get("set-cookie", "")
        again = form(refused, "signin-form")
        assert again["fields"]["email"] == "admin@acme.test"
        assert again["fields"]["state"] == "s1"
        # Still signed out: the authorize page asks to sign in again.
        assert "signin-form" in client.get("/oauth/authorize", params=authorize_params()).text


@pytest.mark.parametrize(
    ("email", "password"), [("pending@acme.test", "zoom-pending"), ("nobody@acme.test", "x")]
)
def test_pending_and_unknown_users_cannot_sign_in(
    zoomsim: LiveZoomsim, email: str, password: str
) -> None:
    with browser(zoomsim) as client:
        page = client.get("/oauth/authorize", params=authorize_params())
        refused = submit(client, page, "signin-form", email=email, password=password)
    assert refused.status_code == 401
    assert 'id="signin-error"' in refused.text


def test_admin_sees_consent_naming_app_account_user_and_scopes(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, "admin@acme.test", state="st")
    assert page.status_code == 200
    assert "Campus Live Events" in page.text
    assert "Acme University" in page.text
    assert "Ada Admin (admin@acme.test)" in page.text
    assert "<li>meeting:write:meeting:admin</li>" in page.text
    consent = form(page, "consent-form")
    assert consent["action"] == "/oauth/consent"
    assert consent["buttons"] == ["authorize", "decline"]
    assert consent["fields"]["state"] == "st"
    assert 'id="authorize"' in page.text
    assert 'id="decline"' in page.text


@pytest.mark.parametrize("email", ["admin@acme.test", "owner@acme.test"])
def test_authorize_redirects_with_a_code_and_the_state(zoomsim: LiveZoomsim, email: str) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, email, state="opaque-state-123")
        redirect = submit(client, page, "consent-form", button="authorize")
    assert redirect.status_code == 302
    assert location(redirect).startswith(CAMPUS_CALLBACK + "?")
    query = query_of(redirect)
    assert query["state"] == "opaque-state-123"
    assert len(query["code"]) >= 30
    assert exchange(zoomsim, query["code"]).status_code == 200


def test_without_state_the_redirect_has_no_state(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, "admin@acme.test")
        redirect = submit(client, page, "consent-form", button="authorize")
    assert set(query_of(redirect)) == {"code"}


def test_decline_sends_access_denied_back_with_the_state(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, "admin@acme.test", state="keep-me")
        redirect = submit(client, page, "consent-form", button="decline")
    assert redirect.status_code == 302
    assert location(redirect).startswith(CAMPUS_CALLBACK + "?")
    assert query_of(redirect) == {"error": "access_denied", "state": "keep-me"}


def test_member_is_told_an_admin_must_add_the_app(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, "host@acme.test", state="m1")
        assert page.status_code == 200
        assert "Only an account owner or admin can add this app" in page.text
        assert form(page, "consent-form")["buttons"] == ["back"]
        assert 'id="authorize"' not in page.text
        redirect = submit(client, page, "consent-form", button="back")
    query = query_of(redirect)
    assert query["error"] == "access_denied"
    assert "owner or admin" in query["error_description"]
    assert query["state"] == "m1"
    assert "code" not in query


def test_member_cannot_forge_the_authorize_button(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, "host@acme.test")
        fields = form(page, "consent-form")["fields"]
        redirect = client.post("/oauth/consent", data={**fields, "authorize": "1"})
    query = query_of(redirect)
    assert query["error"] == "access_denied"
    assert "code" not in query


def _error_page(zoomsim: LiveZoomsim, **params: str) -> httpx.Response:
    with browser(zoomsim) as client:
        return client.get("/oauth/authorize", params=params)


def test_unknown_client_id_gets_an_error_page(zoomsim: LiveZoomsim) -> None:
    page = _error_page(zoomsim, **authorize_params(client_id="who-is-this"))
    assert page.status_code == 400
    assert "Invalid client_id: who-is-this" in page.text
    assert "(4,702)" in page.text
    assert "location" not in page.headers


def test_unregistered_redirect_uri_gets_an_error_page_not_a_redirect(
    zoomsim: LiveZoomsim,
) -> None:
    page = _error_page(zoomsim, **authorize_params(redirect_uri="https://evil.example/cb"))
    assert page.status_code == 400
    assert "Invalid redirect: https://evil.example/cb" in page.text
    assert "(4,709)" in page.text
    assert "location" not in page.headers


def test_scope_in_the_url_is_refused_like_zoom(zoomsim: LiveZoomsim) -> None:
    page = _error_page(zoomsim, **authorize_params(scope="meeting:write:meeting:admin"))
    assert page.status_code == 400
    assert "Invalid scopes" in page.text


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"response_type": "token"}, "Unsupported response_type: token"),
        ({"client_id": "acme-s2s-client-id"}, "Invalid client_id: acme-s2s-client-id"),
        (
            {"code_challenge": "a" * 43, "code_challenge_method": "S512"},
            "Invalid code_challenge_method: S512",
        ),
        ({"code_challenge": "too-short", "code_challenge_method": "S256"}, "code_challenge"),
        ({"code_challenge_method": "S256"}, "without code_challenge"),
    ],
)
def test_other_malformed_requests_get_error_pages(
    zoomsim: LiveZoomsim, params: dict[str, str], message: str
) -> None:
    page = _error_page(zoomsim, **authorize_params(**params))
    assert page.status_code == 400
    assert message in page.text


def test_request_values_are_escaped_in_the_pages(zoomsim: LiveZoomsim) -> None:
    hostile = '"><script>alert(1)</script>'
    with browser(zoomsim) as client:
        signin_page = client.get("/oauth/authorize", params=authorize_params(state=hostile))
        refused = submit(client, signin_page, "signin-form", email=hostile, password="x")
        error_page = client.get("/oauth/authorize", params=authorize_params(client_id=hostile))
    for page in (signin_page, refused, error_page):
        assert "<script>" not in page.text
        assert "&lt;script&gt;" in page.text
    assert form(signin_page, "signin-form")["fields"]["state"] == hostile


def test_sign_out_goes_back_to_the_signin_form(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        consent_page = sign_in(client, "admin@acme.test", state="so")
        signed_out = submit(client, consent_page, "signout-form")
        assert signed_out.status_code == 303
        page = client.get(location(signed_out))
        assert "signin-form" in page.text
        assert form(page, "signin-form")["fields"]["state"] == "so"
        # The old consent form no longer works without a session.
        stale = submit(client, consent_page, "consent-form", button="authorize")
    assert stale.status_code == 401
    assert "signin-form" in stale.text


def test_consent_revalidates_the_hidden_redirect_uri(zoomsim: LiveZoomsim) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, "admin@acme.test")
        tampered = submit(
            client,
            page,
            "consent-form",
            button="authorize",
            redirect_uri="https://evil.example/cb",
        )
    assert tampered.status_code == 400
    assert "location" not in tampered.headers
    assert "Invalid redirect" in tampered.text


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b'{"authorize": 1}', "application/json"),
        (b"--broken\r\nnot multipart", "multipart/form-data; boundary=zzz"),
        (b"client_id=%ff%fe", "application/x-www-form-urlencoded"),
        (b"", "application/x-www-form-urlencoded"),
    ],
)
def test_malformed_form_posts_get_an_error_page_not_a_500(
    zoomsim: LiveZoomsim, content: bytes, content_type: str
) -> None:
    with browser(zoomsim) as client:
        for path in ("/oauth/signin", "/oauth/consent"):
            response = client.post(path, content=content, headers={"content-type": content_type})
            assert response.status_code == 400, (path, response.text)
            assert response.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("email", ["host@acme.test", "admin@acme.test"])
def test_sign_in_as_someone_else_is_offered_plainly_beside_who_is_signed_in(
    zoomsim: LiveZoomsim, email: str
) -> None:
    with browser(zoomsim) as client:
        page = sign_in(client, email)
    switch = re.search(r'<form[^>]*id="signout-form".*?</form>', page.text, flags=re.S)
    assert switch is not None
    assert 'Signed in as <strong id="signed-in-user">' in switch.group(0)
    assert email in switch.group(0)
    assert re.search(r"<button[^>]*>Sign in as someone else</button>", switch.group(0))
    # Shown before the page's own buttons, not under them.
    assert page.text.index('id="signout-form"') < page.text.index('id="consent-form"')


def test_a_refused_member_stays_signed_in_until_they_sign_in_as_someone_else(
    zoomsim: LiveZoomsim,
) -> None:
    with browser(zoomsim) as client:
        refused = sign_in(client, "host@acme.test", state="again")
        submit(client, refused, "consent-form", button="back")
        # Zoom keeps the member signed in: trying again shows the same refusal.
        again = client.get("/oauth/authorize", params=authorize_params(state="again"))
        assert "admin-required" in again.text
        switched = submit(client, again, "signout-form", button="signout")
        signin_page = client.get(location(switched))
        assert form(signin_page, "signin-form")["fields"]["state"] == "again"
        signed_in = submit(
            client,
            signin_page,
            "signin-form",
            email="admin@acme.test",
            password=PASSWORDS["admin@acme.test"],
        )
        consent = client.get(location(signed_in))
        redirect = submit(client, consent, "consent-form", button="authorize")
    assert set(query_of(redirect)) == {"code", "state"}
