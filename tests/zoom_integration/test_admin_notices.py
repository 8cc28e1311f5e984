"""While Zoom refuses the connection, every Admin Tools page says so at the top."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from organizations.models import Organization, User
from tests.django_conftest import People, signed_in
from zoom_integration.models import ZoomAccount, ZoomAccountStatus

pytestmark = pytest.mark.django_db

ADMIN_TOOLS_PAGES = [
    "admin_tools:menu",
    "admin_tools:advanced_settings",
    "admin_tools:integrations",
]


@pytest.mark.parametrize("page", ADMIN_TOOLS_PAGES)
def test_every_admin_tools_page_warns_while_zoom_needs_reauthentication(
    page: str,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Callable[..., ZoomAccount],
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    client = signed_in(acme_people.org_admin)
    assert 'id="notice-zoom-needs-reauth"' not in client.get(reverse(page)).content.decode()

    ZoomAccount.objects.filter(pk=account.pk).update(status=ZoomAccountStatus.NEEDS_REAUTH)
    html = client.get(reverse(page)).content.decode()

    assert 'id="notice-zoom-needs-reauth"' in html
    assert "Zoom work is paused until an Org Admin re-authenticates" in html
    assert f'href="{reverse("zoom_integration:configure")}"' in html
    # Said once per page, not again inside the Zoom section.
    assert html.count("Zoom work is paused") == 1


def test_another_organizations_trouble_is_not_shown(
    acme: Organization,
    globex: Organization,
    acme_people: People,
    globex_admin: User,
    connect_acme_account: Callable[..., ZoomAccount],
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    ZoomAccount.objects.filter(pk=account.pk).update(status=ZoomAccountStatus.NEEDS_REAUTH)

    html = signed_in(globex_admin).get(reverse("admin_tools:menu")).content.decode()

    assert "notice-zoom-needs-reauth" not in html
