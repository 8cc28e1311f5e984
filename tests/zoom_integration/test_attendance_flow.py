"""Attendance after a meeting, against zoomsim over HTTP with a report delay above zero (as on
Zoom): meetings run through zoomsim's control API, `meeting.ended` delivered as Zoom signs it,
the fetch run as durable work, and the result compared with zoomsim's ground truth."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import Course
from live_events.attendance_models import (
    AttendanceInstance,
    AttendanceRecord,
    AttendanceSegment,
    AttendanceSync,
    AttendanceSyncState,
    ParticipantMapping,
)
from live_events.attendance_selectors import (
    AttendanceRow,
    attendance_for_event,
    attendance_for_session,
    attendance_of_learner,
    attendance_sync_status,
    attendance_unmatched,
)
from live_events.attendance_services import (
    FetchAlreadyRunning,
    attendance_fetch_now,
    attendance_participant_map,
)
from live_events.models import LiveEvent, LiveEventSession
from organizations.models import Organization, User
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.attendance_scenes import (
    advance_zoom_clock,
    deliver_meeting_ended,
    fetch_item,
    ground_truth_segments,
    learner,
    next_try_comes,
    registered,
    run_meeting,
    set_knobs,
    work_everything,
    zoom_event,
)
from work.models import WorkState
from zoom_integration.models import ZoomAccount
from zoom_integration.services.attendance import zoom_attendance_poll

Connect = Callable[..., ZoomAccount]
REPORT_DELAY = 120  # seconds, as Zoom takes minutes to have a report


@pytest.fixture
def connected(
    acme: Organization, acme_people: People, connect_acme_account: Connect, zoomsim: LiveZoomsim
) -> ZoomAccount:
    account = connect_acme_account(acme, acme_people.org_admin)
    set_knobs(zoomsim, report_delay=REPORT_DELAY)
    return account


@pytest.fixture
def event(
    connected: ZoomAccount, acme: Organization, acme_people: People, acme_course: Course
) -> LiveEvent:
    return zoom_event(acme, acme_people.course_builder, acme_course, sessions=2)


def _sessions(event: LiveEvent) -> list[LiveEventSession]:
    return list(event.sessions.order_by("starts_at"))


def _report_becomes_ready(zoomsim: LiveZoomsim, session: LiveEventSession) -> None:
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    next_try_comes(session)


def _status(acme: Organization, session: LiveEventSession) -> str:
    return attendance_sync_status(organization=acme, session_id=session.pk, time_zone="UTC")


def _by_learner(acme: Organization, session: LiveEventSession) -> dict[User | None, AttendanceRow]:
    """The session's matched learners' attendance rows, by learner."""
    return {
        row.learner: row for row in attendance_for_session(organization=acme, session_id=session.pk)
    }


def _map(
    acme: Organization,
    people: People,
    session: LiveEventSession,
    identity_key: str,
    learner_id: int,
) -> int:
    """The Course Admin maps an unmatched participant of the session to a learner."""
    return attendance_participant_map(
        organization=acme,
        actor=people.course_assistant,
        session_id=session.pk,
        identity_key=identity_key,
        learner_id=learner_id,
    )


def test_rejoins_merge_into_one_row_with_overlaps_counted_once_and_not_ready_is_retried(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    bob = learner(acme, acme_course, "bob@acme.example", "Bob", "Byte")
    ada_id, bob_id = registered(acme, session, ada), registered(acme, session, bob)
    instance = run_meeting(
        zoomsim,
        session,
        [
            # Ada drops out for 10 minutes and comes back: two segments, 50 minutes present.
            {"registrant_id": ada_id, "segments": [[0, 20], [30, 60]]},
            {"registrant_id": bob_id, "segments": [[5, 15]]},
        ],
    )

    deliver_meeting_ended(zoomsim, instance["uuid"])

    # The report is not ready yet: retried, never read as "no one came".
    sync = AttendanceSync.objects.get(session=session)
    assert sync.state == AttendanceSyncState.RETRYING
    assert sync.last_reason == "Zoom has no report yet"
    assert not AttendanceRecord.objects.filter(session=session).exists()
    assert _status(acme, session).startswith("next try ")
    assert _status(acme, session).endswith(": Zoom has no report yet")
    assert fetch_item(session).state == WorkState.PENDING

    _report_becomes_ready(zoomsim, session)

    rows = _by_learner(acme, session)
    assert rows[ada].duration_seconds == 50 * 60
    assert rows[bob].duration_seconds == 10 * 60
    assert rows[ada].attended
    assert rows[bob].attended
    own = attendance_of_learner(organization=acme, learner=ada, event_id=event.pk)
    assert [(record.session_id, record.duration_seconds) for record in own] == [(session.pk, 3000)]
    truth = ground_truth_segments(zoomsim, instance["uuid"])
    assert len(rows[ada].segments) == sum(1 for s in truth if s["registrant_id"] == ada_id) == 2
    assert AttendanceSegment.objects.filter(instance__session=session).count() == len(truth)
    status = _status(acme, session)
    assert status.startswith("attendance fetched ")
    assert "after the meeting ended" in status
    assert fetch_item(session).state == WorkState.DONE

    # Fetching again, report and all, changes nothing.
    before = list(AttendanceRecord.objects.filter(session=session).values())
    AttendanceInstance.objects.filter(session=session).update(fetched_at=None)
    attendance_fetch_now(organization=acme, session_id=session.pk)
    work_everything()
    assert not AttendanceInstance.objects.filter(session=session, fetched_at=None).exists()
    after = list(AttendanceRecord.objects.filter(session=session).values())
    assert [{k: v for k, v in r.items() if k != "updated_at"} for r in after] == [
        {k: v for k, v in r.items() if k != "updated_at"} for r in before
    ]


def test_two_learners_with_the_same_display_name_stay_apart(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    one = learner(acme, acme_course, "sam.one@acme.example", "Sam", "Lee")
    two = learner(acme, acme_course, "sam.two@acme.example", "Sam", "Lee")
    first, second = registered(acme, session, one), registered(acme, session, two)
    instance = run_meeting(
        zoomsim,
        session,
        [
            {"registrant_id": first, "segments": [[0, 40]]},
            {"registrant_id": second, "segments": [[10, 20]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    _report_becomes_ready(zoomsim, session)

    rows = _by_learner(acme, session)
    assert rows[one].duration_seconds == 40 * 60
    assert rows[two].duration_seconds == 10 * 60
    assert not attendance_unmatched(organization=acme, session_id=session.pk)


def test_a_signed_in_zoom_user_matches_a_learner_by_email_in_any_case(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    # Cora is a user of the Zoom account (seed: acme-cohost, cohost@acme.test) and a learner.
    cora = learner(acme, acme_course, "cohost@acme.test", "Cora", "Cohost")
    User.objects.filter(pk=cora.pk).update(email="Cohost@ACME.test")  # as typed long ago
    instance = run_meeting(
        zoomsim,
        session,
        [
            {"registrant_id": registered(acme, session, ada)},
            {"user_id": "acme-cohost", "segments": [[0, 30], [40, 50]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    _report_becomes_ready(zoomsim, session)

    rows = _by_learner(acme, session)
    assert rows[cora].duration_seconds == 40 * 60
    assert not attendance_unmatched(organization=acme, session_id=session.pk)


def test_a_guest_matches_nobody_until_mapped_and_the_mapping_holds_for_the_next_session(
    event: LiveEvent,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
) -> None:
    first, second = _sessions(event)
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    ada_id = registered(acme, first, ada)
    # Ada's sister joins as a guest typing Ada's name: a display name alone matches nobody.
    # Grace, unregistered, signs in with the front desk's Zoom account (Basil Basic's): a Zoom
    # identity, but not one of a learner.
    instance = run_meeting(
        zoomsim,
        first,
        [
            {"registrant_id": ada_id, "segments": [[0, 30]]},
            {"guest_name": "Ada Lovelace", "segments": [[0, 45]]},
            {"user_id": "acme-basic", "segments": [[0, 60]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    _report_becomes_ready(zoomsim, first)

    unmatched = attendance_unmatched(organization=acme, session_id=first.pk)
    assert sorted(u.name for u in unmatched) == ["Ada Lovelace", "Basil Basic"]
    grace = next(u for u in unmatched if u.name == "Basil Basic")
    assert grace.identity_key == "zoom-user:acme-basic"
    assert [
        row.learner for row in attendance_for_session(organization=acme, session_id=first.pk)
    ] == [ada]

    # Mapping refuses what it should, changing nothing.
    with pytest.raises(ValidationError):
        attendance_participant_map(
            organization=acme,
            actor=acme_people.course_assistant,
            session_id=first.pk,
            identity_key=grace.identity_key,
            learner_id=acme_people.course_builder.pk,  # not enrolled in the course
        )
    assert len(attendance_unmatched(organization=acme, session_id=first.pk)) == 2

    grace_learner = learner(acme, acme_course, "grace@acme.example", "Grace", "Hopper")
    changed = _map(acme, acme_people, first, grace.identity_key, grace_learner.pk)
    assert changed == 1
    rows = _by_learner(acme, first)
    assert rows[grace_learner].duration_seconds == 60 * 60
    assert [u.name for u in attendance_unmatched(organization=acme, session_id=first.pk)] == [
        "Ada Lovelace"
    ]

    # The next session: Grace joins from the front desk's account again, unregistered, and is
    # Grace at once: the mapping of a Zoom identity holds for the course's later sessions.
    bob = learner(acme, acme_course, "bob@acme.example", "Bob", "Byte")
    bob_id = registered(acme, second, bob)
    again = run_meeting(
        zoomsim,
        second,
        [
            {"registrant_id": bob_id, "segments": [[0, 60]]},
            {"user_id": "acme-basic", "segments": [[15, 30]]},
        ],
    )
    deliver_meeting_ended(zoomsim, again["uuid"])
    _report_becomes_ready(zoomsim, second)
    rows = _by_learner(acme, second)
    assert rows[grace_learner].duration_seconds == 15 * 60
    assert not attendance_unmatched(organization=acme, session_id=second.pk)
    whole = attendance_for_event(organization=acme, event_id=event.pk)
    assert {(row.session_id, row.learner) for row in whole} == {
        (first.pk, ada),
        (first.pk, grace_learner),
        (second.pk, bob),
        (second.pk, grace_learner),
    }


def test_a_guest_known_only_by_a_typed_name_is_mapped_for_that_session_only(
    event: LiveEvent,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
) -> None:
    first, second = _sessions(event)
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    sam = learner(acme, acme_course, "sam.sato@acme.example", "Sam", "Sato")
    # Sam Sato never registers; in session 1 he joins as a guest typing "Sam".
    instance = run_meeting(
        zoomsim,
        first,
        [
            {"registrant_id": registered(acme, first, ada)},
            {"guest_name": "Sam", "segments": [[0, 45]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    _report_becomes_ready(zoomsim, first)
    [guest] = attendance_unmatched(organization=acme, session_id=first.pk)
    assert (guest.identity_key, guest.lasting) == ("name:Sam", False)

    changed = _map(acme, acme_people, first, guest.identity_key, sam.pk)

    assert changed == 1
    rows = _by_learner(acme, first)
    assert rows[sam].duration_seconds == 45 * 60
    mapping = ParticipantMapping.objects.get()
    assert (mapping.session_id, mapping.identity_key) == (first.pk, "name:Sam")
    assert mapping.learner == sam

    # Session 2: someone else types "Sam". Nothing says it is Sam Sato: unmatched, and Sam Sato
    # has no attendance in a session he never came to.
    bob = learner(acme, acme_course, "bob@acme.example", "Bob", "Byte")
    again = run_meeting(
        zoomsim,
        second,
        [
            {"registrant_id": registered(acme, second, bob)},
            {"guest_name": "Sam", "segments": [[10, 20]]},
        ],
    )
    deliver_meeting_ended(zoomsim, again["uuid"])
    _report_becomes_ready(zoomsim, second)

    assert [
        row.learner for row in attendance_for_session(organization=acme, session_id=second.pk)
    ] == [bob]
    [stranger] = attendance_unmatched(organization=acme, session_id=second.pk)
    assert (stranger.name, stranger.duration_seconds) == ("Sam", 10 * 60)
    whole = attendance_for_event(organization=acme, event_id=event.pk)
    assert {(row.session_id, row.learner) for row in whole} == {
        (first.pk, ada),
        (first.pk, sam),
        (second.pk, bob),
    }
    # Recounting session 1 (a re-fetch) keeps its mapping.
    AttendanceInstance.objects.filter(session=first).update(fetched_at=None)
    attendance_fetch_now(organization=acme, session_id=first.pk)
    work_everything()
    assert sam in {
        row.learner for row in attendance_for_session(organization=acme, session_id=first.pk)
    }


def test_guests_of_one_typed_name_at_the_same_time_are_listed_apart_and_a_rejoin_stays_one(
    event: LiveEvent,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    instance = run_meeting(
        zoomsim,
        session,
        [
            {"registrant_id": registered(acme, session, ada)},
            # Three guests type "Sam"; at most two are in the meeting at once: two people.
            {"guest_name": "Sam", "segments": [[0, 30]]},
            {"guest_name": "Sam", "segments": [[10, 60]]},
            {"guest_name": "Sam", "segments": [[35, 45]]},
            # Kim drops out and rejoins: one person.
            {"guest_name": "Kim", "segments": [[0, 10], [20, 30]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    _report_becomes_ready(zoomsim, session)

    unmatched = attendance_unmatched(organization=acme, session_id=session.pk)
    assert [(u.label, u.duration_seconds) for u in unmatched] == [
        ("Kim", 20 * 60),
        ("Sam", (30 + 10) * 60),  # the first Sam, and the one who came after they left
        ("Sam (2)", 50 * 60),
    ]
    assert len({u.identity_key for u in unmatched}) == 3

    # Mapping the second Sam maps that one only.
    second_sam = unmatched[2]
    _map(acme, acme_people, session, second_sam.identity_key, ada.pk)
    rows = attendance_for_session(organization=acme, session_id=session.pk)
    assert [(row.learner, row.duration_seconds) for row in rows] == [(ada, 60 * 60)]
    assert [
        (u.label, u.duration_seconds)
        for u in attendance_unmatched(organization=acme, session_id=session.pk)
    ] == [("Kim", 20 * 60), ("Sam", 40 * 60)]


def test_fetched_after_a_restart_counts_from_the_end_of_the_latest_run(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    people = [{"registrant_id": registered(acme, session, ada)}, {"guest_name": "Visitor"}]
    first = run_meeting(
        zoomsim,
        session,
        people,
        duration_minutes=30,
        start_time=(timezone.now() - timedelta(hours=3)).isoformat(),
    )
    deliver_meeting_ended(zoomsim, first["uuid"])
    _report_becomes_ready(zoomsim, session)
    assert "after the meeting ended" in _status(acme, session)

    second = run_meeting(zoomsim, session, people, duration_minutes=30)  # restarted, ends now
    deliver_meeting_ended(zoomsim, second["uuid"])
    _report_becomes_ready(zoomsim, session)

    status = _status(acme, session)
    after = re.search(r"\((\d+) (s|min|h) after the meeting ended\)$", status)
    assert after is not None, status
    # Minutes after the restart's end (zoomsim's clock runs a little ahead), not the 2 h
    # since the first run ended.
    assert after.group(2) in ("s", "min"), status
    assert after.group(2) == "s" or int(after.group(1)) <= 5, status


def test_a_new_run_starts_the_retry_backoff_again(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    people = [{"registrant_id": registered(acme, session, ada)}, {"guest_name": "Visitor"}]
    first = run_meeting(zoomsim, session, people, duration_minutes=30)
    deliver_meeting_ended(zoomsim, first["uuid"])
    for _try in range(3):  # Zoom takes a while: tried four times before the report is there
        next_try_comes(session)
    _report_becomes_ready(zoomsim, session)
    sync = AttendanceSync.objects.get(session=session)
    assert sync.state == AttendanceSyncState.FETCHED
    assert sync.attempts == 5, sync.attempts

    def first_wait() -> timedelta:
        sync = AttendanceSync.objects.get(session=session)
        assert sync.state == AttendanceSyncState.RETRYING, sync.state
        assert sync.next_try_at is not None
        return sync.next_try_at - sync.updated_at

    # The host restarts the meeting; Zoom's report of it comes 30 s after its end. The wait
    # before the next try is the first step again (1 min), whatever the first run's tries were.
    set_knobs(zoomsim, report_delay=30)
    advance_zoom_clock(zoomsim, 30 * 60)
    second = run_meeting(zoomsim, session, people, duration_minutes=20)
    deliver_meeting_ended(zoomsim, second["uuid"])
    assert timedelta(seconds=55) <= first_wait() <= timedelta(seconds=65)
    advance_zoom_clock(zoomsim, 30)
    next_try_comes(session)
    assert AttendanceSync.objects.get(session=session).state == AttendanceSyncState.FETCHED

    # A third run whose meeting.ended is lost, found in Zoom's list of instances by Fetch now:
    # the backoff starts again too.
    advance_zoom_clock(zoomsim, 30 * 60)
    run_meeting(zoomsim, session, people, duration_minutes=10)
    attendance_fetch_now(organization=acme, session_id=session.pk)
    work_everything()
    assert session.attendance_instances.count() == 3
    assert timedelta(seconds=55) <= first_wait() <= timedelta(seconds=65)


def test_a_restarted_meeting_counts_both_instances_and_a_late_one_is_picked_up(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    bob = learner(acme, acme_course, "bob@acme.example", "Bob", "Byte")
    ada_id, bob_id = registered(acme, session, ada), registered(acme, session, bob)
    start = timezone.now() - timedelta(hours=3)
    first = run_meeting(
        zoomsim,
        session,
        [{"registrant_id": ada_id, "segments": [[0, 20]]}, {"registrant_id": bob_id}],
        duration_minutes=30,
        start_time=start.isoformat(),
    )
    deliver_meeting_ended(zoomsim, first["uuid"])
    _report_becomes_ready(zoomsim, session)
    assert AttendanceSync.objects.get(session=session).state == AttendanceSyncState.FETCHED

    # The host restarts the meeting later: a second instance, a second UUID.
    second = run_meeting(
        zoomsim,
        session,
        [{"registrant_id": ada_id, "segments": [[0, 25]]}, {"registrant_id": bob_id}],
        duration_minutes=40,
    )
    assert second["uuid"] != first["uuid"]
    deliver_meeting_ended(zoomsim, second["uuid"])
    _report_becomes_ready(zoomsim, session)

    rows = _by_learner(acme, session)
    assert rows[ada].duration_seconds == (20 + 25) * 60
    assert rows[bob].duration_seconds == (30 + 40) * 60
    assert {s[0] for s in rows[ada].segments} == {first["uuid"], second["uuid"]}
    assert session.attendance_instances.filter(fetched_at__isnull=False).count() == 2


def test_a_late_instance_whose_webhook_never_came_is_found_by_the_late_check(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    ada_id = registered(acme, session, ada)
    people = [{"registrant_id": ada_id}, {"guest_name": "Visitor"}]
    first = run_meeting(
        zoomsim, session, people, start_time=(timezone.now() - timedelta(hours=3)).isoformat()
    )
    deliver_meeting_ended(zoomsim, first["uuid"])
    _report_becomes_ready(zoomsim, session)
    assert (
        attendance_for_session(organization=acme, session_id=session.pk)[0].duration_seconds == 3600
    )
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=4)
    )
    assert zoom_attendance_poll() == 0  # complete, and the late check is an hour away

    run_meeting(zoomsim, session, people)  # restarted; its meeting.ended is lost
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    # An hour passes on Campus's clock.
    AttendanceSync.objects.filter(session=session).update(
        last_fetched_at=timezone.now() - timedelta(hours=1),
        late_check_at=timezone.now() - timedelta(seconds=1),
    )
    assert zoom_attendance_poll() == 1
    work_everything()

    assert session.attendance_instances.filter(fetched_at__isnull=False).count() == 2
    assert (
        attendance_for_session(organization=acme, session_id=session.pk)[0].duration_seconds == 7200
    )
    assert zoom_attendance_poll() == 0  # one late check only


def test_a_missed_webhook_is_caught_by_the_poll_through_the_instances_list(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    ada_id = registered(acme, session, ada)
    people = [{"registrant_id": ada_id}, {"guest_name": "Visitor"}]
    earlier = (timezone.now() - timedelta(hours=3)).isoformat()
    run_meeting(zoomsim, session, people, start_time=earlier)
    run_meeting(zoomsim, session, people)
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    # No webhook arrives; the session's scheduled end passed.
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(hours=2)
    )

    assert zoom_attendance_poll() == 1
    work_everything()

    assert session.attendance_instances.filter(fetched_at__isnull=False).count() == 2
    rows = attendance_for_session(organization=acme, session_id=session.pk)
    assert [row.duration_seconds for row in rows] == [2 * 60 * 60]
    assert zoom_attendance_poll() == 0  # complete: nothing to do until the late check


def test_a_report_of_more_than_one_page_is_read_whole(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    # No webhooks: hundreds of joined/left deliveries would keep zoomsim busy; the fetch
    # finds the run through Zoom's list of instances instead.
    set_knobs(zoomsim, webhooks=False)
    # 151 guests who each rejoin once: 302 segments, two pages of Zoom's at most 300.
    guests = [{"guest_name": f"Guest {n:03}", "segments": [[0, 10], [20, 30]]} for n in range(151)]
    run_meeting(zoomsim, session, guests)
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    attendance_fetch_now(organization=acme, session_id=session.pk)
    work_everything()

    assert AttendanceSegment.objects.filter(instance__session=session).count() == 302
    unmatched = attendance_unmatched(organization=acme, session_id=session.pk)
    assert len(unmatched) == 151
    assert {row.duration_seconds for row in unmatched} == {20 * 60}


def _fault(zoomsim: LiveZoomsim, **rule: object) -> None:
    response = httpx.post(f"{zoomsim.base_url}/_sim/faults", json=rule)
    assert response.status_code == 201, response.text


def test_zoom_errors_and_a_429_are_retried_with_the_reason_in_words(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    instance = run_meeting(
        zoomsim, session, [{"registrant_id": registered(acme, session, ada)}, {"guest_name": "V"}]
    )
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    _fault(zoomsim, path="/report/meetings/", status=500)

    deliver_meeting_ended(zoomsim, instance["uuid"])

    assert AttendanceSync.objects.get(session=session).last_reason == (
        "Zoom had a problem on its side"
    )
    _fault(zoomsim, path="/report/meetings/", status=429, code=429, retry_after="120")
    next_try_comes(session)

    sync = AttendanceSync.objects.get(session=session)
    assert sync.last_reason == "Zoom's rate limit was reached; Campus waits until it resets"
    item = fetch_item(session)
    assert item.state == WorkState.PENDING
    assert sync.next_try_at == item.next_attempt_at  # Zoom's time, not a backoff step
    assert not AttendanceRecord.objects.filter(session=session).exists()

    next_try_comes(session)

    assert AttendanceSync.objects.get(session=session).state == AttendanceSyncState.FETCHED
    rows = attendance_for_session(organization=acme, session_id=session.pk)
    assert [(row.learner, row.duration_seconds) for row in rows] == [(ada, 3600)]


def test_a_slash_uuid_is_fetched(
    connected: ZoomAccount,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
) -> None:
    set_knobs(zoomsim, slashy_uuids=True)  # before the meeting is made: its UUIDs hold slashes
    event = zoom_event(acme, acme_people.course_builder, acme_course)
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    ada_id = registered(acme, session, ada)
    instance = run_meeting(zoomsim, session, [{"registrant_id": ada_id}, {"guest_name": "Visitor"}])
    assert instance["uuid"].startswith("/") or "//" in instance["uuid"]

    deliver_meeting_ended(zoomsim, instance["uuid"])
    _report_becomes_ready(zoomsim, session)

    rows = attendance_for_session(organization=acme, session_id=session.pk)
    assert [(row.learner, row.duration_seconds) for row in rows] == [(ada, 3600)]


def test_a_report_not_ready_for_an_hour_is_retried_with_growing_waits_then_fetched(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    set_knobs(zoomsim, report_delay=3600)
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    ada_id = registered(acme, session, ada)
    instance = run_meeting(zoomsim, session, [{"registrant_id": ada_id}, {"guest_name": "V"}])
    deliver_meeting_ended(zoomsim, instance["uuid"])

    waits = []
    for _minutes in range(4):
        sync = AttendanceSync.objects.get(session=session)
        assert sync.state == AttendanceSyncState.RETRYING
        assert sync.last_reason == "Zoom has no report yet"
        assert sync.next_try_at is not None
        waits.append(sync.next_try_at - sync.updated_at)
        advance_zoom_clock(zoomsim, 600)
        next_try_comes(session)
    assert waits == sorted(waits)  # minutes apart, growing
    assert waits[-1] > waits[0]
    assert not AttendanceRecord.objects.filter(session=session).exists()

    advance_zoom_clock(zoomsim, 3600)
    next_try_comes(session)

    assert AttendanceSync.objects.get(session=session).state == AttendanceSyncState.FETCHED
    assert len(attendance_for_session(organization=acme, session_id=session.pk)) == 1


def test_a_guest_alone_with_the_host_is_a_complete_report_in_which_no_learner_attended(
    event: LiveEvent,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    registered(acme, session, ada)  # registered, did not come
    # Nobody who matches a learner: the host (a Zoom user of the account, not in the course)
    # and a guest who typed a name.
    instance = run_meeting(
        zoomsim,
        session,
        [
            {"user_id": "acme-host", "segments": [[0, 60]]},
            {"guest_name": "Visitor", "segments": [[5, 20], [25, 50]]},
        ],
    )
    deliver_meeting_ended(zoomsim, instance["uuid"])
    assert AttendanceSync.objects.get(session=session).last_reason == "Zoom has no report yet"

    _report_becomes_ready(zoomsim, session)

    sync = AttendanceSync.objects.get(session=session)
    assert sync.state == AttendanceSyncState.FETCHED
    assert _status(acme, session).startswith("attendance fetched ")
    assert fetch_item(session).state == WorkState.DONE
    assert attendance_for_session(organization=acme, session_id=session.pk) == []
    unmatched = {u.name: u for u in attendance_unmatched(organization=acme, session_id=session.pk)}
    assert set(unmatched) == {"Hal Host", "Visitor"}
    assert unmatched["Visitor"].duration_seconds == 40 * 60
    assert AttendanceSegment.objects.filter(instance__session=session).count() == len(
        ground_truth_segments(zoomsim, instance["uuid"])
    )
    # The guest is there to be mapped: it was Ada, on someone else's device.
    _map(acme, acme_people, session, unmatched["Visitor"].identity_key, ada.pk)
    rows = attendance_for_session(organization=acme, session_id=session.pk)
    assert [(row.learner, row.duration_seconds) for row in rows] == [(ada, 40 * 60)]


def test_a_guest_truly_alone_has_no_report_at_zoom_and_ends_as_not_available(
    event: LiveEvent, acme: Organization, acme_course: Course, zoomsim: LiveZoomsim
) -> None:
    session = _sessions(event)[0]
    # Join before host: a guest alone. Zoom makes no participant report of a meeting of one.
    instance = run_meeting(zoomsim, session, [{"guest_name": "Visitor", "segments": [[0, 40]]}])
    deliver_meeting_ended(zoomsim, instance["uuid"])
    _report_becomes_ready(zoomsim, session)

    sync = AttendanceSync.objects.get(session=session)
    assert sync.state == AttendanceSyncState.RETRYING  # never "no one came"
    assert sync.last_reason == (
        "Zoom makes no participant report of a meeting with only one person in it"
    )
    assert _status(acme, session).endswith(
        ": Zoom makes no participant report of a meeting with only one person in it"
    )
    assert not AttendanceRecord.objects.filter(session=session).exists()

    AttendanceSync.objects.filter(session=session).update(
        first_ended_at=timezone.now() - timedelta(hours=72, minutes=1)
    )
    next_try_comes(session)

    assert _status(acme, session) == (
        "data not available from Zoom: "
        "Zoom makes no participant report of a meeting with only one person in it"
    )
    assert "only one person" in mail.outbox[0].body


def test_an_empty_report_is_not_ready_soon_after_the_end_and_not_available_after_72_hours(
    event: LiveEvent,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
) -> None:
    session = _sessions(event)[0]
    instance = run_meeting(zoomsim, session, [])  # nobody joined, not even the host
    deliver_meeting_ended(zoomsim, instance["uuid"])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    waits = []
    for _try in range(3):
        next_try_comes(session)
        sync = AttendanceSync.objects.get(session=session)
        assert sync.state == AttendanceSyncState.RETRYING
        assert sync.last_reason == "Zoom's report is still empty"
        assert sync.next_try_at is not None
        waits.append(sync.next_try_at - sync.updated_at)
    assert waits == sorted(waits)  # minutes apart, growing
    assert waits[-1] > waits[0]
    assert fetch_item(session).state == WorkState.PENDING
    mail.outbox.clear()

    AttendanceSync.objects.filter(session=session).update(
        first_ended_at=timezone.now() - timedelta(hours=72, minutes=1)
    )
    next_try_comes(session)

    sync = AttendanceSync.objects.get(session=session)
    assert sync.state == AttendanceSyncState.UNAVAILABLE
    assert _status(acme, session) == "data not available from Zoom: Zoom's report is still empty"
    assert fetch_item(session).state == WorkState.DONE
    assert not AttendanceRecord.objects.filter(session=session).exists()
    course_admins = {acme_people.course_builder.email, acme_people.course_assistant.email}
    assert sorted(to for message in mail.outbox for to in message.to) == sorted(course_admins)
    assert "not available from Zoom" in mail.outbox[0].subject
    assert "Last answer: Zoom's report is still empty" in mail.outbox[0].body
    assert zoom_attendance_poll() == 0  # given up: no more tries

    # Fetch now afterwards goes through the same work; the verdict tells nobody twice.
    attendance_fetch_now(organization=acme, session_id=session.pk)
    work_everything()
    assert len(mail.outbox) == 2


def test_revoked_tokens_pause_the_fetch_and_reauthentication_catches_up(
    event: LiveEvent,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    zoomsim: LiveZoomsim,
    connect_acme_account: Connect,
) -> None:
    session = _sessions(event)[0]
    ada = learner(acme, acme_course, "ada@acme.example", "Ada", "Lovelace")
    ada_id = registered(acme, session, ada)
    instance = run_meeting(zoomsim, session, [{"registrant_id": ada_id}, {"guest_name": "V"}])
    advance_zoom_clock(zoomsim, REPORT_DELAY)
    revoked = httpx.post(
        f"{zoomsim.base_url}/_sim/apps/campus-client-id/accounts/acct-acme/revoke-tokens"
    )
    assert revoked.status_code == 200, revoked.text

    deliver_meeting_ended(zoomsim, instance["uuid"])

    assert fetch_item(session).state == WorkState.PAUSED
    assert _status(acme, session) == "waiting for re-authentication"
    assert not AttendanceRecord.objects.filter(session=session).exists()
    # Fetch now is accepted, but the row waits with the account's other paused work.
    attendance_fetch_now(organization=acme, session_id=session.pk)
    assert fetch_item(session).state == WorkState.PAUSED

    connect_acme_account(acme, acme_people.org_admin)
    work_everything()

    assert fetch_item(session).state == WorkState.DONE
    rows = attendance_for_session(organization=acme, session_id=session.pk)
    assert [(row.learner, row.duration_seconds) for row in rows] == [(ada, 3600)]


def test_fetch_now_is_refused_while_a_fetch_runs_and_for_another_organizations_session(
    event: LiveEvent, acme: Organization, globex: Organization
) -> None:
    session = _sessions(event)[0]
    attendance_fetch_now(organization=acme, session_id=session.pk)
    item = fetch_item(session)
    assert item.state == WorkState.PENDING
    type(item).objects.filter(pk=item.pk).update(state=WorkState.RUNNING)
    with pytest.raises(FetchAlreadyRunning):
        attendance_fetch_now(organization=acme, session_id=session.pk)
    type(item).objects.filter(pk=item.pk).update(state=WorkState.PENDING)

    # Before the meeting could have ended there is nothing to wait for: no tries scheduled.
    work_everything()
    assert fetch_item(session).state == WorkState.DONE
    assert _status(acme, session) == "attendance comes after the meeting"
    with pytest.raises(LookupError):
        attendance_fetch_now(organization=globex, session_id=session.pk)
    with pytest.raises(LookupError):
        attendance_for_session(organization=globex, session_id=session.pk)
