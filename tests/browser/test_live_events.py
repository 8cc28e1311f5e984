"""A Course Builder adds a live event to a lesson page in Chromium, by the path the issue gives
word for word: the gear, EDIT CONTENT, (+) Add, Components, Third Party Links & Tools, LIVE VIDEO
EVENTS, the Add Live Video Events pop-up."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from tests.browser.conftest import screenshot
from tests.django_conftest import PASSWORD, People, first_lesson

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    page.goto(f"{live_server.url}/sign-in/")
    page.fill("#id_username", email)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("link", name="Courses")).to_be_visible()


def open_live_video_events(page: Page, live_server: LiveServer, course: Course) -> None:
    lesson = first_lesson(course)
    page.goto(f"{live_server.url}/courses/{course.pk}/lessons/{lesson.pk}/")
    page.get_by_label("Lesson settings").click()
    screenshot(page, "live-01-gear-menu")
    page.get_by_role("link", name="EDIT CONTENT").click()
    add = page.locator(".add-link").first
    expect(add).to_have_css("opacity", "0")  # shown on hover, not before
    page.locator(".add-slot").first.hover()
    expect(add).to_have_css("opacity", "1")
    screenshot(page, "live-02-edit-mode-add")
    add.click()
    menu = page.get_by_role("dialog", name="Components")
    expect(menu).to_be_visible()
    expect(menu.get_by_role("heading", name="Third Party Links & Tools")).to_be_visible()
    screenshot(page, "live-03-components-menu")
    menu.get_by_role("link", name="LIVE VIDEO EVENTS").click()
    expect(menu).to_be_hidden()
    expect(page.get_by_role("dialog", name="Add Live Video Events")).to_be_visible()


def test_the_builder_reaches_the_live_video_events_pop_up(
    page: Page, live_server: LiveServer, acme_people: People, acme_course: Course
) -> None:
    sign_in(page, live_server, acme_people.course_builder.email)
    open_live_video_events(page, live_server, acme_course)

    dialog = page.get_by_role("dialog", name="Add Live Video Events")
    # Zoom is not connected here: ZOOM MEETING is offered, disabled, with the reason beside it.
    expect(dialog.get_by_role("radio", name="ZOOM MEETING")).to_be_disabled()
    expect(dialog.get_by_text("Your organization has not connected Zoom")).to_be_visible()
    expect(dialog.get_by_role("radio", name="EXTERNAL LINK")).to_be_checked()
    screenshot(page, "live-04-add-live-video-events")
    # The pop-up is modal: Escape closes it and focus returns to (+) Add.
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_add_is_reachable_by_keyboard(
    page: Page, live_server: LiveServer, acme_people: People, acme_course: Course
) -> None:
    sign_in(page, live_server, acme_people.course_builder.email)
    lesson = first_lesson(acme_course)
    page.goto(f"{live_server.url}/courses/{acme_course.pk}/lessons/{lesson.pk}/?edit=1")

    add = page.locator(".add-link").first
    for _ in range(40):
        page.keyboard.press("Tab")
        if add.evaluate("element => element === document.activeElement"):
            break
    expect(add).to_be_focused()
    expect(add).to_have_css("opacity", "1")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="Components")).to_be_visible()
