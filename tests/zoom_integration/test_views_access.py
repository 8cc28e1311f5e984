"""Every Zoom page and action, for every role: Org Admins may; course admins and learners get
404; anonymous visitors are sent to sign in; another organization's connection is out of reach."""

from __future__ import annotations

import pytest
from django.urls import reverse

from organizations.models import Organization, User
from tests.django_conftest import ROLES, People, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_account_scenes import Connect
from zoom_integration.models import LinkStatus, OrganizationZoomLink

pytestmark = pytest.mark.django_db


# (url name, method, form data)
ENDPOINTS = [
    ("zoom_integration:configure", "get", {}),
    ("zoom_integration:authenticate", "post", {"integration_level": "account"}),
    ("zoom_integration:callback", "get", {"code": "c", "state": "s"}),
    (
        "zoom_integration:server_to_server",
        "post",
        {"account_id": "acct-acme", "client_id": "acme-s2s-client-id", "client_secret": "x"},
    ),
    ("zoom_integration:disable", "get", {}),
    ("zoom_integration:disable", "post", {}),
]
IDS = [f"{method} {name.split(':')[1]}" for name, method, _ in ENDPOINTS]
# What an Org Admin gets (with the organization connected to Zoom): never 404 or a sign-in.
ORG_ADMIN_ANSWERS = {
    "get configure": {200},
    "post authenticate": {302},
    "get callback": {400},  # no authentication was started in this session
    "post server_to_server": {400},  # zoomsim refuses the wrong secret
    "get disable": {200},
    "post disable": {302},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "data"), ENDPOINTS, ids=IDS)
def test_only_org_admins_reach_the_zoom_pages(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    role: str,
    name: str,
    method: str,
    data: dict[str, str],
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    client = signed_in(acme_people.by_role(role))

    response = getattr(client, method)(reverse(name), data)

    if role == "org_admin":
        assert response.status_code in ORG_ADMIN_ANSWERS[f"{method} {name.split(':')[1]}"]
    else:
        assert response.status_code == 404
        assert OrganizationZoomLink.objects.get(organization=acme).status == LinkStatus.ACTIVE


@pytest.mark.parametrize(("name", "method", "data"), ENDPOINTS, ids=IDS)
def test_anonymous_visitors_are_sent_to_sign_in(
    db: None, name: str, method: str, data: dict[str, str]
) -> None:
    response = getattr(signed_in(None), method)(reverse(name), data)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("sign_in"))


def test_another_organizations_admin_cannot_see_or_disable_this_connection(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    globex_admin: User,
    connect_acme_account: Connect,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    client = signed_in(globex_admin)

    page = client.get(reverse("zoom_integration:configure")).content.decode()
    disable_page = client.get(reverse("zoom_integration:disable"))
    disable = client.post(reverse("zoom_integration:disable"))

    assert "Not connected" in page
    assert "acct-acme" not in page
    assert disable_page.status_code == disable.status_code == 404
    assert OrganizationZoomLink.objects.get(organization=acme).status == LinkStatus.ACTIVE


def test_the_webhook_endpoint_takes_only_post(db: None) -> None:
    assert signed_in(None).get(reverse("zoom_integration:webhook")).status_code == 405


def test_the_authenticate_button_needs_the_csrf_token(
    zoomsim: LiveZoomsim, acme_people: People
) -> None:
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(acme_people.org_admin)

    response = client.post(
        reverse("zoom_integration:authenticate"), {"integration_level": "account"}
    )

    assert response.status_code == 403
