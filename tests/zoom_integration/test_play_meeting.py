"""`manage.py play_meeting`: a realistic meeting played on a live zoomsim over HTTP, checked
against zoomsim's ground truth, and its attendance come back to Campus through `meeting.ended`."""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from pytest_django.fixtures import Settings

from courses.models import Course
from live_events.attendance_models import AttendanceSync, AttendanceSyncState
from live_events.attendance_selectors import attendance_for_session
from live_events.inputs import EventInput, EventOptions, SessionInput
from live_events.models import LiveEvent, LiveEventSession
from live_events.services import live_event_create
from organizations.models import Organization
from tests.django_conftest import People, first_lesson
from tests.support.waiting import free_port
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.attendance_scenes import (
    advance_zoom_clock,
    in_days,
    learner,
    next_try_comes,
    registered,
    set_knobs,
    work_everything,
)
from tests.zoom_integration.conftest import WEBHOOK_SECRET
from zoom_integration.management.commands.play_meeting import Command
from zoom_integration.models import ZoomAccount
from zoom_integration.services.webhooks import WebhookOutcomeKind, zoom_webhook_receive
from zoomsim.webhooks import signed_headers

Connect = Callable[..., ZoomAccount]
REPORT_DELAY = 60


def _recorded_event(organization: Organization, people: People, course: Course) -> LiveEvent:
    event = live_event_create(
        organization=organization,
        actor=people.course_builder,
        lesson=first_lesson(course),
        data=EventInput(
            topic="Office hours",
            host_email="host@acme.test",
            sessions=(SessionInput(starts_at=in_days(1), time_zone="UTC", duration_minutes=45),),
            options=EventOptions(auto_record_cloud=True, auto_upload_recording=True),
        ),
    )
    work_everything()
    return event


def _play(*args: str) -> str:
    out = StringIO()
    call_command("play_meeting", *args, stdout=out)
    return out.getvalue()


