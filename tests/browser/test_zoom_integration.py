"""An Org Admin clicks through the Zoom integration in Chromium: enabling (zoomsim's sign-in and
consent pages included), a Zoom member refused, disabling with its confirmation, and
re-authenticating from the emailed link after Zoom revoked the tokens."""

from __future__ import annotations

import re

import pytest
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
from zoom_integration.models import LinkStatus, OrganizationZoomLink, ZoomAccount, ZoomAccountStatus

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_to_campus(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Admin Tools")).to_be_visible()


def open_zoom_configure(page: Page, *, shots: bool = False) -> None:
    page.get_by_role("link", name="Admin Tools").click()
    if shots:
        screenshot(page, "01-admin-tools-menu")
    page.get_by_role("link", name=re.compile("ADVANCED SETTINGS")).click()
    page.get_by_role("link", name="INTEGRATIONS").click()
    expect(page.locator("#integration-zoom")).to_be_visible()
    if shots:
        screenshot(page, "02-integrations-tab")
    page.get_by_role("link", name="CONFIGURE").click()
    expect(page.get_by_role("heading", name="Zoom API Integration")).to_be_visible()


def authenticate_at_zoom(
    page: Page, email: str, *, shots: str = "", decision: str = "Authorize"
) -> None:
    page.get_by_label("Enable Account-Level Integration with Zoom").check()
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
    expect(page.locator("#zoom-account")).to_contain_text("Ada Admin (admin@acme.test)")
    expect(page.locator("#zoom-connected-by")).to_have_text(acme_people.org_admin.display_name)
    expect(page.locator("#zoom-scopes-ok")).to_be_visible()
    screenshot(page, "04-connected")
    assert ZoomAccount.objects.get().zoom_account_id == "acct-acme"


def test_a_zoom_member_is_sent_back_with_sign_in_as_an_admin(
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

    expect(page.locator("#zoom-error")).to_contain_text("Sign in to Zoom as an owner or admin")
    expect(page.locator("#zoom-status")).to_have_text("Not connected")
    screenshot(page, "06-zoom-member-refused")
    assert not OrganizationZoomLink.objects.exists()


def test_an_org_admin_disables_the_integration_after_reading_the_confirmation(
    zoom: LiveZoomsim,
    live_server: LiveServer,
    page: Page,
    acme: Organization,
    acme_people: People,
) -> None:
    connect_as_zoom_admin(page, live_server, acme_people.org_admin.email)
    fixture = zoom_event(acme)

    page.get_by_role("link", name="DISABLE").click()
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

    page.goto(link.group(0))
    expect(page.locator("#zoom-needs-reauth")).to_be_visible()
    expect(page.locator("#zoom-status")).to_have_text("Needs re-authentication")
    screenshot(page, "09-needs-reauth-from-email")
    authenticate_at_zoom(page, "admin@acme.test", shots="10")

    expect(page.locator("#zoom-status")).to_have_text("Connected")
    expect(page.locator("#zoom-needs-reauth")).to_have_count(0)
    screenshot(page, "11-reauthenticated")
    assert ZoomAccount.objects.get().status == ZoomAccountStatus.CONNECTED
    # The paused work resumed by itself and ran.
    assert WorkItem.objects.get(pk=waiting.pk).state == WorkState.DONE
