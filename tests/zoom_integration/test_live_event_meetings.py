"""Live events against the live zoomsim over HTTP: every option lands in the meeting's settings,
time zones across a daylight-saving change, reschedules and removals reach Zoom, a lost create
answer leaves exactly one meeting, an outage ends with every session created once, an edit that
changes nothing sends nothing, and a 429 moves the work to Zoom's time."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from courses.models import Course
from live_events.inputs import EventOptions, SessionInput
from live_events.models import HostMeetingWrites, LiveEventSession, ZoomMeetingState
from live_events.services import (
    live_event_create,
    live_event_remove,
    live_event_session_remove,
    live_event_update,
)
from organizations.models import Organization
from tests.django_conftest import People, first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import (
    COHOST,
    event_input,
    fault,
    faults_clear,
    host_writes_counted,
    in_days,
    make_due_now,
    run_due_work,
    same_sessions,
    sim_meeting,
    sim_meetings,
    zoom_loses_create_answers,
)
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem, WorkState
from zoom_integration.services.meetings import MEETING_SYNC_KIND

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_zoom(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> Organization:
    connect_acme_account(acme, acme_people.org_admin)
    return acme


def sessions_of(event_id: int) -> list[LiveEventSession]:
    return list(LiveEventSession.objects.filter(event_id=event_id).order_by("starts_at", "id"))


def test_every_option_lands_in_the_meetings_zoom_settings(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    all_on = EventOptions(
        auto_record_cloud=True,
        auto_upload_recording=True,
        participant_video=True,
        mute_upon_entry=True,
        zoom_notification_emails=True,
    )
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(options=all_on, alternative_hosts=(COHOST,)),
    )
    assert [s.zoom_state for s in sessions_of(event.pk)] == [ZoomMeetingState.WAITING] * 2

    run_due_work()

    for session in sessions_of(event.pk):
        meeting = sim_meeting(zoomsim, session)
        assert session.zoom_state == ZoomMeetingState.SCHEDULED
        assert session.zoom_join_url.startswith(f"{zoomsim.base_url}/j/{meeting['id']}")
        assert meeting["host_id"] == "acme-host"
        assert meeting["type"] == 2
        assert meeting["topic"] == "Office hours"
        assert meeting["agenda"].startswith("Bring questions.")
        assert session.zoom_marker
        assert session.zoom_marker in meeting["agenda"]
        settings = meeting["settings"]
        assert settings["approval_type"] == 0  # registration on, approved automatically
        assert settings["registration_type"] == 1
        assert settings["auto_recording"] == "cloud"
        assert settings["participant_video"] is True
        assert settings["mute_upon_entry"] is True
        for notification in (
            "registrants_confirmation_email",
            "registrants_email_notification",
            "email_notification",
            "alternative_hosts_email_notification",
        ):
            assert settings[notification] is True, notification
        assert settings["alternative_hosts"] == COHOST


def test_options_off_are_sent_off_rather_than_left_to_zoom_defaults(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(),
    )
    run_due_work()
    settings = sim_meeting(zoomsim, sessions_of(event.pk)[0])["settings"]
    assert settings["auto_recording"] == "none"
    assert settings["participant_video"] is False
    assert settings["mute_upon_entry"] is False
    # Zoom's default is to send them; the builder left "Send Notification Emails" unchecked.
    assert settings["registrants_confirmation_email"] is False
    assert settings["email_notification"] is False


def test_start_times_across_a_daylight_saving_change_keep_their_wall_clock_time(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    # New York moves from EST (UTC-5) to EDT (UTC-4) on 14 March 2027.
    sessions = tuple(
        SessionInput(
            starts_at=datetime(2027, 3, day, 10, 0),
            time_zone="America/New_York",
            duration_minutes=60,
        )
        for day in (13, 15)
    )
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(sessions=sessions),
    )
    run_due_work()

    before, after = sessions_of(event.pk)
    assert before.starts_at == datetime(2027, 3, 13, 15, 0, tzinfo=UTC)
    assert after.starts_at == datetime(2027, 3, 15, 14, 0, tzinfo=UTC)
    for session in (before, after):
        meeting = sim_meeting(zoomsim, session)
        assert meeting["start_time"] == session.starts_at.timestamp()
        assert meeting["timezone"] == "America/New_York"


def test_a_reschedule_patches_the_same_meeting_with_only_what_changed(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    data = event_input()
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=data,
    )
    run_due_work()
    first, second = sessions_of(event.pk)
    meeting_ids = (first.zoom_meeting_id, second.zoom_meeting_id)
    writes_before = host_writes_counted(zoomsim)

    edited = same_sessions(event, data)
    moved = replace(edited.sessions[0], starts_at=in_days(4), time_zone="Asia/Tokyo")
    live_event_update(
        organization=on_zoom,
        actor=acme_people.course_builder,
        event=event,
        data=replace(edited, sessions=(moved, edited.sessions[1])),
    )
    run_due_work()

    first.refresh_from_db()
    meeting = sim_meeting(zoomsim, first)
    assert (first.zoom_meeting_id, second.zoom_meeting_id) == meeting_ids  # links keep working
    assert meeting["start_time"] == first.starts_at.timestamp()
    assert meeting["timezone"] == "Asia/Tokyo"
    assert host_writes_counted(zoomsim) == writes_before + 1  # one PATCH, the moved session only
    assert len(sim_meetings(zoomsim)) == 2


def test_an_edit_that_changes_nothing_zoom_sees_sends_nothing(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    data = event_input()
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=data,
    )
    run_due_work()
    writes_before = host_writes_counted(zoomsim)
    assert writes_before == 2  # the two creates

    live_event_update(
        organization=on_zoom,
        actor=acme_people.course_builder,
        event=event,
        data=same_sessions(event, data),
    )
    assert run_due_work() == []  # no work at all
    # Even when the work runs (a sweeper, a webhook), it finds nothing to send.
    session = sessions_of(event.pk)[0]
    from zoom_integration.services.meetings import meeting_sync_enqueue

    meeting_sync_enqueue(session=session)
    assert [item.kind for item in run_due_work()] == [MEETING_SYNC_KIND]
    assert host_writes_counted(zoomsim) == writes_before  # zoomsim saw no PATCH


def test_removing_a_session_and_then_the_event_deletes_their_meetings_at_zoom(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(),
    )
    run_due_work()
    first, second = sessions_of(event.pk)

    live_event_session_remove(organization=on_zoom, session=first, notify_registrants=True)
    run_due_work()
    gone = sim_meeting(zoomsim, first)
    assert gone["deleted"] is True
    assert gone["tracking"]["deleted_with"]["cancel_meeting_reminder"] is True  # Zoom's email
    assert sim_meeting(zoomsim, second)["deleted"] is False

    live_event_remove(organization=on_zoom, event=event, notify_registrants=False)
    run_due_work()
    gone = sim_meeting(zoomsim, second)
    assert gone["deleted"] is True
    assert gone["tracking"]["deleted_with"]["cancel_meeting_reminder"] is False
    assert {s.zoom_state for s in sessions_of(event.pk)} == {ZoomMeetingState.REMOVED}


def test_a_create_whose_answer_was_lost_ends_with_exactly_one_meeting(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    zoom_loses_create_answers(zoomsim)
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(sessions=event_input().sessions[:1]),
    )
    run_due_work()
    (session,) = sessions_of(event.pk)
    assert session.zoom_meeting_id is None  # the answer never came
    assert session.zoom_state == ZoomMeetingState.WAITING
    assert "could not be reached" in session.zoom_problem
    assert len(sim_meetings(zoomsim)) == 1  # but Zoom made the meeting

    make_due_now()  # the backoff has passed
    run_due_work()

    (meeting,) = sim_meetings(zoomsim)
    session.refresh_from_db()
    assert session.zoom_meeting_id == meeting["id"]  # adopted, by its marker
    assert session.zoom_state == ZoomMeetingState.SCHEDULED
    assert host_writes_counted(zoomsim) == 1  # no second create, and no PATCH either


def test_zoom_down_for_a_while_then_back_every_session_is_created_once(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    sessions = tuple(
        SessionInput(starts_at=in_days(day), time_zone="UTC", duration_minutes=45)
        for day in (2, 3, 4)
    )
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(sessions=sessions),
    )
    # Zoom goes down after the builder saved (the host was checked): the work meets the outage.
    fault(zoomsim, path="^/v2/", status=503, code=503, message="Service Unavailable", count=-1)
    for _outage_round in range(2):
        run_due_work()
        make_due_now()
    assert {s.zoom_state for s in sessions_of(event.pk)} == {ZoomMeetingState.WAITING}
    assert all("problem on its side" in s.zoom_problem for s in sessions_of(event.pk))
    assert sim_meetings(zoomsim) == []

    faults_clear(zoomsim)
    make_due_now()
    run_due_work()

    meetings = sim_meetings(zoomsim)
    assert len(meetings) == 3
    assert sorted(m["id"] for m in meetings) == sorted(
        s.zoom_meeting_id for s in sessions_of(event.pk)
    )
    assert {s.zoom_state for s in sessions_of(event.pk)} == {ZoomMeetingState.SCHEDULED}
    assert WorkItem.objects.filter(state=WorkState.DONE, kind=MEETING_SYNC_KIND).count() == 3


def test_a_429_on_create_moves_the_work_to_the_time_zoom_names(
    zoomsim: LiveZoomsim, on_zoom: Organization, acme_people: People, acme_course: Course
) -> None:
    fault(
        zoomsim,
        path="^/v2/users/[^/]+/meetings$",
        method="POST",
        status=429,
        code=429,
        message="You have reached the maximum daily rate limit for this API.",
        retry_after="2030-01-02T00:00:00Z",
    )
    event = live_event_create(
        organization=on_zoom,
        actor=acme_people.course_builder,
        lesson=first_lesson(acme_course),
        data=event_input(sessions=event_input().sessions[:1]),
    )
    run_due_work()

    item = WorkItem.objects.get(kind=MEETING_SYNC_KIND)
    assert item.state == WorkState.PENDING
    assert item.attempts == 0  # not a failure
    assert item.next_attempt_at == datetime(2030, 1, 2, tzinfo=UTC)
    (session,) = sessions_of(event.pk)
    assert session.zoom_state == ZoomMeetingState.WAITING
    assert "limit" in session.zoom_problem
    # Zoom did not count a refused create, so neither does Campus's budget.
    assert HostMeetingWrites.objects.get(host_zoom_user_id="acme-host").count == 0
