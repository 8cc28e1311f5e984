"""The "not available from Zoom" email survives a mail server that is down when the verdict is
given, and still goes once: the verdict plans one work row per Course Admin in its own
transaction; the row is retried until the real SMTP server (tests/browser/smtp_server.py) takes
it. Attendance and recordings alike, against zoomsim over HTTP."""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from pytest_django.fixtures import Settings

from courses.models import Course
from live_events.attendance_models import AttendanceSync, AttendanceSyncState
from live_events.attendance_services import attendance_fetch_now
from live_events.models import LiveEventRecordingSync, LiveEventSession, RecordingSyncState
from live_events.not_available import NOT_AVAILABLE_EMAIL_KIND
from organizations.models import Organization
from tests.browser.smtp_server import LocalSmtpServer
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.attendance_scenes import (
    deliver_meeting_ended,
    next_try_comes,
    work_everything,
    zoom_event,
)
from tests.zoom_integration.attendance_scenes import run_meeting as run_attended_meeting
from tests.zoom_integration.live_event_scenes import make_due_now, run_due_work
from tests.zoom_integration.recording_scenes import knobs, recorded_event, run_meeting
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem, WorkState
from zoom_integration.services.recordings import zoom_recording_poll, zoom_recording_polls_enqueue

pytestmark = pytest.mark.django_db

HOURS = 3600


def _closed_port() -> int:
    """A loopback port nothing listens on: the mail server is down (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp(settings: Settings) -> Iterator[LocalSmtpServer]:
    """A real SMTP server on the loopback, but Campus pointed at a dead port until a test says."""
    server = LocalSmtpServer().start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _closed_port()
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def on_zoom(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> Organization:
    connect_acme_account(acme, acme_people.org_admin)
    return acme


def _email_rows() -> list[WorkItem]:
    return list(WorkItem.objects.filter(kind=NOT_AVAILABLE_EMAIL_KIND).order_by("pk"))


def _smtp_comes_back(settings: Settings, smtp: LocalSmtpServer) -> None:
    settings.EMAIL_PORT = smtp.port
    WorkItem.objects.filter(kind=NOT_AVAILABLE_EMAIL_KIND, state=WorkState.PENDING).update(
        next_attempt_at=timezone.now()
    )
    work_everything()


def _assert_down_then_once(
    smtp: LocalSmtpServer, settings: Settings, course_admins: set[str], noun: str
) -> None:
    """The verdict has been given with the server down: nothing went, nothing is lost."""
    rows = _email_rows()
    assert len(rows) == len(course_admins)
    assert all(row.state == WorkState.PENDING and row.attempts == 1 for row in rows)
    assert all("ConnectionRefusedError" in row.last_error for row in rows)
    assert smtp.received == []

    # Still down at the next try: retried again, with a longer wait.
    WorkItem.objects.filter(kind=NOT_AVAILABLE_EMAIL_KIND).update(next_attempt_at=timezone.now())
    work_everything()
    assert all(row.attempts == 2 and row.state == WorkState.PENDING for row in _email_rows())

    _smtp_comes_back(settings, smtp)

    assert sorted(to for mail in smtp.received for to in mail.recipients) == sorted(course_admins)
    assert all(
        mail.subject.strip().startswith(f"{noun} of “Office hours”") for mail in smtp.received
    )
    assert all(row.state == WorkState.DONE for row in _email_rows())
    # Each email's Message-ID is fixed per session, data and admin: a resend would be the same.
    ids = {str(mail.message["Message-ID"]).strip() for mail in smtp.received}
    assert len(ids) == len(course_admins)
    assert all(re.fullmatch(r"<not-available-\w+-\d+-\d+@[\w.-]+>", i) for i in ids)


def test_a_recording_verdict_given_while_smtp_is_down_emails_each_course_admin_once_later(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    smtp: LocalSmtpServer,
    settings: Settings,
) -> None:
    knobs(zoomsim, recording_delay=100 * HOURS)  # Zoom never makes it in time
    session = recorded_event(
        organization=on_zoom, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)
    zoom_recording_polls_enqueue()
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=74)
    )
    make_due_now()
    run_due_work()

    sync = LiveEventRecordingSync.objects.get(session=session)
    assert sync.state == RecordingSyncState.UNAVAILABLE
    assert sync.admins_told_at is not None
    course_admins = {acme_people.course_builder.email, acme_people.course_assistant.email}
    _assert_down_then_once(smtp, settings, course_admins, "The recording")
    assert all(
        "Last answer: Zoom has no recording of this meeting" in mail.body for mail in smtp.received
    )

    # The verdict given again (a redelivered poll) plans nothing more and sends nothing more.
    zoom_recording_poll(session_id=session.pk)
    work_everything()
    assert len(smtp.received) == 2
    assert len(_email_rows()) == 2


def test_an_attendance_verdict_given_while_smtp_is_down_emails_each_course_admin_once_later(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    smtp: LocalSmtpServer,
    settings: Settings,
) -> None:
    knobs(zoomsim, report_delay=120)
    event = zoom_event(on_zoom, acme_people.course_builder, acme_course)
    session = event.sessions.get()
    instance = run_attended_meeting(zoomsim, session, [])  # nobody came: an empty report
    deliver_meeting_ended(zoomsim, instance["uuid"])
    AttendanceSync.objects.filter(session=session).update(
        first_ended_at=timezone.now() - timedelta(hours=72, minutes=1)
    )
    next_try_comes(session)

    sync = AttendanceSync.objects.get(session=session)
    assert sync.state == AttendanceSyncState.UNAVAILABLE
    course_admins = {acme_people.course_builder.email, acme_people.course_assistant.email}
    _assert_down_then_once(smtp, settings, course_admins, "Attendance")
    assert all("Fetch now" in mail.body for mail in smtp.received)

    # The verdict given again (a Fetch now afterwards) sends nothing more.
    attendance_fetch_now(organization=on_zoom, session_id=session.pk)
    work_everything()
    assert AttendanceSync.objects.get(session=session).state == AttendanceSyncState.UNAVAILABLE
    assert len(smtp.received) == 2
    assert len(_email_rows()) == 2
