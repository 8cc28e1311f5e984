"""The Import button says "importing" from the click on: the queued work row counts as importing,
before a worker has taken it, so a second (or third) click sees no button and doubles nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from courses.models import Course
from live_events.models import LiveEventRecording, LiveEventRecordingStatus, LiveEventSession
from live_events.recording_selectors import RECORDING_IMPORT_WORK_KIND
from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import run_due_work
from tests.zoom_integration.recording_scenes import (
    advance_zoom_clock,
    deliver_to_campus,
    knobs,
    recorded_event,
    recording_completed_bodies,
    run_meeting,
)
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem
from zoom_integration.services.recordings import IMPORT_KIND

IMPORT_BUTTON = "Import<span"
IMPORTING = "Importing the recording from Zoom…"


def _recorded_session(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, acme_course: Course
) -> LiveEventSession:
    knobs(zoomsim, recording_delay=60)
    session = recorded_event(
        organization=acme,
        builder=acme_people.course_builder,
        course=acme_course,
        auto_upload=False,
    )
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    deliver_to_campus(body)
    return session


def _lesson_url(session: LiveEventSession) -> str:
    lesson = session.event.lesson_component.lesson  # type: ignore[union-attr]
    return reverse("courses:lesson", args=[lesson.course_id, lesson.pk])


def test_live_events_names_the_import_work_as_the_provider_does() -> None:
    assert RECORDING_IMPORT_WORK_KIND == IMPORT_KIND


@pytest.mark.django_db
def test_right_after_import_the_page_says_importing_and_shows_no_button(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    session = _recorded_session(zoomsim, acme, acme_people, acme_course)
    admin = Client()
    admin.force_login(acme_people.course_assistant)
    assert IMPORT_BUTTON in admin.get(_lesson_url(session)).content.decode()
    import_url = reverse("zoom_integration:recording_import", args=[session.pk])

    # Three clicks, as a Course Admin who double-clicks and a colleague on the same page would.
    # Inside the test's transaction no bell rings, so no worker runs: only the queued rows speak.
    pages = [admin.post(import_url, follow=True).content.decode() for _click in range(3)]

    for page in pages:
        assert IMPORTING in page
        assert IMPORT_BUTTON not in page
    files = LiveEventRecording.objects.filter(session=session)
    assert {f.status for f in files} == {LiveEventRecordingStatus.AVAILABLE}
    rows = WorkItem.objects.filter(kind=IMPORT_KIND)
    assert rows.count() == files.count()  # three clicks, one row a file
    run_due_work()
    assert all(f.is_published for f in LiveEventRecording.objects.filter(session=session))
    page = admin.get(_lesson_url(session)).content.decode()
    assert IMPORTING not in page
    assert IMPORT_BUTTON not in page
