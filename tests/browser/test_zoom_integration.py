"""An Org Admin clicks through the Zoom integration in Chromium: enabling (zoomsim's sign-in and
consent pages included), a Zoom member refused and then switching to the Zoom admin, disabling from
the Integrations section with its confirmation, and re-authenticating from the emailed link after
Zoom revoked the tokens."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from live_events.models import LiveEvent, LiveEventProvider
from organizations.models import Organization
from tests.browser.conftest import screenshot
from tests.browser.smtp_server import LocalSmtpServer
from tests.django_conftest import PASSWORD, People
from tests.live_events.fixtures import zoom_event
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.who_am_i_work import WHO_AM_I
from tests.zoom_integration.zoom_account_scenes import (
    access_token_expiring,
    zoom_revokes_the_tokens,
)
from tests.zoom_integration.zoom_flow import ZOOM_PASSWORDS
from work.models import WorkItem, WorkState
from work.services import work_enqueue
from zoom_integration.models import (
    AuditAction,
    AuditEntry,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
)
from zoomsim.api.users import account_number

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_to_campus(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Admin Tools")).to_be_visible()


def open_integrations(page: Page, *, shots: bool = False) -> None:
    """Admin Tools → ADVANCED SETTINGS → INTEGRATIONS, as the seed's directions go."""
    page.get_by_role("link", name="Admin Tools", exact=True).click()
    if shots:
        screenshot(page, "01-admin-tools-menu")
    page.get_by_role("link", name=re.compile("ADVANCED SETTINGS")).click()
    page.get_by_role("link", name="INTEGRATIONS").click()
    expect(page.locator("#integration-zoom")).to_be_visible()


def open_zoom_configure(page: Page, *, shots: bool = False) -> None:
    open_integrations(page, shots=shots)
    if shots:
        screenshot(page, "02-integrations-tab")
    page.get_by_role("link", name="CONFIGURE").click()
    expect(page.get_by_role("heading", name="Zoom API Integration")).to_be_visible()


def authenticate_at_zoom(
    page: Page, email: str, *, shots: str = "", decision: str = "Authorize"
) -> None:
    """AUTHENTICATE CAMPUS CONNECTOR, then Zoom's pages. The level is chosen when connecting
    only: re-authenticating an active integration shows no radio button."""
    level = page.get_by_label("Enable Account-Level Integration with Zoom")
    if page.locator("#zoom-reauth-help").count():
        expect(level).to_have_count(0)
    else:
        level.check()
    if shots:
        screenshot(page, f"{shots}-configure")
    page.get_by_role("button", name="AUTHENTICATE CAMPUS CONNECTOR").click()
    if page.locator("#signin-form").count():
        page.fill("#email", email)
        page.fill("#password", ZOOM_PASSWORDS[email])
        if shots:
            screenshot(page, f"{shots}-zoom-sign-in")
        page.locator("#signin").click()
    if shots:
        screenshot(page, f"{shots}-zoom-consent")
    page.get_by_role("button", name=decision).click()


def connect_as_zoom_admin(page: Page, live_server: LiveServer, org_admin_email: str) -> None:
    """The Org Admin connects Zoom as acct-acme's Zoom admin (the first test shows each step)."""
    sign_in_to_campus(page, live_server, org_admin_email)
    open_zoom_configure(page)
    authenticate_at_zoom(page, "admin@acme.test")
    expect(page.locator("#zoom-status")).to_have_text("Connected")


def test_an_org_admin_enables_the_zoom_integration(
    zoom: LiveZoomsim, live_server: LiveServer, page: Page, acme_people: People
) -> None:
    sign_in_to_campus(page, live_server, acme_people.org_admin.email)
    open_zoom_configure(page, shots=True)

    authenticate_at_zoom(page, "admin@acme.test", shots="03")

    expect(page.locator("#zoom-status")).to_have_text("Connected")
    # The account by Zoom's number and id; the Zoom admin who authorized it, apart.
    expect(page.locator("#zoom-account")).to_have_text(
        f"Zoom account no. {account_number('acct-acme')} · account ID acct-acme"
    )
    expect(page.locator("#zoom-authorized-by")).to_contain_text("Ada Admin (admin@acme.test)")
    expect(page.locator("#zoom-connected-by")).to_have_text(acme_people.org_admin.display_name)
    expect(page.locator("#zoom-scopes-ok")).to_be_visible()
    screenshot(page, "04-connected")
    assert ZoomAccount.objects.get().zoom_account_id == "acct-acme"


