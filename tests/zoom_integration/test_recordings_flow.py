"""Recordings back from zoomsim over HTTP, with its recording delay above zero as on Zoom: a
recording that takes hours is found by polling with backoff, `recording.completed` through the
intake imports with its download_token (and the account's token once that expired), twice is
once, and without automatic upload the files wait for a Course Admin's Import."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import httpx
import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from live_events.models import (
    LiveEvent,
    LiveEventRecording,
    LiveEventRecordingStatus,
    LiveEventRecordingSync,
    LiveEventSession,
    RecordingSyncState,
)
from organizations.models import Organization, User
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.attendance_scenes import deliver_meeting_ended
from tests.zoom_integration.live_event_scenes import fault, make_due_now, run_due_work
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
    zoom_recording_poll,
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


def _recorded(on_zoom: Organization, people: People, course: Course) -> LiveEventSession:
    """The usual scene: acme's builder's cloud-recorded event with auto-upload, on the course."""
    return recorded_event(organization=on_zoom, builder=people.course_builder, course=course)


def _by_type(session_id: int) -> dict[str, LiveEventRecording]:
    return {r.file_type: r for r in LiveEventRecording.objects.filter(session_id=session_id)}


def test_a_recording_that_takes_hours_is_found_by_polling_then_imported_whole(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=5 * HOURS)
    session = _recorded(on_zoom, acme_people, acme_course)
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
    session = _recorded(on_zoom, acme_people, acme_course)
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
    session = _recorded(on_zoom, acme_people, acme_course)
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
    session = _recorded(on_zoom, acme_people, acme_course)
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
    session = _recorded(on_zoom, acme_people, acme_course)
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
    session = _recorded(on_zoom, acme_people, acme_course)
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    envelope = json.loads(body)
    for file in envelope["payload"]["object"]["recording_files"]:
        file["download_url"] = "https://elsewhere.example/rec/download/" + file["id"]

    assert deliver_to_campus(json.dumps(envelope).encode()) == 200

    # The account's token would have gone to that host: the files are not taken from there.
    assert not LiveEventRecording.objects.exists()


def _lesson_page(session: LiveEventSession) -> str:
    lesson = session.event.lesson_component.lesson  # type: ignore[union-attr]
    return reverse("courses:lesson", args=[lesson.course_id, lesson.pk])


def _seen_by(user: User, session: LiveEventSession) -> str:
    client = Client()
    client.force_login(user)
    answer = client.get(_lesson_page(session))
    assert answer.status_code == 200
    return answer.content.decode()


def _recording_status(page: str) -> str:
    found = re.search(r"<p [^>]*data-recording-status>(.*?)</p>", page, re.S)
    return re.sub(r"<[^>]+>", "", found.group(1)).strip() if found else ""


def _72_hours_pass(session: LiveEventSession) -> None:
    """Campus's clock is 73 hours past the session's end (its start moved back instead)."""
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=74)
    )


def test_no_recording_in_72_hours_says_not_available_and_tells_course_admins_once(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=100 * HOURS)  # Zoom never makes it in time
    session = _recorded(on_zoom, acme_people, acme_course)
    run_meeting(zoomsim, session)
    zoom_recording_polls_enqueue()
    make_due_now()
    run_due_work()

    # Soon after the end, Zoom's 3301 is "not yet": tried again, and the page says when.
    sync = LiveEventRecordingSync.objects.get(session=session)
    assert sync.state == RecordingSyncState.WAITING
    assert sync.last_reason == "Zoom has no recording of this meeting"
    poll = WorkItem.objects.get(kind=POLL_KIND)
    assert poll.state == WorkState.PENDING
    assert sync.next_try_at == poll.next_attempt_at
    status = _recording_status(_seen_by(acme_people.course_assistant, session))
    assert status.startswith("Recording: next try ")
    assert status.endswith(": Zoom has no recording of this meeting")
    assert _recording_status(_seen_by(acme_people.learner, session)) == ""
    assert not mail.outbox

    _72_hours_pass(session)
    make_due_now()
    run_due_work()

    sync.refresh_from_db()
    assert sync.state == RecordingSyncState.UNAVAILABLE
    assert WorkItem.objects.get(kind=POLL_KIND).state == WorkState.DONE
    assert _recording_status(_seen_by(acme_people.course_assistant, session)) == (
        "Recording: recording not available from Zoom: Zoom has no recording of this meeting"
    )
    assert _recording_status(_seen_by(acme_people.learner, session)) == (
        "The recording of this session is not available from Zoom."
    )
    course_admins = {acme_people.course_builder.email, acme_people.course_assistant.email}
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(course_admins)
    assert all(
        message.subject.startswith("The recording of “Office hours”")
        and message.subject.endswith("is not available from Zoom")
        and "Last answer: Zoom has no recording of this meeting" in message.body
        for message in mail.outbox
    )

    # The poll run again (a redelivered work row, a worker's retry) tells nobody twice, and
    # no new poll is made.
    zoom_recording_poll(session_id=session.pk)
    assert zoom_recording_polls_enqueue() == 0
    assert len(mail.outbox) == 2
    assert LiveEventRecordingSync.objects.get(session=session).admins_told_at == sync.admins_told_at


def test_the_verdict_keeps_zooms_last_answer_in_words(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=100 * HOURS)
    session = _recorded(on_zoom, acme_people, acme_course)
    run_meeting(zoomsim, session)
    zoom_recording_polls_enqueue()
    _72_hours_pass(session)
    fault(zoomsim, path=r"^/v2/past_meetings/\d+/instances$", status=503)
    make_due_now()
    run_due_work()

    sync = LiveEventRecordingSync.objects.get(session=session)
    assert (sync.state, sync.last_reason) == (
        RecordingSyncState.UNAVAILABLE,
        "Zoom had a problem on its side",
    )
    assert len(mail.outbox) == 2
    assert "Last answer: Zoom had a problem on its side" in mail.outbox[0].body


def test_an_event_without_cloud_recording_waits_for_none_and_tells_nobody(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    session = _recorded(on_zoom, acme_people, acme_course)
    LiveEvent.objects.filter(pk=session.event_id).update(auto_record_cloud=False)
    run_meeting(zoomsim, session)
    _72_hours_pass(session)
    assert zoom_recording_polls_enqueue() == 0
    # A poll row left from before the setting changed finds nothing to do.
    zoom_recording_poll(session_id=session.pk)

    assert not LiveEventRecordingSync.objects.filter(session=session).exists()
    assert not mail.outbox
    assert "data-recording-status" not in _seen_by(acme_people.course_assistant, session)


def _part_of(page: str, number: int) -> str:
    start = page.index(f'data-recording-part="{number}"')
    end = page.find("data-recording-part=", start + 1)
    return page[start : end if end != -1 else len(page)]


def test_a_restarted_meetings_recordings_are_each_on_the_lesson_page_in_their_order(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=90)
    session = _recorded(on_zoom, acme_people, acme_course)
    first = run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 2 * HOURS)
    second = run_meeting(zoomsim, session)  # the host started it again: a second UUID
    advance_zoom_clock(zoomsim, 120)
    # The later run's notice first: the page's order is the runs' start, not arrival.
    for body in reversed(recording_completed_bodies(zoomsim)):
        deliver_to_campus(body)
    assert all(r.is_published for r in LiveEventRecording.objects.filter(session=session))
    User.objects.filter(pk=acme_people.learner.pk).update(time_zone="Asia/Tokyo")

    page = _seen_by(acme_people.learner, session)

    assert re.findall(r'data-recording-part="(\d+)"', page) == ["1", "2"]
    assert page.count('<video class="recording-player"') == 2
    tokyo = ZoneInfo("Asia/Tokyo")
    for number, run in ((1, first), (2, second)):
        files = {
            r.file_type: r
            for r in LiveEventRecording.objects.filter(
                session=session, zoom_meeting_uuid=run["uuid"]
            )
        }
        part = _part_of(page, number)
        video_url = reverse("live_events:recording_file", args=[files["MP4"].pk])
        captions = reverse("live_events:recording_file", args=[files["TRANSCRIPT"].pk])
        chat = reverse("live_events:recording_file", args=[files["CHAT"].pk])
        assert f'src="{video_url}"' in part
        assert f'<track kind="captions" label="Transcript" srclang="en" src="{captions}"' in part
        assert f'href="{chat}" download>Download the chat' in part
        assert f"<strong>Part {number}</strong>" in part
        started = files["MP4"].recording_start
        assert started is not None
        local = timezone.localtime(started, tokyo)
        assert f'datetime="{local.isoformat()}"' in part
        assert "JST" in part
    assert first["uuid"] != second["uuid"]


def test_one_run_shows_one_player_without_parts(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=60)
    session = _recorded(on_zoom, acme_people, acme_course)
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    deliver_to_campus(body)

    page = _seen_by(acme_people.learner, session)
    assert page.count('<video class="recording-player"') == 1
    assert "Part 1" not in page
    assert 'aria-label="Recording of session 1"' in page


def test_a_restarts_recording_whose_notice_never_came_is_found_by_the_poll(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=90)
    session = _recorded(on_zoom, acme_people, acme_course)
    first = run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    deliver_to_campus(body)  # the first run's recording, by its notice
    assert {r.zoom_meeting_uuid for r in LiveEventRecording.objects.all()} == {first["uuid"]}
    # The host starts the meeting again for ten minutes; its recording.completed is lost.
    advance_zoom_clock(zoomsim, 600)
    again = httpx.post(
        f"{zoomsim.base_url}/_sim/meetings/{session.zoom_meeting_id}/run",
        json={"participants": [{"guest_name": "Ada Guest"}], "duration_minutes": 10},
    )
    assert again.status_code == 201, again.text
    second = again.json()

    zoom_recording_polls_enqueue()
    make_due_now()
    run_due_work()  # the second run's recording is still processing at Zoom
    poll = WorkItem.objects.get(kind=POLL_KIND)
    assert poll.state == WorkState.PENDING
    assert LiveEventRecordingSync.objects.get(session=session).state == RecordingSyncState.FOUND

    advance_zoom_clock(zoomsim, 120)
    make_due_now()
    run_due_work()

    rows = LiveEventRecording.objects.filter(session=session)
    assert {r.zoom_meeting_uuid for r in rows} == {first["uuid"], second["uuid"]}
    assert all(r.is_published for r in rows)
    assert len(rows) == len(sim_recordings(zoomsim, session)) == 6
    assert WorkItem.objects.get(kind=POLL_KIND).state == WorkState.DONE
    page = _seen_by(acme_people.learner, session)
    assert re.findall(r'data-recording-part="(\d+)"', page) == ["1", "2"]


def _restart(zoomsim: LiveZoomsim, session: LiveEventSession) -> dict[str, object]:
    """The host starts the meeting again for ten minutes (it ends now, Zoom's time)."""
    again = httpx.post(
        f"{zoomsim.base_url}/_sim/meetings/{session.zoom_meeting_id}/run",
        json={"participants": [{"guest_name": "Ada Guest"}], "duration_minutes": 10},
    )
    assert again.status_code == 201, again.text
    run: dict[str, object] = again.json()
    return run


def test_a_restart_after_the_poll_finished_is_found_through_meeting_ended(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=90)
    session = _recorded(on_zoom, acme_people, acme_course)
    first = run_meeting(zoomsim, session)
    deliver_meeting_ended(zoomsim, str(first["uuid"]))
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    deliver_to_campus(body)
    zoom_recording_polls_enqueue()  # the periodic safety net: the same one row
    make_due_now()
    run_due_work()
    # The first run imported and the poll done: nothing is looked for any more.
    [poll] = WorkItem.objects.filter(kind=POLL_KIND)
    assert poll.state == WorkState.DONE
    assert {r.zoom_meeting_uuid for r in LiveEventRecording.objects.all()} == {first["uuid"]}

    # The host restarts the meeting; its meeting.ended comes, its recording.completed is lost.
    advance_zoom_clock(zoomsim, 600)
    second = _restart(zoomsim, session)
    deliver_meeting_ended(zoomsim, str(second["uuid"]))

    [poll] = WorkItem.objects.filter(kind=POLL_KIND)  # the same one row, armed again
    assert poll.state == WorkState.PENDING
    assert 4 * 60 < (poll.next_attempt_at - timezone.now()).total_seconds() <= 5 * 60
    assert LiveEventRecordingSync.objects.get(session=session).ended_runs == [
        first["uuid"],
        second["uuid"],
    ]

    advance_zoom_clock(zoomsim, 120)  # Zoom has made the second recording
    make_due_now()
    run_due_work()

    rows = LiveEventRecording.objects.filter(session=session)
    assert {r.zoom_meeting_uuid for r in rows} == {first["uuid"], second["uuid"]}
    assert all(r.is_published for r in rows)
    assert len(rows) == len(sim_recordings(zoomsim, session)) == 6
    assert WorkItem.objects.get(kind=POLL_KIND).state == WorkState.DONE
    assert len(recording_completed_bodies(zoomsim)) == 2  # Zoom did send it; Campus never got it
    page = _seen_by(acme_people.learner, session)
    assert re.findall(r'data-recording-part="(\d+)"', page) == ["1", "2"]


def test_a_restart_after_the_verdict_is_looked_for_again_and_tells_nobody_twice(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=100 * HOURS)  # the first run's recording never comes
    session = _recorded(on_zoom, acme_people, acme_course)
    run_meeting(zoomsim, session)
    zoom_recording_polls_enqueue()
    _72_hours_pass(session)
    make_due_now()
    run_due_work()
    assert LiveEventRecordingSync.objects.get(session=session).state == (
        RecordingSyncState.UNAVAILABLE
    )
    assert len(mail.outbox) == 2

    # Days later the host runs the meeting again, recorded this time; only meeting.ended comes.
    knobs(zoomsim, recording_delay=90)
    second = _restart(zoomsim, session)
    deliver_meeting_ended(zoomsim, str(second["uuid"]))
    sync = LiveEventRecordingSync.objects.get(session=session)
    assert (sync.state, sync.last_reason) == (
        RecordingSyncState.WAITING,
        "The meeting ran again; looking for the recording of that run",
    )
    assert _recording_status(_seen_by(acme_people.course_assistant, session)) == (
        "Recording: The meeting ran again; looking for the recording of that run"
    )

    advance_zoom_clock(zoomsim, 120)
    make_due_now()
    run_due_work()

    rows = LiveEventRecording.objects.filter(session=session)
    assert {r.zoom_meeting_uuid for r in rows} == {second["uuid"]}
    assert all(r.is_published for r in rows)
    assert LiveEventRecordingSync.objects.get(session=session).state == RecordingSyncState.FOUND
    assert len(mail.outbox) == 2  # the Course Admins were told once, not again
    assert WorkItem.objects.filter(kind=POLL_KIND).count() == 1


def test_a_run_held_before_the_scheduled_time_is_waited_on_hours_apart_not_every_5_minutes(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    knobs(zoomsim, recording_delay=100 * HOURS)
    session = _recorded(on_zoom, acme_people, acme_course)
    # The host tries the meeting out two days early (the session stays scheduled in two days).
    early = _restart(zoomsim, session)
    deliver_meeting_ended(zoomsim, str(early["uuid"]))
    # Eight hours after that run (its end moved back rather than the clocks forward).
    LiveEventRecordingSync.objects.filter(session=session).update(
        last_ended_at=timezone.now() - timedelta(hours=8)
    )
    make_due_now()
    run_due_work()

    poll = WorkItem.objects.get(kind=POLL_KIND)
    assert poll.state == WorkState.PENDING
    wait = (poll.next_attempt_at - timezone.now()).total_seconds()
    assert 1.9 * HOURS < wait < 2 * HOURS + 60  # a quarter of the 8 hours since that run ended
