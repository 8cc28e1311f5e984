"""After a meeting run at zoomsim by its control API (report delay above zero, as on Zoom), a Course
Admin in Chromium sees the session's attendance and durations, its timeline, and downloads the
CSV; a learner sees their own attendance on the lesson page."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from courses.models import Course
from live_events.attendance_models import AttendanceRecord
from live_events.models import LiveEventSession
from organizations.models import Organization
from tests.browser.conftest import screenshot
from tests.browser.test_live_events import sign_in
from tests.django_conftest import People, first_lesson
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

REPORT_DELAY = 120
# (first, last, segments in minutes of the 60-minute meeting)
CLASS = [
    ("Ada", "Lovelace", [[0, 20], [30, 60]]),
    ("Bob", "Byte", [[5, 15]]),
    ("Cora", "Diaz", [[0, 60]]),
    ("Dan", "Okafor", [[10, 35], [40, 55]]),
    ("Eve", "Marsh", [[2, 58]]),
]


def test_the_course_admin_reads_attendance_and_downloads_the_csv_and_a_learner_sees_theirs(
    page: Page,
    chromium: Browser,
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
    set_knobs(zoom, report_delay=REPORT_DELAY)
    event = zoom_event(acme, acme_people.course_builder, acme_course, sessions=2)
    session = event.sessions.order_by("starts_at").first()
    assert session is not None
    people = []
    for first, last, segments in CLASS:
        person = learner(acme, acme_course, f"{first.lower()}@acme.example", first, last)
        people.append({"registrant_id": registered(acme, session, person), "segments": segments})
    people.append({"guest_name": "Grace (phone)", "segments": [[15, 45]]})
    # The meeting is held now (zoomsim runs it ending at its clock's now): the session is over.
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=60)
    )
    instance = run_meeting(zoom, session, people)
    deliver_meeting_ended(zoom, instance["uuid"])
    advance_zoom_clock(zoom, REPORT_DELAY)
    next_try_comes(session)
    assert AttendanceRecord.objects.filter(session=session).count() == len(CLASS) + 1

    lesson_url = f"{live_server.url}/courses/{acme_course.pk}/lessons/"
    lesson_url += f"{first_lesson(acme_course).pk}/"
    sign_in(page, live_server, acme_people.course_assistant.email)
    page.goto(lesson_url)
    first_session = page.locator(".session").first
    expect(first_session.get_by_text("attendance fetched")).to_be_visible()
    expect(first_session.get_by_role("button", name="Fetch now")).to_be_visible()
    screenshot(page, "attendance-00-admin-lesson-page")
    first_session.get_by_role("link", name="Attendance of session 1").click()

    expect(page.get_by_role("heading", name="Attendance of session 1")).to_be_visible()
    ada = page.locator("[data-attendance-row]", has_text="Ada Lovelace")
    expect(ada.locator("[data-duration]")).to_have_text("50 min")
    dan = page.locator("[data-attendance-row]", has_text="Dan Okafor")
    expect(dan.locator("[data-duration]")).to_have_text("40 min")
    timeline = page.get_by_role("img", name="Timeline of session 1")
    expect(timeline).to_be_visible()
    expect(timeline.locator("[data-person]")).to_have_count(len(CLASS) + 1)
    expect(timeline.locator("[data-segment]")).to_have_count(8)
    expect(page.locator("[data-unmatched]")).to_contain_text("Grace (phone)")
    # Beside the choice: a guest who typed only a name is mapped for this session only.
    expect(page.locator("[data-unmatched] [data-map-scope]")).to_contain_text(
        "For this session only"
    )
    screenshot(page, "attendance-01-session")

    with page.expect_download() as downloading:
        page.get_by_role("link", name="Download CSV").click()
    download = downloading.value
    assert download.suggested_filename == "attendance-office-hours-session-1.csv"
    path = download.path()
    assert path is not None
    rows = list(csv.DictReader(io.StringIO(path.read_text())))
    durations = {row["learner"]: row["duration_seconds"] for row in rows}
    assert durations == {
        "Ada Lovelace": "3000",
        "Bob Byte": "600",
        "Cora Diaz": "3600",
        "Dan Okafor": "2400",
        "Eve Marsh": "3360",
        "Grace (phone)": "1800",
    }

    page.get_by_role("link", name="Attendance", exact=True).click()
    expect(page.get_by_role("heading", name="Attendance", exact=True)).to_be_visible()
    expect(page.locator("[data-attendance-row]")).to_have_count(len(CLASS))
    # Below the table, the participants who matched no learner, by session.
    guests = page.locator('[data-unmatched-session="1"] [data-unmatched]')
    expect(guests).to_have_count(1)
    expect(guests).to_contain_text("Grace (phone)")
    expect(guests).to_contain_text("30 min")
    screenshot(page, "attendance-02-event")

    learner_page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(learner_page, live_server, "ada@acme.example")
    learner_page.goto(lesson_url)
    mine = learner_page.locator("[data-my-attendance]")
    expect(mine).to_have_count(1)
    expect(mine).to_contain_text("Attended")
    expect(mine).to_contain_text("You were there 50 min")
    expect(learner_page.get_by_role("button", name="Fetch now")).to_have_count(0)
    screenshot(learner_page, "attendance-03-learner-lesson-page")
    learner_page.context.close()
