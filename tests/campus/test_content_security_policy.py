"""The Content-Security-Policy header on Campus's pages, and templates that keep within it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from tests.django_conftest import People, signed_in

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src"


def policy_of(response_header: str) -> dict[str, list[str]]:
    directives = (part.strip().split() for part in response_header.split(";") if part.strip())
    return {name: sources for name, *sources in directives}


@pytest.mark.parametrize(
    "url", ["/sign-in/", "/courses/", "/admin-tools/integrations/zoom/", "/no-such-page/"]
)
def test_every_page_carries_the_policy(acme_people: People, url: str) -> None:
    response = signed_in(acme_people.org_admin).get(url)

    policy = policy_of(response["Content-Security-Policy"])
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


def test_forms_may_lead_to_zooms_consent_page_and_nowhere_else(
    acme_people: People, settings: Settings
) -> None:
    settings.ZOOM_OAUTH_BASE_URL = "https://zoom.us"

    response = Client().get(reverse("sign_in"))

    policy = policy_of(response["Content-Security-Policy"])
    assert sorted(policy["form-action"]) == sorted(["'self'", "https://zoom.us"])


def _templates() -> list[Path]:
    return sorted(SRC.glob("*/templates/**/*.html"))


def test_no_template_has_inline_script_style_elements_or_event_handlers() -> None:
    # What the policy would refuse in a browser: <script> without src, <style>, on…= handlers,
    # javascript: links. zoomsim's pages are zoomsim's (not served by Campus, no policy).
    offending = []
    for template in _templates():
        if "zoomsim" in template.parts:
            continue
        html = template.read_text()
        inline_script = re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html)
        if inline_script or "<style" in html or re.search(r"\son[a-z]+\s*=", html):
            offending.append(str(template.relative_to(SRC)))
        if "javascript:" in html:
            offending.append(str(template.relative_to(SRC)))
    assert _templates()
    assert offending == []
