"""The base template, signing in and out, CSRF and the security headers."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Organization
from tests.django_conftest import PASSWORD, ROLES, People, signed_in

GEAR = 'aria-label="Admin Tools"'


@pytest.mark.parametrize("role", ROLES)
def test_admin_tools_gear_is_in_the_navigation_only_for_org_admins(
    role: str, acme_people: People
) -> None:
    html = signed_in(acme_people.by_role(role)).get(reverse("courses:list")).content.decode()

    assert (GEAR in html) is (role == "org_admin")
    if role == "org_admin":
        gear_link = re.search(r'<a[^>]*aria-label="Admin Tools"[^>]*>', html)
        assert gear_link is not None
        assert f'href="{reverse("admin_tools:menu")}"' in gear_link.group(0)


def test_navigation_panel_shows_campus_courses_the_person_and_sign_out(
    acme_people: People,
) -> None:
    html = signed_in(acme_people.learner).get(reverse("courses:list")).content.decode()

    nav = html[html.index('<nav class="sidebar"') : html.index("</nav>")]
    assert "Campus" in nav
    assert f'href="{reverse("courses:list")}"' in nav
    assert acme_people.learner.display_name in nav
    assert f'action="{reverse("sign_out")}"' in nav
    assert "Sign out" in nav
    assert "People" not in nav  # learners do not see the people page


def test_admin_tools_menu_leads_to_advanced_settings_and_its_integrations_tab(
    acme_people: People,
) -> None:
    client = signed_in(acme_people.org_admin)

    menu = client.get(reverse("admin_tools:menu")).content.decode()
    assert "Organization Admin Tools" in menu
    assert "ADVANCED SETTINGS" in menu
    assert f'href="{reverse("admin_tools:advanced_settings")}"' in menu

    settings_page = client.get(reverse("admin_tools:advanced_settings")).content.decode()
    assert f'href="{reverse("admin_tools:integrations")}"' in settings_page
    assert ">INTEGRATIONS</a>" in settings_page

    integrations = client.get(reverse("admin_tools:integrations")).content.decode()
    assert 'href="/admin-tools/integrations/" aria-current="page">INTEGRATIONS' in integrations


def test_sign_in_with_email_in_any_case_lands_on_the_courses(acme_people: People) -> None:
    client = Client()

    page = client.get(reverse("sign_in"))
    response = client.post(
        reverse("sign_in"), {"username": "Learner@ACME.example", "password": PASSWORD}
    )

    assert page.status_code == 200
    assert b'autocomplete="username"' in page.content
    assert response.status_code == 302
    assert response["Location"] == reverse("courses:list")
    assert client.get(reverse("courses:list")).status_code == 200


def test_sign_in_with_a_wrong_password_says_so_and_signs_nobody_in(acme_people: People) -> None:
    client = Client()

    response = client.post(
        reverse("sign_in"), {"username": "learner@acme.example", "password": "wrong"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "That email address and password do not match an account." in html
    assert "username and password" not in html
    assert "_auth_user_id" not in client.session


def test_sign_out_is_a_post_and_ends_the_session(acme_people: People) -> None:
    client = signed_in(acme_people.learner)

    assert client.get(reverse("sign_out")).status_code == 405
    assert client.get(reverse("courses:list")).status_code == 200

    response = client.post(reverse("sign_out"))

    assert response.status_code == 302
    assert response["Location"] == reverse("sign_in")
    assert client.get(reverse("courses:list")).status_code == 302


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("sign_in", {"username": "admin@acme.example", "password": PASSWORD}),
        ("sign_out", {}),
        ("admin_tools:advanced_settings", {"name": "Hijacked", "time_zone": "UTC"}),
    ],
)
def test_post_forms_without_the_csrf_token_are_refused_and_change_nothing(
    url_name: str, data: dict[str, str], acme_people: People, acme: Organization
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme_people.org_admin)

    response = client.post(reverse(url_name), data)

    assert response.status_code == 403
    acme.refresh_from_db()
    assert acme.name == "Acme University"
    assert client.get(reverse("courses:list")).status_code == 200  # still signed in


def test_post_form_with_the_csrf_token_from_the_page_is_accepted(
    acme_people: People, acme: Organization
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme_people.org_admin)
    page = client.get(reverse("admin_tools:advanced_settings")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token is not None

    response = client.post(
        reverse("admin_tools:advanced_settings"),
        {"csrfmiddlewaretoken": token.group(1), "name": "Acme U", "time_zone": "Europe/Paris"},
    )

    assert response.status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone) == ("Acme U", "Europe/Paris")


def test_pages_carry_the_security_headers_and_an_httponly_session_cookie(
    acme_people: People,
) -> None:
    client = Client()
    client.post(reverse("sign_in"), {"username": "admin@acme.example", "password": PASSWORD})

    response = client.get(reverse("courses:list"))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    session_cookie = client.cookies["sessionid"]
    assert session_cookie["httponly"]
    assert session_cookie["samesite"] == "Lax"


def test_messages_are_shown_as_banners(acme_people: People) -> None:
    client = signed_in(acme_people.org_admin)

    response = client.post(
        reverse("admin_tools:advanced_settings"),
        {"name": "Acme U", "time_zone": "Europe/Paris"},
        follow=True,
    )

    assert b'class="banner banner-success" role="status">Organization settings saved.' in (
        response.content
    )


def test_not_found_page_keeps_the_navigation(acme_people: People) -> None:
    response = signed_in(acme_people.learner).get("/courses/999999/")

    assert response.status_code == 404
    assert b"Page not found" in response.content
    assert b'class="sidebar"' in response.content


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({}, "name", "This field is required."),
        ({"name": "x" * 201, "time_zone": "UTC"}, "name", "at most 200 characters"),
        ({"name": "Acme\x00", "time_zone": "UTC"}, "name", "Null characters are not allowed."),
        ({"name": "Acme U", "time_zone": "Mars/Olympus"}, "time_zone", "Select a valid choice."),
        ({"name": "Acme\r\nBcc: x@y.z", "time_zone": "UTC"}, "name", "Use a single line"),
        ({"name": "Acme\u2028U", "time_zone": "UTC"}, "name", "Use a single line"),
        ({"name": "Acme\tU", "time_zone": "UTC"}, "name", "Use a single line"),
    ],
    ids=["empty", "too-long", "nul", "unknown-zone", "line-break", "line-separator", "tab"],
)
def test_bad_organization_settings_are_refused_beside_the_field_and_change_nothing(
    acme_people: People, acme: Organization, data: dict[str, str], field: str, message: str
) -> None:
    response = signed_in(acme_people.org_admin).post(reverse("admin_tools:advanced_settings"), data)

    assert response.status_code == 400
    html = response.content.decode()
    beside = re.search(rf'id="id_{field}".*?<p class="field-error">([^<]*)</p>', html, re.S)
    assert beside is not None, html
    assert message in beside.group(1)
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone) == ("Acme University", "America/New_York")
