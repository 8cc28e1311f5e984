"""INTEGRATIONS renders every section an installed app registered, with that app's context."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from organizations.integrations import (
    IntegrationSection,
    integration_section_register,
    integration_section_unregister,
    integration_sections,
)
from organizations.requests import MemberRequest
from tests.django_conftest import People, signed_in

SECTION_TEMPLATES = {
    "test/section.html": (
        "<p>{{ section.title }} for {{ organization.name }}, seen by {{ membership.user.email }}:"
        " {{ status }}</p>"
    ),
}
# Campus's own template settings, with the test's section template served from memory.
LOCMEM_TEMPLATES = [
    {
        "BACKEND": settings.TEMPLATES[0]["BACKEND"],
        "OPTIONS": {
            "context_processors": settings.TEMPLATES[0]["OPTIONS"]["context_processors"],
            "loaders": [
                ("django.template.loaders.locmem.Loader", SECTION_TEMPLATES),
                "django.template.loaders.app_directories.Loader",
            ],
        },
    }
]


def status_of(request: MemberRequest) -> Mapping[str, object]:
    return {"status": f"status of {request.organization.slug}"}


@pytest.fixture
def test_section() -> Iterator[IntegrationSection]:
    section = IntegrationSection(
        key="test-chat",
        title="Test Chat Integration",
        template_name="test/section.html",
        context=status_of,
        order=999,
    )
    integration_section_register(section)
    yield section
    integration_section_unregister(key=section.key)


@override_settings(TEMPLATES=LOCMEM_TEMPLATES)
def test_registered_section_is_rendered_with_its_context(
    test_section: IntegrationSection, acme_people: People
) -> None:
    response = signed_in(acme_people.org_admin).get(reverse("admin_tools:integrations"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="integration-test-chat"' in html
    assert (
        "<p>Test Chat Integration for Acme University, seen by admin@acme.example:"
        " status of acme</p>"
    ) in html


def test_sections_come_in_order_and_registering_a_key_again_replaces_it(
    test_section: IntegrationSection,
) -> None:
    early = IntegrationSection(key="test-early", title="Early", template_name="x.html", order=-1)
    integration_section_register(early)
    try:
        integration_section_register(
            IntegrationSection(key="test-chat", title="Replaced", template_name="y.html", order=999)
        )
        sections = integration_sections()
        assert sections[0] == early
        assert [s.title for s in sections if s.key == "test-chat"] == ["Replaced"]
    finally:
        integration_section_unregister(key="test-early")
