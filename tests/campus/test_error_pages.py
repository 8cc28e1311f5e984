"""The errors met by accident get pages in Campus's look saying what happened and where to go:
an expired form (CSRF), a page not there (404), an address that only takes a form (405)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from organizations.models import Organization
from tests.django_conftest import People, signed_in

pytestmark = pytest.mark.django_db

SIDEBAR = 'class="sidebar"'


def test_a_form_sent_from_a_stale_page_is_refused_with_a_page_that_says_so(
    acme_people: People, acme: Organization
) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme_people.org_admin)
    form_page = "http://testserver" + reverse("admin_tools:advanced_settings")

    response = client.post(
        reverse("admin_tools:advanced_settings"),
        {"name": "Hijacked", "time_zone": "UTC"},
        headers={"referer": form_page},
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert "nothing was changed" in html
    assert f'href="{form_page}">Open the page again' in html
    assert SIDEBAR in html
    assert "CSRF cookie" not in html  # Django's technical reason is not shown
    acme.refresh_from_db()
    assert acme.name == "Acme University"


def test_a_stale_sign_in_form_offers_to_sign_in_again(acme_people: People) -> None:
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("sign_in"), {"username": "admin@acme.example", "password": "irrelevant"}
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "This form has expired" in html
    assert f'href="{reverse("sign_in")}">Sign in' in html
    assert "_auth_user_id" not in client.session


def test_a_foreign_referer_is_not_offered_as_the_way_back(acme_people: People) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(acme_people.org_admin)

    response = client.post(
        reverse("admin_tools:advanced_settings"), {}, headers={"referer": "https://evil.example/"}
    )

    assert response.status_code == 403
    assert b"evil.example" not in response.content
    assert f'href="{reverse("admin_tools:menu")}">Open the page again'.encode() in response.content


def test_a_page_not_there_keeps_the_navigation_and_leads_back(acme_people: People) -> None:
    # The back button to the disable confirmation after disabling: the page is gone.
    response = signed_in(acme_people.org_admin).get(reverse("zoom_integration:disable"))

    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert "back button" in html
    assert SIDEBAR in html
    assert f'href="{reverse("courses:list")}">Back to your courses' in html
    assert f'href="{reverse("admin_tools:menu")}">Admin Tools' in html


def test_a_page_not_there_for_a_visitor_offers_sign_in() -> None:
    response = Client().get("/no-such-page/")

    assert response.status_code == 404
    html = response.content.decode()
    assert f'href="{reverse("sign_in")}">Sign in' in html
    assert SIDEBAR not in html


def test_opening_an_address_that_only_takes_a_form_says_so_and_leads_to_its_page(
    acme_people: People,
) -> None:
    response = signed_in(acme_people.org_admin).get(reverse("zoom_integration:authenticate"))

    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "This address takes a form, not a visit" in html
    assert "Nothing was done" in html
    configure = reverse("zoom_integration:configure")
    assert f'href="{configure}">Go to the page with the button' in html
    assert SIDEBAR in html


def test_get_on_sign_out_gets_the_page_and_signs_nobody_out(acme_people: People) -> None:
    client = signed_in(acme_people.learner)

    response = client.get(reverse("sign_out"))

    assert response.status_code == 405
    assert b"This address takes a form, not a visit" in response.content
    assert client.get(reverse("courses:list")).status_code == 200
