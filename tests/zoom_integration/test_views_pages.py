"""The Zoom pages as a new Org Admin meets them (issue 6): where DISABLE is, how the Zoom account is
named, an account shared with other organizations, re-authenticating, the needs-re-authentication
banner and the History table's pages. Against the live zoomsim: the account number, the person who
authorized and the tokens all come from it."""

from __future__ import annotations

import re
from collections.abc import Callable
from html import unescape

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import DjangoCaptureOnCommitCallbacks

from organizations.models import Organization, User
from tests.django_conftest import People, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_flow import connect_through_zoom
from zoom_integration.models import AuditEntry, ZoomAccount
from zoom_integration.selectors import AUDIT_ENTRIES_PER_PAGE
from zoom_integration.services.reauth import zoom_account_mark_needs_reauth
from zoomsim.api.users import account_number

pytestmark = pytest.mark.django_db

ConnectAccount = Callable[..., ZoomAccount]
# What tokens.py records when Zoom refuses a refresh: Zoom's words, not a person's.
ZOOMS_REFUSAL = "Zoom refused to renew the tokens: invalid_grant, “Invalid Token!”."


def text_of(html: str, element_id: str) -> str:
    """The text of the element with `element_id` (tags dropped, whitespace collapsed)."""
    match = re.search(rf'id="{element_id}"[^>]*>(.*?)</(dd|li|p|div|nav)>', html, re.S)
    assert match is not None, f"no #{element_id}"
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", match.group(1))).split())


