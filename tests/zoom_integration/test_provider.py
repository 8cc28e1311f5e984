"""The Zoom meeting provider is offered to course builders only while the organization's Zoom
link is active and Zoom accepts its connection; the external link always is."""

from __future__ import annotations

import pytest

from live_events.providers import meeting_provider_get, meeting_providers_available
from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_account_scenes import Connect
from zoom_integration.models import REASON_ORG_ADMIN, ZoomAccount, ZoomAccountStatus
from zoom_integration.services.disable import zoom_integration_disable

pytestmark = pytest.mark.django_db


def offered(organization: Organization) -> set[str]:
    return {provider.key for provider in meeting_providers_available(organization=organization)}


def test_zoom_is_offered_only_while_connected_and_the_external_link_always(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    assert offered(acme) == {"external_link"}

    account = connect_acme_account(acme, acme_people.org_admin)
    assert offered(acme) == {"external_link", "zoom"}

    ZoomAccount.objects.filter(pk=account.pk).update(status=ZoomAccountStatus.NEEDS_REAUTH)
    assert offered(acme) == {"external_link"}

    ZoomAccount.objects.filter(pk=account.pk).update(status=ZoomAccountStatus.CONNECTED)
    zoom_integration_disable(
        organization=acme, actor=acme_people.org_admin, reason=REASON_ORG_ADMIN
    )
    assert offered(acme) == {"external_link"}


def test_each_provider_is_found_by_its_key() -> None:
    zoom = meeting_provider_get("zoom")
    external_link = meeting_provider_get("external_link")

    assert zoom is not None
    assert zoom.label == "Zoom"
    assert external_link is not None
    assert external_link.label == "External link"
    assert meeting_provider_get("webex") is None
