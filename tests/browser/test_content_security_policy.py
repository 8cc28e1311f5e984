"""Chromium enforces Campus's Content-Security-Policy on every kind of page, and nothing on them is
refused: no console report of a violation, the stylesheets applied, and AUTHENTICATE's redirect to
Zoom's consent page allowed (form-action)."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, expect
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from tests.browser.conftest import screenshot
from tests.browser.test_zoom_integration import connect_as_zoom_admin, sign_in_to_campus
from tests.django_conftest import People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIOLATION_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


@pytest.fixture
def violations(page: Page) -> list[str]:
    """What the browser reported refusing, from the console and from violation events."""
    found: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            found.append(message.text)

    page.on("console", on_console)
    page.add_init_script(VIOLATION_LISTENER)
    return found


def visit(page: Page, url: str, violations: list[str]) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    violations.extend(page.evaluate("window.__cspViolations || []"))


def sidebar_is_styled(page: Page) -> bool:
    colour = page.evaluate("getComputedStyle(document.querySelector('.sidebar')).backgroundColor")
    return bool(colour == "rgb(22, 32, 54)")  # --nav in campus.css


def test_every_kind_of_page_keeps_within_the_policy(
    zoom: LiveZoomsim,
    live_server: LiveServer,
    page: Page,
    acme_people: People,
    acme_course: Course,
    violations: list[str],
) -> None:
    connect_as_zoom_admin(page, live_server, acme_people.org_admin.email)  # the consent redirect
    lesson = first_lesson(acme_course)
    for path in [
        "/courses/",
        f"/courses/{acme_course.pk}/",
        f"/courses/{acme_course.pk}/lessons/{lesson.pk}/",
        "/people/",
        "/admin-tools/",
        "/admin-tools/advanced/",
        "/admin-tools/integrations/",
        "/admin-tools/integrations/zoom/",
        "/admin-tools/integrations/zoom/disable/",
        "/admin-tools/integrations/zoom/authenticate/",  # 405
        "/no-such-page/",  # 404
    ]:
        visit(page, live_server.url + path, violations)
        assert sidebar_is_styled(page), path
        if page.locator(".error-page-links").count():
            screenshot(page, "error-page-" + path.strip("/").replace("/", "-"))

    visit(page, live_server.url + "/admin-tools/integrations/zoom/", violations)
    facts = page.locator(".zoom-facts").first
    expect(facts).to_be_visible()
    assert facts.evaluate("element => getComputedStyle(element).display") == "grid"  # zoom.css
    assert violations == []


def test_the_sign_in_page_keeps_within_the_policy(
    live_server: LiveServer, page: Page, acme_people: People, violations: list[str]
) -> None:
    visit(page, live_server.url + "/sign-in/", violations)
    sign_in_to_campus(page, live_server, acme_people.org_admin.email)

    assert violations == []