def test_a_zoom_member_is_sent_back_and_then_signs_in_as_someone_else(
    zoom: LiveZoomsim, live_server: LiveServer, page: Page, acme_people: People
) -> None:
    sign_in_to_campus(page, live_server, acme_people.org_admin.email)
    open_zoom_configure(page)
    page.get_by_label("Enable Account-Level Integration with Zoom").check()
    page.get_by_role("button", name="AUTHENTICATE CAMPUS CONNECTOR").click()
    page.fill("#email", "host@acme.test")
    page.fill("#password", ZOOM_PASSWORDS["host@acme.test"])
    page.locator("#signin").click()
    expect(page.locator("#admin-required")).to_be_visible()
    screenshot(page, "05-zoom-member-needs-admin")

    page.locator("#back-to-app").click()

    expect(page.locator("#zoom-error")).to_contain_text("Sign in as someone else")
    expect(page.locator("#zoom-status")).to_have_text("Not connected")
    screenshot(page, "06-zoom-member-refused")
    assert not OrganizationZoomLink.objects.exists()

    # As the message says: Zoom still has the member signed in, so switch user there.
    page.get_by_label("Enable Account-Level Integration with Zoom").check()
    page.get_by_role("button", name="AUTHENTICATE CAMPUS CONNECTOR").click()
    expect(page.locator("#signed-in-user")).to_contain_text("host@acme.test")
    page.get_by_role("button", name="Sign in as someone else").click()
    page.fill("#email", "admin@acme.test")
    page.fill("#password", ZOOM_PASSWORDS["admin@acme.test"])
    page.locator("#signin").click()
    page.get_by_role("button", name="Authorize").click()

    expect(page.locator("#zoom-status")).to_have_text("Connected")
    expect(page.locator("#zoom-authorized-by")).to_contain_text("admin@acme.test")


def test_an_org_admin_disables_the_integration_after_reading_the_confirmation(
    zoom: LiveZoomsim,
    live_server: LiveServer,
    page: Page,
    acme: Organization,
    acme_people: People,
) -> None:
    connect_as_zoom_admin(page, live_server, acme_people.org_admin.email)
    fixture = zoom_event(acme)

    # Where the seed's directions put it: ADVANCED SETTINGS → INTEGRATIONS, Zoom API Integration.
    open_integrations(page)
    section = page.locator("#integration-zoom")
    expect(section.locator("#zoom-account")).to_contain_text("acct-acme")
    screenshot(page, "07-integrations-connected")
    section.get_by_role("link", name="DISABLE").click()
    expect(page.locator("#zoom-disable-account")).to_contain_text(
        f"Zoom account no. {account_number('acct-acme')}"
    )
    expect(page.locator("#zoom-disable-revoke")).to_contain_text("revoked")
    consequences = page.locator("#zoom-disable-consequences")
    expect(consequences).to_contain_text("externally-linked live event")
    expect(consequences).to_contain_text("title, its times and its join link are kept")
    expect(consequences).to_contain_text("already imported stay")
    expect(consequences).to_contain_text("This cannot be undone.")
    expect(page.locator("#zoom-event-count")).to_have_text("1")
    screenshot(page, "07-disable-confirmation")
    page.get_by_role("button", name="DISABLE ZOOM INTEGRATION").click()

    expect(page.get_by_role("status")).to_contain_text("The Zoom integration is disabled")
    expect(page.locator("#integration-zoom #zoom-status")).to_have_text("Disabled")
    screenshot(page, "08-disabled")
    assert OrganizationZoomLink.objects.get().status == LinkStatus.DISABLED
    assert LiveEvent.objects.get(pk=fixture.event.pk).provider == LiveEventProvider.EXTERNAL_LINK


