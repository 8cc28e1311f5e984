"""Organization names are single-line wherever they are saved: they go into email subjects."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from organizations.models import Organization
from organizations.services import organization_get_or_create, organization_update

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["Acme\nUniversity", "Acme\r", "Acme\x0bU", "Acme\u2029U"])
def test_a_name_with_a_line_break_is_refused_on_save_and_changes_nothing(
    acme: Organization, name: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        organization_update(organization=acme, name=name, time_zone="UTC")

    assert refused.value.message_dict["name"] == [
        "Use a single line: no line breaks, tabs or other control characters."
    ]
    acme.refresh_from_db()
    assert (acme.name, acme.time_zone) == ("Acme University", "America/New_York")


def test_a_new_organization_with_a_line_break_in_its_name_is_refused() -> None:
    with pytest.raises(ValidationError):
        organization_get_or_create(slug="initech", name="Initech\nInc", time_zone="UTC")

    assert not Organization.objects.filter(slug="initech").exists()


def test_single_line_names_in_any_script_are_kept(acme: Organization) -> None:
    organization_update(organization=acme, name="Université de Genève · 東京", time_zone="UTC")

    acme.refresh_from_db()
    assert acme.name == "Université de Genève · 東京"