def page_html(client: Client, url_name: str, **query: str) -> str:
    response = client.get(reverse(url_name), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def acme_connected(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> tuple[Client, ZoomAccount]:
    client = signed_in(acme_people.org_admin)
    connect_through_zoom(client)
    return client, ZoomAccount.objects.get()


# --- DISABLE where the directions say ------------------------------------------------------------


def test_the_integrations_section_offers_disable_which_opens_the_confirmation(
    acme_connected: tuple[Client, ZoomAccount],
) -> None:
    client, _ = acme_connected

    html = page_html(client, "admin_tools:integrations")

    section = html[html.index('id="integration-zoom"') :]
    disable = re.search(r'<a [^>]*id="zoom-section-disable"[^>]*>DISABLE</a>', section)
    assert disable is not None
    assert f'href="{reverse("zoom_integration:disable")}"' in disable.group(0)
    # It opens the confirmation; nothing is disabled by following it.
    confirmation = client.get(reverse("zoom_integration:disable"))
    assert "DISABLE ZOOM INTEGRATION" in confirmation.content.decode()


def test_no_disable_in_the_section_before_zoom_is_connected(acme_people: People) -> None:
    html = page_html(signed_in(acme_people.org_admin), "admin_tools:integrations")

    assert 'id="zoom-section-disable"' not in html


# --- the account, and separately who authorized it -----------------------------------------------


def test_the_pages_name_the_zoom_account_by_number_and_id_and_the_authorizer_apart(
    acme_connected: tuple[Client, ZoomAccount],
) -> None:
    client, account = acme_connected
    number = str(account_number("acct-acme"))  # what zoomsim's GET /users/me says
    assert account.zoom_account_number == int(number)

    for url_name in ("admin_tools:integrations", "zoom_integration:configure"):
        html = page_html(client, url_name)
        shown = text_of(html, "zoom-account")
        assert number in shown
        assert "acct-acme" in shown
        assert "Ada Admin" not in shown
        assert "admin@acme.test" not in shown
        assert text_of(html, "zoom-authorized-by").startswith("Ada Admin (admin@acme.test)")

    confirmation = text_of(page_html(client, "zoom_integration:disable"), "zoom-disable-account")
    assert number in confirmation
    assert "acct-acme" in confirmation
    assert "authorized at Zoom by Ada Admin (admin@acme.test)" in confirmation


def test_the_reauthentication_email_names_the_account_and_the_authorizer(
    acme_connected: tuple[Client, ZoomAccount],
    django_capture_on_commit_callbacks: DjangoCaptureOnCommitCallbacks,
) -> None:
    _, account = acme_connected

    with django_capture_on_commit_callbacks(execute=True):
        zoom_account_mark_needs_reauth(zoom_account_pk=account.pk, reason=ZOOMS_REFUSAL)

    (email,) = mail.outbox
    body = " ".join(email.body.split())
    assert f"Zoom account no. {account_number('acct-acme')} (ID acct-acme)" in body
    assert "authorized at Zoom by Ada Admin (admin@acme.test)" in body
    # Re-authenticating does not ask for the radio button any more; neither does the email.
    assert "Enable Account-Level Integration" not in body


# --- an account shared with other organizations --------------------------------------------------


def test_an_organization_sharing_its_zoom_account_sees_that_others_use_it_unnamed(
    acme_connected: tuple[Client, ZoomAccount],
    globex: Organization,
    globex_admin: User,
    connect_acme_account: ConnectAccount,
) -> None:
    client, _ = acme_connected
    # Globex's Org Admin connects Globex with Acme's Zoom admin: the same Zoom account.
    connect_acme_account(globex, globex_admin)
    assert ZoomAccount.objects.count() == 1

    for url_name in ("admin_tools:integrations", "zoom_integration:configure"):
        html = page_html(client, url_name)
        assert "Also used by 1 other Campus organization." in text_of(html, "zoom-shared")
        # Another tenant: counted, never named.
        assert globex.name not in html

    confirmation = page_html(client, "zoom_integration:disable")
    shared = text_of(confirmation, "zoom-disable-shared")
    assert "also used by 1 other Campus organization" in shared
    assert "access at Zoom is kept" in shared
    assert 'id="zoom-disable-revoke"' not in confirmation
    assert globex.name not in confirmation


def test_an_account_used_by_one_organization_says_disabling_revokes_it(
    acme_connected: tuple[Client, ZoomAccount],
) -> None:
    client, _ = acme_connected

    assert 'id="zoom-shared"' not in page_html(client, "zoom_integration:configure")
    confirmation = page_html(client, "zoom_integration:disable")
    assert "access is revoked at Zoom" in text_of(confirmation, "zoom-disable-revoke")
    assert 'id="zoom-disable-shared"' not in confirmation


# --- re-authenticating, and the banner -----------------------------------------------------------


def test_reauthenticating_does_not_ask_for_the_integration_level_again(
    acme_connected: tuple[Client, ZoomAccount], zoomsim: LiveZoomsim
) -> None:
    client, _ = acme_connected

    html = page_html(client, "zoom_integration:configure")
    assert 'type="radio"' not in html
    assert "AUTHENTICATE CAMPUS CONNECTOR" in html
    # Pressing the button alone is enough: off to Zoom.
    response = client.post(reverse("zoom_integration:authenticate"))
    assert response.status_code == 302
    assert response["Location"].startswith(zoomsim.base_url + "/oauth/authorize?")


def test_the_banner_says_what_to_do_instead_of_zooms_raw_answer(
    acme_connected: tuple[Client, ZoomAccount],
) -> None:
    client, account = acme_connected
    zoom_account_mark_needs_reauth(zoom_account_pk=account.pk, reason=ZOOMS_REFUSAL)

    html = page_html(client, "zoom_integration:configure")

    banner = text_of(html, "zoom-needs-reauth")
    assert "invalid_grant" not in html
    assert "Invalid Token" not in html
    assert "Zoom no longer accepts Campus's authorization" in banner
    assert "Authenticate again below" in banner
    assert f"owner or admin of Zoom account no. {account_number('acct-acme')}" in banner


def test_the_banner_of_server_to_server_credentials_asks_for_the_current_ones(
    zoomsim: LiveZoomsim, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)
    client.post(
        reverse("zoom_integration:server_to_server"),
        {
            "account_id": "acct-acme",
            "client_id": "acme-s2s-client-id",
            "client_secret": "acme-s2s-secret",
        },
    )
    account = ZoomAccount.objects.get()
    zoom_account_mark_needs_reauth(
        zoom_account_pk=account.pk, reason="Zoom refused a token: invalid_client."
    )

    html = page_html(client, "zoom_integration:configure")

    banner = text_of(html, "zoom-needs-reauth")
    assert "invalid_client" not in html
    assert "server-to-server credentials" in banner
    assert "Enter the app's current credentials below." in banner
    # Named by Zoom's number here too: GET /users/me answers the same for these tokens.
    assert str(account_number("acct-acme")) in text_of(html, "zoom-account")


# --- the History table's pages -------------------------------------------------------------------


def history_rows(html: str) -> int:
    table = html[html.index('id="zoom-audit"') : html.index("</table>")]
    return table.count("<tr>") - 1  # the header row


def test_the_history_table_pages_through_every_entry(
    acme_connected: tuple[Client, ZoomAccount], acme: Organization
) -> None:
    client, _ = acme_connected  # one entry: Connected
    AuditEntry.objects.bulk_create(
        AuditEntry(organization=acme, action="zoom.reauthenticated") for _ in range(24)
    )

    first = page_html(client, "zoom_integration:configure")
    assert history_rows(first) == AUDIT_ENTRIES_PER_PAGE
    assert "Page 1 of 3" in text_of(first, "zoom-audit-pages")
    assert 'href="?page=2#zoom-history"' in first
    assert 'id="zoom-audit-newer"' not in first

    last = page_html(client, "zoom_integration:configure", page="3")
    assert history_rows(last) == 5
    assert "entries 21\N{EN DASH}25 of 25" in text_of(last, "zoom-audit-pages")
    assert 'id="zoom-audit-older"' not in last
    assert "Connected" in last  # the oldest entry is on the last page

    # A stale or edited link still answers with a page, not an error.
    assert "Page 3 of 3" in text_of(
        page_html(client, "zoom_integration:configure", page="99"), "zoom-audit-pages"
    )
    assert "Page 1 of 3" in text_of(
        page_html(client, "zoom_integration:configure", page="x"), "zoom-audit-pages"
    )


def test_the_history_of_one_organization_is_paged_without_anothers_entries(
    acme_connected: tuple[Client, ZoomAccount], globex: Organization
) -> None:
    client, _ = acme_connected
    AuditEntry.objects.bulk_create(
        AuditEntry(organization=globex, action="zoom.disabled") for _ in range(30)
    )

    html = page_html(client, "zoom_integration:configure")

    assert history_rows(html) == 1
    assert 'id="zoom-audit-pages"' not in html
