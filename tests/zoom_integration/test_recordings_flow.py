"""Recordings back from zoomsim over HTTP, with its recording delay above zero as on Zoom: a
recording that takes hours is found by polling with backoff, `recording.completed` through the
intake imports with its download_token (and the account's token once that expired), twice is
once, and without automatic upload the files wait for a Course Admin's Import."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from live_events.models import LiveEventRecording, LiveEventRecordingStatus, LiveEventSession
from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import make_due_now, run_due_work
from tests.zoom_integration.recording_scenes import (
    advance_zoom_clock,
    deliver_to_campus,
    knobs,
    recorded_event,
    recording_completed_bodies,
    run_meeting,
    sim_recordings,
    stored_files,
)
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem, WorkState
from work.services import work_enqueue
from zoom_integration.services.recordings import (
    IMPORT_KIND,
    POLL_KIND,
    zoom_recording_polls_enqueue,
)
from zoomsim.media import fixture_mp4

pytestmark = pytest.mark.django_db

HOURS = 3600


@pytest.fixture
def on_zoom(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> Organization:
    connect_acme_account(acme, acme_people.org_admin)
    return acme


def _by_type(session_id: int) -> dict[str, LiveEventRecording]:
    return {r.file_type: r for r in LiveEventRecording.objects.filter(session_id=session_id)}


def test_a_recording_that_takes_hours_is_found_by_polling_then_imported_whole(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=5 * HOURS)
    session = recorded_event(
        organization=on_zoom, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)

    assert zoom_recording_polls_enqueue() == 1
    assert zoom_recording_polls_enqueue() == 0  # one poll row per session
    make_due_now()
    run_due_work()
    poll = WorkItem.objects.get(kind=POLL_KIND)
    assert poll.state == WorkState.PENDING  # "not there yet" is no verdict: tried again later
    assert "no recording" in poll.last_error
    wait = poll.next_attempt_at - timezone.now()
    assert 4 * 60 < wait.total_seconds() <= 4 * HOURS
    assert not LiveEventRecording.objects.exists()

    advance_zoom_clock(zoomsim, 2 * HOURS)  # still processing at Zoom
    make_due_now()
    run_due_work()
    assert not LiveEventRecording.objects.exists()

    advance_zoom_clock(zoomsim, 3 * HOURS)  # ready now
    make_due_now()
    run_due_work()

    files = _by_type(session.pk)
    assert set(files) == {"MP4", "TRANSCRIPT", "CHAT"}
    assert all(f.status == LiveEventRecordingStatus.IMPORTED for f in files.values())
    assert WorkItem.objects.get(kind=POLL_KIND).state == WorkState.DONE
    with files["MP4"].file.open("rb") as video:
        assert video.read() == fixture_mp4()
    truth = {r["file_type"]: r for r in sim_recordings(zoomsim, session)}
    for file_type, row in files.items():
        assert row.file_size == truth[file_type]["file_size"] == row.file.size
    with files["TRANSCRIPT"].file.open("rb") as transcript:
        assert transcript.read().startswith(b"WEBVTT")


def test_recording_completed_imports_with_its_token_and_twice_is_once(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    settings: object,
) -> None:
    knobs(zoomsim, recording_delay=2 * HOURS)
    session = recorded_event(
        organization=on_zoom, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)
    assert recording_completed_bodies(zoomsim) == []  # Zoom is still processing
    advance_zoom_clock(zoomsim, 2 * HOURS + 60)
    [body] = recording_completed_bodies(zoomsim)

    assert deliver_to_campus(body) == 200

    files = _by_type(session.pk)
    assert set(files) == {"MP4", "TRANSCRIPT", "CHAT"}
    assert all(f.is_published for f in files.values())
    imports = WorkItem.objects.filter(kind=IMPORT_KIND)
    assert imports.count() == 3
    # The token went encrypted into the work rows, never in the clear.
    token = json.loads(body)["download_token"]
    assert token
    assert all(token not in str(item.payload) for item in imports)
    first_names = stored_files(session.event)

    # The same delivery again, a second delivery of the same event, and each import run again.
    assert deliver_to_campus(body) == 200
    for row in files.values():
        work_enqueue(
            kind=IMPORT_KIND,
            subject=f"recording:{row.pk}",
            payload={"recording_id": row.pk},
            dedupe_key=f"{IMPORT_KIND}:{row.pk}",
        )
    run_due_work()

    assert LiveEventRecording.objects.filter(session=session).count() == 3
    assert stored_files(session.event) == first_names
    media = Path(settings.MEDIA_ROOT)  # type: ignore[attr-defined]
    assert len([p for p in media.rglob("*") if p.is_file()]) == 3


def test_an_expired_download_token_falls_back_to_the_accounts_token(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=60)
    session = recorded_event(
        organization=on_zoom, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    # The webhook came late: by Zoom's clock its 24-hour download_token has run out.
    advance_zoom_clock(zoomsim, 25 * HOURS)

    deliver_to_campus(body)

    assert all(f.is_published for f in _by_type(session.pk).values())


def test_without_automatic_upload_course_admins_import_with_the_button(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=60)
    session = recorded_event(
        organization=on_zoom,
        builder=acme_people.course_builder,
        course=acme_course,
        auto_upload=False,
    )
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    deliver_to_campus(body)

    files = _by_type(session.pk)
    assert {f.status for f in files.values()} == {LiveEventRecordingStatus.AVAILABLE}
    lesson = session.event.lesson_component.lesson  # type: ignore[union-attr]
    page = reverse("courses:lesson", args=[lesson.course_id, lesson.pk])
    admin, learner = Client(), Client()
    admin.force_login(acme_people.course_assistant)
    learner.force_login(acme_people.learner)
    assert "Recording available in Zoom" in admin.get(page).content.decode()
    assert "Recording available in Zoom" not in learner.get(page).content.decode()
    import_url = reverse("zoom_integration:recording_import", args=[session.pk])

    assert learner.post(import_url).status_code == 404  # course admins only
    assert admin.get(import_url).status_code == 405  # POST only
    assert not WorkItem.objects.filter(kind=IMPORT_KIND).exists()
    answer = admin.post(import_url)
    assert answer.status_code == 302
    run_due_work()

    assert all(f.is_published for f in _by_type(session.pk).values())
    shown = learner.get(page).content.decode()
    assert "<video" in shown
    assert 'kind="captions"' in shown
    assert "Download the chat" in shown


def test_a_restarted_meeting_has_both_instances_recordings_imported(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=60)
    session = recorded_event(
        organization=on_zoom, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 2 * HOURS)
    run_meeting(zoomsim, session)  # the host started it again: a second UUID
    advance_zoom_clock(zoomsim, 120)

    zoom_recording_polls_enqueue()
    make_due_now()
    run_due_work()

    rows = LiveEventRecording.objects.filter(session=session)
    assert len({r.zoom_meeting_uuid for r in rows}) == 2
    assert sorted(r.file_type for r in rows) == sorted(["MP4", "TRANSCRIPT", "CHAT"] * 2)
    assert all(r.is_published for r in rows)
    assert len(sim_recordings(zoomsim, session)) == 6


def test_polling_stops_72_hours_after_the_end(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=100 * HOURS)
    session = recorded_event(
        organization=on_zoom, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)
    zoom_recording_polls_enqueue()
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=73)
    )
    make_due_now()
    run_due_work()

    assert WorkItem.objects.get(kind=POLL_KIND).state == WorkState.DONE
    assert not LiveEventRecording.objects.exists()
    assert zoom_recording_polls_enqueue() == 0


def test_a_download_url_off_zooms_host_is_never_called(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=60)
    session = recorded_event(
        organization=on_zoom, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    envelope = json.loads(body)
    for file in envelope["payload"]["object"]["recording_files"]:
        file["download_url"] = "https://elsewhere.example/rec/download/" + file["id"]

    assert deliver_to_campus(json.dumps(envelope).encode()) == 200

    # The account's token would have gone to that host: the files are not taken from there.
    assert not LiveEventRecording.objects.exists()
