"""A Course Builder adds a live event to a lesson page in Chromium, by the path the issue gives
word for word: the gear, EDIT CONTENT, (+) Add, Components, Third Party Links & Tools, LIVE VIDEO
EVENTS, the Add Live Video Events pop-up, ZOOM MEETING, NEXT, the form, VALIDATE, ADD; then a
learner registers and joins through zoomsim with their personal link."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from live_events.models import LiveEvent, LiveEventRegistration
from organizations.models import Organization
from tests.browser.conftest import screenshot
from tests.django_conftest import PASSWORD, People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.oauth_flow import CAMPUS_CALLBACK, authorization_code
from zoom_integration.services.connection import zoom_connect_with_authorization_code

NEW_YORK = ZoneInfo("America/New_York")

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


def _wall_clock(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M")


def test_a_builder_adds_a_zoom_event_and_a_learner_joins_with_their_own_link(
    page: Page,
    chromium: Browser,
    live_server: LiveServer,
    zoom: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
) -> None:
    """The issue's path word for word, with two sessions; then a learner registers for the
    second and follows Join to zoomsim, which records the join as that registrant."""
    zoom_connect_with_authorization_code(
        organization=acme,
        actor=acme_people.org_admin,
        code=authorization_code(zoom, "admin@acme.test"),
        redirect_uri=CAMPUS_CALLBACK,
        code_verifier="",
    )
    sign_in(page, live_server, acme_people.course_builder.email)
    open_live_video_events(page, live_server, acme_course)
    chooser = page.get_by_role("dialog", name="Add Live Video Events")
    expect(chooser.get_by_role("radio", name="ZOOM MEETING")).to_be_checked()
    chooser.get_by_role("button", name="NEXT").click()

    expect(page.get_by_role("heading", name="Zoom meeting")).to_be_visible()
    page.get_by_label("Topic").fill("Office hours")
    page.get_by_label("Description").fill("Bring your questions about averages.")
    # Both sessions start within the quarter of an hour before which Join opens, so the learner
    # can join the second one at once.
    now = datetime.now(UTC)
    first = page.locator("[data-session-row]").nth(0)
    first.get_by_label("Start Time").fill(
        _wall_clock(now.astimezone(NEW_YORK) + timedelta(minutes=6))
    )
    first.get_by_label("Time Zone").fill("America/New_York")
    first.get_by_label("Duration").fill("5")  # over before the second starts: no overlap
    page.get_by_role("button", name="+ add another session").click()
    second = page.locator("[data-session-row]").nth(1)
    expect(second.get_by_text("Session 2")).to_be_visible()
    second.get_by_label("Start Time").fill(_wall_clock(now + timedelta(minutes=13)))
    second.get_by_label("Time Zone").fill("UTC")
    second.get_by_label("Duration").fill("45")
    page.get_by_label("Host", exact=True).fill("host@acme.test")
    page.get_by_role("button", name="VALIDATE").click()
    expect(page.locator("#host-verdicts")).to_contain_text("can host this meeting")
    page.get_by_label("Auto-record the meeting on Cloud").check()
    expect(
        page.get_by_label("Automatically upload the cloud recording to the lesson page")
    ).to_be_visible()
    expect(page.get_by_label("Track attendance")).to_be_checked()
    expect(page.get_by_label("Track attendance")).to_be_disabled()
    screenshot(page, "live-05-zoom-meeting-form")
    page.get_by_role("button", name="ADD", exact=True).click()

    expect(page.get_by_text("“Office hours” added with 2 sessions")).to_be_visible()
    expect(page.get_by_text("Scheduled at Zoom").first).to_be_visible()
    screenshot(page, "live-06-event-on-the-lesson-page")
    event = LiveEvent.objects.get()
    assert event.sessions.exclude(zoom_meeting_id=None).count() == 2

    learner_page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(learner_page, live_server, acme_people.learner.email)
    learner_page.goto(
        f"{live_server.url}/courses/{acme_course.pk}/lessons/{first_lesson(acme_course).pk}/"
    )
    session_two = learner_page.locator(".session").nth(1)
    session_two.get_by_role("button", name="Register").click()
    expect(learner_page.get_by_text("You are registered for session 2")).to_be_visible()
    session_two = learner_page.locator(".session").nth(1)
    expect(session_two.get_by_role("link", name="Join")).to_be_visible()
    screenshot(learner_page, "live-07-learner-registered")

    registration = LiveEventRegistration.objects.get(learner=acme_people.learner)
    meeting_id = registration.session.zoom_meeting_id
    with zoom.client() as control:
        assert control.post(f"/_sim/meetings/{meeting_id}/start").status_code in (200, 201)
    session_two.get_by_role("link", name="Join").click()
    expect(learner_page.get_by_text("You are joining Office hours")).to_be_visible()
    learner_page.get_by_role("button", name="Join").click()
    expect(learner_page.get_by_text("You are in Office hours")).to_be_visible()
    screenshot(learner_page, "live-08-joined-at-zoom")

    with zoom.client() as control:
        segments = control.get("/_sim/segments").json()["segments"]
    joined = [s for s in segments if s.get("registrant_id") == registration.zoom_registrant_id]
    assert len(joined) == 1, segments


def test_a_refused_form_shows_every_error_and_keeps_the_upload_box_as_sent(
    page: Page,
    live_server: LiveServer,
    zoom: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
) -> None:
    """Duration 0, a past start and the upload ticked without cloud recording (as a page without
    JavaScript can post it): the 400 page shows the three errors beside their fields at once, and
    the page's script neither unticks nor hides the upload box the server sent ticked."""
    zoom_connect_with_authorization_code(
        organization=acme,
        actor=acme_people.org_admin,
        code=authorization_code(zoom, "admin@acme.test"),
        redirect_uri=CAMPUS_CALLBACK,
        code_verifier="",
    )
    sign_in(page, live_server, acme_people.course_builder.email)
    new = reverse(
        "live_events:new",
        kwargs={"course_id": acme_course.pk, "lesson_id": first_lesson(acme_course).pk},
    )
    page.goto(f"{live_server.url}{new}?provider=zoom&position=1")
    page.get_by_label("Topic").fill("Office hours")
    row = page.locator("[data-session-row]").nth(0)
    row.get_by_label("Start Time").fill(_wall_clock(datetime.now(UTC) - timedelta(days=2)))
    row.get_by_label("Time Zone").fill("UTC")
    row.get_by_label("Duration").fill("0")
    page.get_by_label("Host", exact=True).fill("host@acme.test")
    upload = page.get_by_label("Automatically upload the cloud recording to the lesson page")
    expect(upload).to_be_hidden()
    upload.evaluate("box => { box.checked = true; }")  # as a post without the script sends it
    page.get_by_role("button", name="ADD", exact=True).click()

    expect(page.locator(".field-error")).to_have_count(3)
    expect(row.locator(".field-error")).to_have_count(2)
    expect(row).to_contain_text("at least 1 minute")
    expect(row).to_contain_text("in the past")
    expect(upload).to_be_visible()
    expect(upload).to_be_checked()
    expect(page.get_by_text("turn on Auto-record the meeting on Cloud")).to_be_visible()
    screenshot(page, "live-05b-zoom-meeting-form-refused")
    assert LiveEvent.objects.count() == 0

    # Unticking cloud recording still takes the upload with it; ticking it shows the box again.
    cloud = page.get_by_label("Auto-record the meeting on Cloud")
    cloud.check()
    cloud.uncheck()
    expect(upload).to_be_hidden()
    expect(upload).not_to_be_checked()
    cloud.check()
    expect(upload).to_be_visible()
