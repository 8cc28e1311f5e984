"""Connecting through Admin Tools → INTEGRATIONS → Zoom, against the live zoomsim."""

from __future__ import annotations

import logging
from html import escape
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from campus.log_format import StructuredFormatter
from organizations.models import Membership, Organization
from tests.django_conftest import People, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_flow import (
    connect_through_zoom,
    consent_at_zoom,
    start_authentication,
)
from zoom_integration.models import (
    AuditEntry,
    ConnectionKind,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)
from zoom_integration.scopes import REQUIRED_SCOPES
from zoom_integration.services.connection import SIGN_IN_AS_ADMIN

pytestmark = pytest.mark.django_db


def test_integrations_tab_offers_zoom_with_configure(acme_people: People) -> None:
    page = signed_in(acme_people.org_admin).get(reverse("admin_tools:integrations"))

    html = page.content.decode()
    assert "Zoom API Integration" in html
    assert "CONFIGURE" in html
    assert reverse("zoom_integration:configure") in html
    assert "Not connected" in html


def test_configure_page_has_the_radio_and_the_authenticate_button(acme_people: People) -> None:
    page = signed_in(acme_people.org_admin).get(reverse("zoom_integration:configure"))

    html = page.content.decode()
    assert 'type="radio"' in html
    assert "Enable Account-Level Integration with Zoom" in html
    assert "AUTHENTICATE CAMPUS CONNECTOR" in html


def test_authenticate_sends_the_admin_to_zooms_authorize_page_with_state_and_pkce(
    zoomsim: LiveZoomsim, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)

    url = start_authentication(client)

    assert url.startswith(zoomsim.base_url + "/oauth/authorize?")
    assert "code_challenge_method=S256" in url
    assert "state=" in url
    assert "scope=" not in url  # Zoom refuses scopes in the URL
    pending = client.session["zoom_oauth"]
    assert f"state={pending['state']}" in url
    assert pending["code_verifier"] not in url  # only its S256 challenge travels


def test_authenticate_without_choosing_the_radio_button_asks_for_it(
    zoomsim: LiveZoomsim, acme_people: People
) -> None:
    response = signed_in(acme_people.org_admin).post(reverse("zoom_integration:authenticate"))

    assert response.status_code == 400
    assert "Enable Account-Level Integration with Zoom" in response.content.decode()


def test_a_zoom_admin_connects_the_organization(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)

    back = connect_through_zoom(client, "admin@acme.test")

    assert back.status_code == 302
    account = ZoomAccount.objects.get()
    assert account.zoom_account_id == "acct-acme"
    assert account.connection_kind == ConnectionKind.OAUTH
    assert account.status == ZoomAccountStatus.CONNECTED
    assert account.connected_by == acme_people.org_admin
    assert set(REQUIRED_SCOPES) <= set(account.scopes)
    link = OrganizationZoomLink.objects.get(organization=acme)
    assert link.zoom_account == account
    assert link.status == LinkStatus.ACTIVE
    assert AuditEntry.objects.get(organization=acme).action == "zoom.connected"
    # The stored tokens work at Zoom.
    with zoomsim.client(account.access_token) as api:
        assert api.get("/v2/users/me").json()["account_id"] == "acct-acme"

    page = client.get(reverse("zoom_integration:configure")).content.decode()
    assert "Connected" in page
    assert "Ada Admin (admin@acme.test)" in page
    assert acme_people.org_admin.display_name in page
    assert "permissions Campus needs were granted" in page
    section = client.get(reverse("admin_tools:integrations")).content.decode()
    assert "Ada Admin (admin@acme.test)" in section
    assert "Connected" in section


