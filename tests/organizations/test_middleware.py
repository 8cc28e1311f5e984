"""OrganizationMiddleware: the request knows the person's organization and membership."""

from __future__ import annotations

from django.test import Client
from django.test.signals import template_rendered
from django.urls import reverse
from django.utils import timezone

from organizations.models import User
from tests.django_conftest import People, membership_of, signed_in


def test_request_carries_the_signed_in_persons_organization_and_membership(
    acme_people: People,
) -> None:
    response = signed_in(acme_people.course_builder).get(reverse("courses:list"))

    request = response.wsgi_request
    assert request.membership == membership_of(acme_people.course_builder)  # type: ignore[attr-defined]
    assert request.organization.name == "Acme University"  # type: ignore[attr-defined]


def test_anonymous_request_has_no_organization(db: None) -> None:
    response = signed_in(None).get(reverse("sign_in"))

    assert response.wsgi_request.organization is None  # type: ignore[attr-defined]
    assert response.wsgi_request.membership is None  # type: ignore[attr-defined]


def zones_seen_while_rendering(client: Client) -> set[str]:
    seen: set[str] = set()

    def record_zone(sender: object, **kwargs: object) -> None:
        seen.add(str(timezone.get_current_timezone()))

    template_rendered.connect(record_zone)
    try:
        client.get(reverse("courses:list"))
    finally:
        template_rendered.disconnect(record_zone)
    return seen


def test_pages_render_in_the_persons_time_zone_else_the_organizations(
    acme_people: People,
) -> None:
    learner: User = acme_people.learner
    learner.time_zone = "Asia/Tokyo"
    learner.save()

    assert zones_seen_while_rendering(signed_in(learner)) == {"Asia/Tokyo"}
    assert zones_seen_while_rendering(signed_in(acme_people.org_admin)) == {"America/New_York"}