def test_reauthenticating_from_the_emailed_link_after_zoom_revoked_the_tokens(
    zoom: LiveZoomsim,
    live_server: LiveServer,
    page: Page,
    smtp: LocalSmtpServer,
    acme: Organization,
    acme_people: People,
) -> None:
    connect_as_zoom_admin(page, live_server, acme_people.org_admin.email)
    account = ZoomAccount.objects.get()
    # Zoom revokes the app's tokens; the next Zoom job's refresh is refused.
    zoom_revokes_the_tokens(zoom)
    access_token_expiring(account, in_minutes=0)
    # The next Zoom job (run at once: the bell is eager) finds its refresh refused and pauses.
    waiting = work_enqueue(
        kind=WHO_AM_I, subject="probe", payload={"zoom_account_pk": account.pk}, organization=acme
    )
    assert WorkItem.objects.get(pk=waiting.pk).state == WorkState.PAUSED

    assert len(smtp.received) == 1
    mail = smtp.received[0]
    assert mail.recipients == [acme_people.org_admin.email]
    link = re.search(r"http://\S+/admin-tools/integrations/zoom/", mail.body)
    assert link is not None, mail.body
    assert link.group(0).startswith(live_server.url)

    assert f"Zoom account no. {account_number('acct-acme')}" in " ".join(mail.body.split())

    page.goto(link.group(0))
    expect(page.locator("#zoom-needs-reauth")).to_contain_text(
        "Zoom no longer accepts Campus's authorization"
    )
    expect(page.locator("#zoom-needs-reauth")).not_to_contain_text("invalid_grant")
    expect(page.locator("#zoom-status")).to_have_text("Needs re-authentication")
    screenshot(page, "09-needs-reauth-from-email")
    authenticate_at_zoom(page, "admin@acme.test", shots="10")

    expect(page.locator("#zoom-status")).to_have_text("Connected")
    expect(page.locator("#zoom-needs-reauth")).to_have_count(0)
    screenshot(page, "11-reauthenticated")
    assert ZoomAccount.objects.get().status == ZoomAccountStatus.CONNECTED
    # The paused work resumed by itself and ran.
    assert WorkItem.objects.get(pk=waiting.pk).state == WorkState.DONE


def test_an_account_shared_with_another_organization_and_a_long_history(
    zoom: LiveZoomsim,
    live_server: LiveServer,
    page: Page,
    acme: Organization,
    acme_people: People,
    globex: Organization,
) -> None:
    connect_as_zoom_admin(page, live_server, acme_people.org_admin.email)
    account = ZoomAccount.objects.get()
    # Globex uses the same Zoom account (its Zoom admin connected it there too).
    OrganizationZoomLink.objects.create(
        organization=globex, zoom_account=account, enabled_at=timezone.now()
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(organization=acme, action=AuditAction.REAUTHENTICATED) for _ in range(14)
    )

    page.reload()
    expect(page.locator("#zoom-shared")).to_contain_text("Also used by 1 other Campus organization")
    expect(page.locator("#zoom-audit tbody tr")).to_have_count(10)
    expect(page.locator("#zoom-audit-position")).to_contain_text("Page 1 of 2")
    screenshot(page, "12-shared-account-and-history")
    page.get_by_role("link", name="Older →").click()
    expect(page.locator("#zoom-audit tbody tr")).to_have_count(5)
    expect(page.locator("#zoom-audit tbody tr").last).to_contain_text("Connected")
    # The link jumps to #zoom-history; a full-page shot of a scrolled page misplaces the sticky
    # navigation panel, so take it from the top.
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "13-history-page-2")

    open_integrations(page)
    page.locator("#integration-zoom").get_by_role("link", name="DISABLE").click()
    expect(page.locator("#zoom-disable-shared")).to_contain_text("access at Zoom is kept")
    expect(page.locator("body")).not_to_contain_text(globex.name)
    screenshot(page, "14-disable-shared-account")
