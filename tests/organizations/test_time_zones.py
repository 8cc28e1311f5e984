"""The time-zone list offers IANA location names and UTC, not the database's other files."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from organizations.models import Organization, validate_time_zone
from organizations.time_zones import time_zone_choices
from tests.django_conftest import People, signed_in

NOT_LOCATIONS = ["Factory", "localtime", "posixrules", "US/Eastern", "EST5EDT", "Etc/GMT+5", "GB"]


def test_the_organization_tab_offers_locations_and_utc_only(acme_people: People) -> None:
    page = signed_in(acme_people.org_admin).get(reverse("admin_tools:advanced_settings"))

    offered = re.findall(r'<option value="([^"]*)"', page.content.decode())
    assert offered[0] == "UTC"
    assert {"America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland"} <= set(offered)
    assert not set(NOT_LOCATIONS) & set(offered)
    assert all(name == "UTC" or re.fullmatch(r"[A-Z][a-z]+/[\w/+-]+", name) for name in offered)
    assert len(offered) == len(set(offered)) > 300


def test_the_choices_read_with_spaces() -> None:
    assert ("America/New_York", "America/New York") in time_zone_choices()


@pytest.mark.parametrize("name", NOT_LOCATIONS)
def test_a_name_that_is_not_a_location_is_refused(name: str) -> None:
    with pytest.raises(ValidationError, match="is not a time zone"):
        validate_time_zone(name)


@pytest.mark.django_db
def test_posting_a_zone_that_is_not_offered_is_refused_and_changes_nothing(
    acme_people: People, acme: Organization
) -> None:
    response = signed_in(acme_people.org_admin).post(
        reverse("admin_tools:advanced_settings"), {"name": "Acme U", "time_zone": "Factory"}
    )

    assert response.status_code == 400
    acme.refresh_from_db()
    assert acme.time_zone == "America/New_York"
