"""The embedded default as `make run` starts it — gunicorn, a Celery worker on the filesystem
broker, zoomsim as its own process — driven by a person in Chromium: connect Zoom, then Zoom
uninstalls the app, its webhook reaches Campus, the worker processes it, and the page shows the
integration disabled. Nothing here is in the test process: every part talks to the others over
HTTP and the broker folder, as on a laptop running the demo."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.run_all_process import Supervised
from tests.support.waiting import eventually

pytestmark = pytest.mark.browser


def test_connect_then_uninstall_at_zoom_disables_through_the_real_worker(
    page: Page, supervised: Supervised
) -> None:
    supervised.wait_for("Ctrl-C stops everything.", timeout=90)
    supervised.wait_for("campus@", timeout=30, in_log=True)  # the worker consumes
    campus = f"http://127.0.0.1:{supervised.web_port}"
    zoom = f"http://127.0.0.1:{supervised.zoomsim_port}"

    page.goto(f"{campus}/")
    page.get_by_label("Email").fill("admin@campus.test")
    page.get_by_label("Password").fill("campus-demo")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Admin Tools").click()
    page.get_by_role("link", name="ADVANCED SETTINGS").click()
    page.get_by_role("link", name="INTEGRATIONS").click()
    page.get_by_role("link", name="CONFIGURE").click()
    page.get_by_label("Enable Account-Level Integration with Zoom").check()
    page.get_by_role("button", name="AUTHENTICATE CAMPUS CONNECTOR").click()
    # zoomsim's pages, on the port run_all registered for this Campus.
    page.locator("#email").fill("admin@acme.test")
    page.locator("#password").fill("zoom-admin")
    page.locator("button[type=submit]").first.click()
    page.locator("#authorize").click()
    expect(page.locator("#zoom-status")).to_have_text("Connected")

    uninstalled = httpx.post(f"{zoom}/_sim/apps/campus-client-id/accounts/acct-acme/uninstall")
    assert uninstalled.status_code == 200, uninstalled.text

    def shows_disabled() -> bool:
        page.reload()
        return "Disabled" in page.locator("#zoom-status").inner_text()

    eventually(shows_disabled, timeout=30, interval=0.5, explain=lambda: supervised.output[-3000:])
    deliveries = httpx.get(f"{zoom}/_sim/deliveries").json()["deliveries"]
    assert [(d["event"], d["state"]) for d in deliveries] == [("app_deauthorized", "delivered")]
    # Processed by the worker process, after the webhook view had answered.
    assert "work.run" in supervised.log
    expect(page.get_by_text("by Zoom (the app was removed from the Zoom account)")).to_be_visible()