def _sim_get(zoomsim: LiveZoomsim, path: str, **params: str) -> dict[str, object]:
    with httpx.Client(base_url=zoomsim.base_url, timeout=10) as sim:
        response = sim.get(path, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def _deliver_meeting_ended(zoomsim: LiveZoomsim, instance_uuid: str) -> None:
    """zoomsim's `meeting.ended` for the instance, signed as zoomsim signs it, into Campus's
    intake (this test's Campus is not listening on a port), then the work it caused runs."""
    deliveries = _sim_get(zoomsim, "/_sim/deliveries", event="meeting.ended")["deliveries"]
    assert isinstance(deliveries, list)
    [body] = [
        d["body"] for d in deliveries if d["payload"]["payload"]["object"]["uuid"] == instance_uuid
    ]
    raw = body.encode()
    headers = signed_headers(WEBHOOK_SECRET, str(int(time.time())), raw, "req-ended")
    outcome = zoom_webhook_receive(
        raw_body=raw,
        timestamp=headers["x-zm-request-timestamp"],
        signature=headers["x-zm-signature"],
    )
    assert outcome.kind == WebhookOutcomeKind.ACCEPTED, outcome
    work_everything()


def test_plays_a_meeting_zoomsim_holds_and_campus_gets_its_attendance(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    zoomsim: LiveZoomsim,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    set_knobs(zoomsim, report_delay=REPORT_DELAY)
    event = _recorded_event(acme, acme_people, acme_course)
    session = event.sessions.get()
    assert session.zoom_meeting_id is not None
    learners = [
        learner(acme, acme_course, f"l{n}@acme.example", f"Learner{n}", "Demo") for n in range(4)
    ]
    registrant_ids = {registered(acme, session, person) for person in learners}

    printed = _play(str(session.pk), "--participants", "30")

    instances = _sim_get(zoomsim, "/_sim/instances", meeting=str(session.zoom_meeting_id))
    [instance] = instances["instances"]  # type: ignore[misc]
    assert instance["end_time"] is not None
    segments = _sim_get(zoomsim, "/_sim/segments", instance=instance["uuid"])["segments"]
    assert isinstance(segments, list)
    people = Counter(segment["person_key"] for segment in segments)
    assert len(people) == 30
    # Every registered learner came through their registrant identity.
    assert {s["registrant_id"] for s in segments if s["registrant_id"]} == registrant_ids
    # Account users signed in (the host among them), guests with only a name, rejoins.
    assert "acme-host" in {s["participant_user_id"] for s in segments}
    guests = [key for key in people if key.startswith("guest:")]
    assert len(guests) >= 2
    assert sum(1 for s in segments if s["person_key"].startswith("guest:") and s["name"] == "Sam")
    assert any(count > 1 for key, count in people.items() if key.startswith("registrant:"))
    assert any(count > 1 for key in guests for count in [people[key]])
    recordings = _sim_get(zoomsim, "/_sim/recordings", instance=instance["uuid"])
    files = recordings["recordings"]
    assert isinstance(files, list)
    assert sorted(f["file_type"] for f in files) == ["CHAT", "MP4", "TRANSCRIPT"]
    assert f"Played Zoom meeting {session.zoom_meeting_id}" in printed
    assert "30 people" in printed
    assert "(rejoined)" in printed
    assert "Cloud recording" in printed

    # Campus hears meeting.ended as Zoom signs it; once the report is ready the learners'
    # attendance is there, rejoins merged.
    _deliver_meeting_ended(zoomsim, instance["uuid"])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(session)
    rows = attendance_for_session(organization=acme, session_id=session.pk)
    matched = {row.learner for row in rows if row.learner is not None}
    assert matched == set(learners)
    assert all(row.attended for row in rows if row.learner is not None)


def _played_uuid(printed: str) -> str:
    found = re.search(r"^  instance (\S+): ", printed, re.M)
    assert found is not None, printed
    return found.group(1)


def test_wait_on_a_session_fetched_before_waits_for_the_run_it_played(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    zoomsim: LiveZoomsim,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    set_knobs(zoomsim, report_delay=REPORT_DELAY)
    session = _recorded_event(acme, acme_people, acme_course).sessions.get()
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    registered(acme, session, ada)
    first = _played_uuid(_play(str(session.pk), "--participants", "5", "--minutes", "20"))
    _deliver_meeting_ended(zoomsim, first)
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(session)
    assert AttendanceSync.objects.get(session=session).state == AttendanceSyncState.FETCHED

    # Played again: no worker here fetches it, so --wait must not print the first run's rows.
    advance_zoom_clock(zoomsim, 30 * 60)
    started = timezone.now()
    printed = _play(str(session.pk), "--participants", "5", "--minutes", "20", "--wait", "2")

    second = _played_uuid(printed)
    assert second != first
    assert "still not fetched after 2 s" in printed
    assert "learners matched" not in printed
    assert "did not attend" not in printed
    assert " attended " not in printed

    # Once the worker has the new run, the wait ends with the attendance of both runs.
    _deliver_meeting_ended(zoomsim, second)
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(session)
    out = StringIO()
    Command(stdout=out).watch(session, instance_uuid=second, since=started, seconds=5)
    watched = out.getvalue()
    assert "still not fetched" not in watched
    assert re.search(r"Ada Lovelace\s+attended\s+40\.0 min", watched), watched
    assert "1 learners matched" in watched


def test_refuses_a_session_without_a_zoom_meeting_and_changes_nothing(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    zoomsim: LiveZoomsim,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    # Zoom fails every meeting create: the session is left without a meeting.
    with httpx.Client(base_url=zoomsim.base_url, timeout=10) as sim:
        fault = {"path": "/meetings$", "method": "POST", "count": -1, "status": 503}
        assert sim.post("/_sim/faults", json=fault).status_code == 201
    event = _recorded_event(acme, acme_people, acme_course)
    session = event.sessions.get()
    assert session.zoom_meeting_id is None

    with pytest.raises(CommandError, match=f"Session {session.pk} has no Zoom meeting yet"):
        _play(str(session.pk))
    with pytest.raises(CommandError, match=f"Session {session.pk} has no Zoom meeting yet"):
        _play("--lesson", str(first_lesson(acme_course).pk))

    assert _sim_get(zoomsim, "/_sim/instances")["instances"] == []


def test_refuses_unknown_sessions_lessons_and_missing_arguments(
    acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    missing = (
        LiveEventSession.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    ) + 1
    with pytest.raises(CommandError, match=f"There is no live event session {missing}"):
        _play(str(missing))
    lesson = first_lesson(acme_course)
    with pytest.raises(CommandError, match=f"Lesson {lesson.pk} has no Zoom live event session"):
        _play("--lesson", str(lesson.pk))
    with pytest.raises(CommandError, match="Give a session id or --lesson"):
        _play()


def test_refuses_clearly_when_no_zoomsim_answers(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    zoomsim: LiveZoomsim,
    settings: Settings,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    session = _recorded_event(acme, acme_people, acme_course).sessions.get()
    nobody = f"http://127.0.0.1:{free_port()}"
    settings.ZOOM_API_BASE_URL = nobody + "/v2"

    with pytest.raises(CommandError, match=f"zoomsim does not answer at {nobody}"):
        _play(str(session.pk))

    assert _sim_get(zoomsim, "/_sim/instances")["instances"] == []
