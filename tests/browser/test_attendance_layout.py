"""The attendance pages at a 1280 px window, as a Course Builder sees them in Chromium: nothing
wider than the window (the event-wide table scrolls inside its own box), each radio button of the
minimum beside its label, the timeline's names inside it, and the unmatched participant's "map to"
choice readable beside a long guest name. Measured in the page, not eyeballed; the screenshots are
kept for a person to look at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from live_events.attendance_models import AttendanceRecord
from live_events.models import LiveEventSession
from organizations.models import Organization
from tests.browser.conftest import screenshot
from tests.browser.test_live_events import sign_in
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.attendance_scenes import (
    advance_zoom_clock,
    deliver_meeting_ended,
    learner,
    next_try_comes,
    registered,
    run_meeting,
    set_knobs,
    zoom_event,
)
from tests.zoomsim.oauth_flow import CAMPUS_CALLBACK, authorization_code
from zoom_integration.services.connection import zoom_connect_with_authorization_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WINDOW = 1280
# A Zoom Room device's name: long, and with no place to break a line.
LONG_GUEST = "Conference_Room_3rd_Floor_East_Wing_Polycom_Group_Series_500"
CLASS = [
    ("Ada", "Lovelace-Montgomery-Huxley", [[0, 20], [30, 60]]),
    ("Bob", "Byte", [[5, 15]]),
    ("Cora", "Diaz", [[0, 60]]),
]

# The gap between a radio button or checkbox and the first letter of its label.
_GAP_TO_LABEL = """label => {
  const box = label.querySelector("input").getBoundingClientRect();
  const text = [...label.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
  const range = document.createRange();
  range.selectNodeContents(text);
  return range.getBoundingClientRect().left - box.right;
}"""
# How much narrower the select's text area is than its chosen option's text (> 0: cut off).
_SELECT_SHORTFALL = """select => {
  const style = getComputedStyle(select);
  const canvas = document.createElement("canvas").getContext("2d");
  canvas.font = style.font;
  const text = canvas.measureText(select.options[select.selectedIndex].text).width;
  const arrow = 20;
  const room = select.clientWidth - parseFloat(style.paddingLeft)
    - parseFloat(style.paddingRight) - arrow;
  return text - room;
}"""


def _page_width(page: Page) -> int:
    return int(page.evaluate("() => document.documentElement.scrollWidth"))


def test_the_attendance_pages_fit_a_1280_px_window(
    page: Page,
    live_server: LiveServer,
    zoom: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
) -> None:
    zoom_connect_with_authorization_code(
        organization=acme,
        actor=acme_people.org_admin,
        code=authorization_code(zoom, "admin@acme.test"),
        redirect_uri=CAMPUS_CALLBACK,
        code_verifier="",
    )
    set_knobs(zoom, report_delay=60)
    event = zoom_event(acme, acme_people.course_builder, acme_course, sessions=2)
    session = event.sessions.order_by("starts_at").first()
    assert session is not None
    people = []
    for first, last, segments in CLASS:
        person = learner(acme, acme_course, f"{first.lower()}@acme.example", first, last)
        people.append({"registrant_id": registered(acme, session, person), "segments": segments})
    people.append({"guest_name": LONG_GUEST, "segments": [[15, 45]]})
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=60)
    )
    instance = run_meeting(zoom, session, people)
    deliver_meeting_ended(zoom, instance["uuid"])
    advance_zoom_clock(zoom, 60)
    next_try_comes(session)
    assert AttendanceRecord.objects.filter(session=session).count() == len(CLASS) + 1
    assert page.viewport_size == {"width": WINDOW, "height": 900}

    sign_in(page, live_server, acme_people.course_builder.email)
    page.goto(live_server.url + reverse("live_events:attendance", args=[event.pk]))
    expect(page.locator("[data-attendance-row]")).to_have_count(len(CLASS))
    screenshot(page, "layout-attendance-event")
    assert _page_width(page) <= WINDOW
    table = page.locator(".attendance-table")
    box = page.locator(".table-scroll").filter(has=table)
    table_right = table.evaluate("t => t.getBoundingClientRect().right")
    box_right = box.evaluate("b => b.getBoundingClientRect().right")
    assert table_right <= box_right + 1 or box.evaluate("b => b.scrollWidth > b.clientWidth")
    choices = page.locator("fieldset label.check-inline")
    expect(choices).to_have_count(3)
    for index in range(3):
        gap = choices.nth(index).evaluate(_GAP_TO_LABEL)
        assert 0 <= gap <= 12, (index, gap)

    page.goto(live_server.url + reverse("live_events:session_attendance", args=[session.pk]))
    unmatched = page.locator("[data-unmatched]")
    expect(unmatched).to_contain_text(LONG_GUEST)
    screenshot(page, "layout-attendance-session")
    assert _page_width(page) <= WINDOW
    # Every name of the timeline inside the picture (a long one shortened, not cut at its start).
    lefts = page.locator(".timeline-label").evaluate_all("ts => ts.map(t => t.getBBox().x)")
    assert min(lefts) >= 0, lefts
    select = unmatched.locator("select")
    assert select.evaluate(_SELECT_SHORTFALL) <= 0