def test_the_owner_may_connect_too(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    connect_through_zoom(signed_in(acme_people.org_admin), "owner@acme.test")

    assert OrganizationZoomLink.objects.get(organization=acme).zoom_account.zoom_account_id == (
        "acct-acme"
    )


def test_a_zoom_member_is_refused_and_told_to_sign_in_as_an_admin(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    back = connect_through_zoom(signed_in(acme_people.org_admin), "host@acme.test", decision="back")

    assert back.status_code == 400
    assert escape(SIGN_IN_AS_ADMIN) in back.content.decode()
    # Zoom keeps the member signed in, so the message says how to switch user there.
    assert "Sign in as someone else" in SIGN_IN_AS_ADMIN
    assert "sign out at zoom.us" in SIGN_IN_AS_ADMIN
    assert not ZoomAccount.objects.exists()
    assert not OrganizationZoomLink.objects.exists()


def test_declining_at_zoom_changes_nothing(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    back = connect_through_zoom(
        signed_in(acme_people.org_admin), "admin@acme.test", decision="decline"
    )

    assert back.status_code == 400
    assert "declined" in back.content.decode()
    assert not OrganizationZoomLink.objects.exists()


def test_missing_scopes_are_named_on_the_page(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    app = zoomsim.state.apps["campus-client-id"]
    app.scopes.remove("report:read:list_meeting_participants:admin")
    app.scopes.remove("cloud_recording:read:list_recording_files:admin")
    client = signed_in(acme_people.org_admin)

    connect_through_zoom(client)

    page = client.get(reverse("zoom_integration:configure")).content.decode()
    assert "report:read:list_meeting_participants:admin" in page
    assert "cloud_recording:read:list_recording_files:admin" in page
    assert "Missing" in page


def test_a_callback_whose_state_does_not_match_is_refused_and_changes_nothing(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)
    start_authentication(client)

    response = client.get(
        reverse("zoom_integration:callback"), {"code": "stolen-code", "state": "forged"}
    )

    assert response.status_code == 400
    assert "does not belong to an authentication started here" in response.content.decode()
    assert not ZoomAccount.objects.exists()


def test_a_callback_in_a_session_that_started_nothing_is_refused(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    response = signed_in(acme_people.org_admin).get(
        reverse("zoom_integration:callback"), {"code": "x", "state": "y"}
    )

    assert response.status_code == 400
    assert not ZoomAccount.objects.exists()


def test_reauthenticating_with_the_same_account_keeps_one_row_and_audits_it(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)
    connect_through_zoom(client)
    first_token = ZoomAccount.objects.get().access_token

    back = connect_through_zoom(client, "owner@acme.test")

    assert back.status_code == 302
    account = ZoomAccount.objects.get()
    assert account.access_token != first_token
    assert list(
        AuditEntry.objects.filter(organization=acme).order_by("id").values_list("action", flat=True)
    ) == ["zoom.connected", "zoom.reauthenticated"]


def test_reauthenticating_with_a_different_zoom_account_is_refused_and_changes_nothing(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)
    connect_through_zoom(client)
    before = ZoomAccount.objects.get()

    back = connect_through_zoom(client, "admin@globex.test")

    assert back.status_code == 400
    assert "different Zoom account" in back.content.decode()
    assert ZoomAccount.objects.count() == 1
    link = OrganizationZoomLink.objects.get(organization=acme)
    assert link.zoom_account_id == before.pk
    assert ZoomAccount.objects.get().access_token == before.access_token
    # The globex tokens Campus will not keep were given back to Zoom.
    globex_tokens = [t for t in zoomsim.state.tokens.values() if t.account_id == "acct-globex"]
    assert globex_tokens
    assert all(t.access_revoked for t in globex_tokens)


def test_two_organizations_share_one_zoom_account_row(
    zoomsim: LiveZoomsim,
    acme: Organization,
    globex: Organization,
    acme_people: People,
    globex_admin: object,
) -> None:
    connect_through_zoom(signed_in(acme_people.org_admin), "admin@acme.test")
    connect_through_zoom(signed_in(globex_admin), "owner@acme.test")  # type: ignore[arg-type]

    account = ZoomAccount.objects.get()
    assert set(OrganizationZoomLink.objects.values_list("organization_id", flat=True)) == {
        acme.pk,
        globex.pk,
    }
    assert all(link.zoom_account_id == account.pk for link in OrganizationZoomLink.objects.all())


def test_campus_itself_refuses_a_zoom_user_who_is_no_admin_when_the_callback_arrives(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    """Zoom's consent page already turns members away; Campus checks `role_name` from
    /users/me again, so a person demoted between consent and callback is refused too."""
    client = signed_in(acme_people.org_admin)
    back_to_campus = consent_at_zoom(start_authentication(client), "admin@acme.test")
    demoted = zoomsim.state.user_by_email("admin@acme.test")
    assert demoted is not None
    demoted.role = "member"

    path = urlsplit(back_to_campus)
    back = client.get(f"{path.path}?{path.query}")

    assert back.status_code == 400
    assert escape(SIGN_IN_AS_ADMIN) in back.content.decode()
    assert not ZoomAccount.objects.exists()
    assert not AuditEntry.objects.exists()
    # The tokens Campus will not keep were given back to Zoom.
    assert all(token.access_revoked for token in zoomsim.state.tokens.values())


def test_a_callback_for_an_authentication_another_organization_started_is_refused(
    zoomsim: LiveZoomsim, acme: Organization, globex: Organization, acme_people: People
) -> None:
    """The pending authentication is bound to the organization that started it: a person moved
    to another organization meanwhile cannot finish it there."""
    client = signed_in(acme_people.org_admin)
    back_to_campus = consent_at_zoom(start_authentication(client), "admin@acme.test")
    Membership.objects.filter(user=acme_people.org_admin).update(organization=globex)

    path = urlsplit(back_to_campus)
    back = client.get(f"{path.path}?{path.query}")

    assert back.status_code == 400
    assert "does not belong to an authentication started here" in back.content.decode()
    assert not ZoomAccount.objects.exists()
    assert not OrganizationZoomLink.objects.exists()


@pytest.mark.parametrize(
    ("pending", "query"),
    [
        (None, {}),
        (None, {"error": "access_denied"}),
        ("not-a-dict", {"state": "s1", "code": "c"}),
        ({"state": "s1"}, {"state": "s1", "code": "c"}),  # no organization, no verifier
        ({"state": 7, "organization_id": "acme"}, {"state": "7", "code": "c"}),
        ({"state": "s1", "organization_id": "ORG"}, {"state": "s1"}),  # no code
        ({"state": "s1", "organization_id": "ORG"}, {"state": "s1", "code": "x" * 20_000}),
        ({"state": "s1", "organization_id": "ORG"}, {"state": "s1", "error": "e" * 20_000}),
    ],
    ids=[
        "nothing",
        "error-only",
        "garbage-in-session",
        "keys-missing",
        "wrong-types",
        "no-code",
        "huge-code",
        "huge-error",
    ],
)
def test_a_malformed_callback_is_a_clear_400_and_changes_nothing(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    pending: object,
    query: dict[str, str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    client = signed_in(acme_people.org_admin)
    if pending is not None:
        session = client.session
        if isinstance(pending, dict) and pending.get("organization_id") == "ORG":
            pending = {**pending, "organization_id": acme.pk}
        session["zoom_oauth"] = pending
        session.save()

    with caplog.at_level(logging.INFO):
        response = client.get(reverse("zoom_integration:callback"), query)

    assert response.status_code == 400
    assert 'id="zoom-error"' in response.content.decode()
    assert "zoom_oauth" not in client.session  # one answer per authentication started
    assert not ZoomAccount.objects.exists()
    assert not AuditEntry.objects.exists()
    # What the browser brought back is not copied into the log lines whole.
    formatter = StructuredFormatter()
    assert all(len(formatter.format(record)) < 1_000 for record in caplog.records)


def test_the_same_callback_twice_connects_once_and_then_is_refused(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)
    back_to_campus = consent_at_zoom(start_authentication(client), "admin@acme.test")
    path = urlsplit(back_to_campus)

    first = client.get(f"{path.path}?{path.query}")
    again = client.get(f"{path.path}?{path.query}")

    assert first.status_code == 302
    assert again.status_code == 400
    assert ZoomAccount.objects.get().status == ZoomAccountStatus.CONNECTED
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["zoom.connected"]


def test_server_to_server_credentials_connect_from_the_page(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    client = signed_in(acme_people.org_admin)

    response = client.post(
        reverse("zoom_integration:server_to_server"),
        {
            "account_id": "acct-acme",
            "client_id": "acme-s2s-client-id",
            "client_secret": "acme-s2s-secret",
        },
    )

    assert response.status_code == 302
    link = OrganizationZoomLink.objects.get(organization=acme)
    assert link.zoom_account.connection_kind == ConnectionKind.S2S
    page = client.get(reverse("zoom_integration:configure")).content.decode()
    assert "Server-to-server credentials" in page
    assert "acme-s2s-secret" not in page


@pytest.mark.parametrize(
    ("data", "where", "message"),
    [
        ({}, "id_account_id", "This field is required."),
        (
            {"account_id": "a" * 65, "client_id": "c", "client_secret": "s"},
            "id_account_id",
            "at most 64 characters",
        ),
        (
            {"account_id": "acct-acme", "client_id": "acme-s2s-client-id", "client_secret": "no"},
            "zoom-s2s-error",
            "did not accept these server-to-server credentials",
        ),
        (
            {
                "account_id": "acct-globex",
                "client_id": "acme-s2s-client-id",
                "client_secret": "acme-s2s-secret",
            },
            "zoom-s2s-error",
            "Invalid account_id: acct-globex",  # Zoom's own reason, passed on
        ),
    ],
    ids=["empty", "too-long", "wrong-secret", "other-account"],
)
def test_refused_server_to_server_credentials_are_explained_in_the_form_and_change_nothing(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    data: dict[str, str],
    where: str,
    message: str,
) -> None:
    response = signed_in(acme_people.org_admin).post(
        reverse("zoom_integration:server_to_server"), data
    )

    assert response.status_code == 400
    html = response.content.decode()
    form = html[html.index('id="zoom-s2s-form"') :]
    assert f'id="{where}"' in form  # the message sits in the credentials form, not elsewhere
    assert message in form
    assert 'id="zoom-error"' not in html
    if data.get("client_secret"):
        assert f'value="{data["client_secret"]}"' not in html
    assert not ZoomAccount.objects.exists()
    assert not OrganizationZoomLink.objects.exists()
