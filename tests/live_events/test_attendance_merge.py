"""Merging Zoom's join segments into attendance, and matching them to learners: the segments go
in through the same service the Zoom fetch uses (SQLite, no Zoom needed)."""

from __future__ import annotations

import importlib
import itertools
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.apps import apps as django_apps

from courses.models import ComponentKind, Course
from courses.services import course_enroll, lesson_component_create
from live_events.attendance_merge import (
    Interval,
    clipped,
    identity_lasts,
    name_key,
    name_key_label,
    people_by_overlap,
    union_seconds,
)
from live_events.attendance_models import AttendanceInstance, AttendanceRecord, ParticipantMapping
from live_events.attendance_services import (
    SegmentInput,
    attendance_instance_note,
    attendance_instance_report_store,
)
from live_events.models import AttendanceMinimum, LiveEvent, LiveEventProvider, LiveEventSession
from organizations.models import Organization, Role, User
from tests.django_conftest import first_lesson, make_member

START = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)


def at(minute: float) -> datetime:
    return START + timedelta(minutes=minute)


def test_overlapping_segments_count_once() -> None:
    intervals = [Interval(at(0), at(30)), Interval(at(20), at(40)), Interval(at(50), at(60))]
    assert union_seconds(intervals) == 50 * 60


def test_a_segment_is_clipped_to_its_instance() -> None:
    assert clipped(Interval(at(-5), at(70)), start=at(0), end=at(60)) == Interval(at(0), at(60))
    assert clipped(Interval(at(61), at(70)), start=at(0), end=at(60)) is None


def test_overlapping_intervals_are_as_few_people_as_the_overlaps_allow() -> None:
    intervals = [
        Interval(at(0), at(30)),
        Interval(at(10), at(60)),
        Interval(at(35), at(45)),  # after the first left: the first again (a rejoin)
        Interval(at(30), at(32)),  # joins as the first leaves: not at the same time
        Interval(at(40), at(50)),  # the first and the second are both in: a third person
    ]
    assert people_by_overlap(intervals) == [0, 1, 0, 0, 2]
    assert people_by_overlap([]) == []
    assert people_by_overlap([Interval(at(0), at(10)), Interval(at(20), at(30))]) == [0, 0]


def test_the_people_of_a_typed_name_are_as_many_as_were_there_at_once_and_never_overlap() -> None:
    chance = random.Random(8)
    for _case in range(200):
        intervals = []
        for _n in range(chance.randint(1, 40)):
            start = chance.randint(0, 60)
            intervals.append(Interval(at(start), at(start + chance.randint(1, 20))))
        people = people_by_overlap(intervals)
        # The most there at once (a leave sorts before a join at the same moment).
        moments = sorted([(i.start, 1) for i in intervals] + [(i.end, -1) for i in intervals])
        present = most = 0
        for _when, step in moments:
            present += step
            most = max(most, present)
        assert max(people) + 1 == most
        for person in set(people):
            own = sorted(
                (i for i, p in zip(intervals, people, strict=True) if p == person),
                key=lambda i: i.start,
            )
            assert all(a.end <= b.start for a, b in itertools.pairwise(own))


def test_only_a_zoom_user_id_or_an_email_is_an_identity_that_lasts() -> None:
    assert identity_lasts("zoom-user:zu-1")
    assert identity_lasts("email:ada@acme.example")
    assert not identity_lasts(name_key(name="Sam", number=1))
    assert not identity_lasts(name_key(name="Sam", number=2))
    assert name_key(name=" Sam ", number=1) == "name:Sam"
    assert name_key_label(name_key(name="Sam", number=2)) == " (2)"
    assert name_key_label("name:Sam") is None
    assert name_key_label("email:sam@x.example") is None


@pytest.fixture
def session(acme: Organization, acme_course: Course) -> LiveEventSession:
    component = lesson_component_create(
        lesson=first_lesson(acme_course), kind=ComponentKind.LIVE_EVENT
    )
    event = LiveEvent.objects.create(
        organization=acme,
        title="Office hours",
        provider=LiveEventProvider.ZOOM,
        lesson_component=component,
    )
    return LiveEventSession.objects.create(
        event=event, starts_at=START, duration_minutes=60, zoom_meeting_id=81_000_000_001
    )


def _learner(acme: Organization, course: Course, email: str) -> User:
    user = make_member(acme, email, Role.LEARNER)
    course_enroll(course=course, learner=user)
    return user


def _segment(minute_in: float, minute_out: float, **who: str) -> SegmentInput:
    return SegmentInput(
        registrant_id=who.get("registrant_id", ""),
        zoom_user_id=who.get("zoom_user_id", ""),
        email=who.get("email", ""),
        name=who.get("name", "Someone"),
        joined_at=at(minute_in),
        left_at=at(minute_out),
        duration_seconds=int((minute_out - minute_in) * 60),
    )


def _store(session: LiveEventSession, uuid: str, rows: list[SegmentInput]) -> AttendanceInstance:
    instance = attendance_instance_note(
        session_id=session.pk, zoom_uuid=uuid, started_at=at(0), ended_at=at(60)
    )
    attendance_instance_report_store(
        instance_id=instance.pk, started_at=at(0), ended_at=at(60), rows=rows
    )
    return instance


def test_a_second_device_overlapping_the_first_and_a_join_before_the_start_count_once_clipped(
    session: LiveEventSession, acme: Organization, acme_course: Course
) -> None:
    ada = _learner(acme, acme_course, "Ada@Acme.example")
    rows = [
        _segment(-10, 30, email="ada@acme.EXAMPLE", name="Ada"),  # before the start: clipped
        _segment(20, 40, email="ada@acme.example", name="Ada (phone)"),  # overlaps
        _segment(50, 70, email="ADA@acme.example", name="Ada"),  # past the end: clipped
    ]

    _store(session, "uuid-1", rows)

    record = AttendanceRecord.objects.get(session=session)
    assert record.learner == ada  # exact email, any case
    assert record.duration_seconds == 50 * 60
    assert record.first_join_at == at(0)
    assert record.last_leave_at == at(60)
    assert len(record.segments) == 3


def test_storing_the_same_report_again_changes_nothing(
    session: LiveEventSession, acme: Organization, acme_course: Course
) -> None:
    _learner(acme, acme_course, "ada@acme.example")
    rows = [_segment(0, 30, email="ada@acme.example"), _segment(0, 10, name="Guest")]
    _store(session, "uuid-1", rows)
    before = list(AttendanceRecord.objects.values("pk", "person_key", "duration_seconds"))

    _store(session, "uuid-1", rows)

    assert list(AttendanceRecord.objects.values("pk", "person_key", "duration_seconds")) == before


def test_a_display_name_alone_matches_nobody_and_a_zoom_user_id_mapping_does(
    session: LiveEventSession, acme: Organization, acme_course: Course
) -> None:
    ada = _learner(acme, acme_course, "ada@acme.example")
    User.objects.filter(pk=ada.pk).update(first_name="Ada", last_name="Lovelace")
    ParticipantMapping.objects.create(
        course=acme_course, identity_key="zoom-user:zu-42", learner=ada
    )

    _store(
        session,
        "uuid-1",
        [
            _segment(0, 10, name="Ada Lovelace"),
            _segment(0, 20, zoom_user_id="zu-42", email="other@elsewhere.example", name="A."),
        ],
    )

    matched = AttendanceRecord.objects.get(session=session, learner__isnull=False)
    assert matched.learner == ada
    assert matched.duration_seconds == 20 * 60
    guest = AttendanceRecord.objects.get(session=session, learner__isnull=True)
    assert guest.identity_key == "name:Ada Lovelace"


def test_a_course_mapping_of_a_typed_name_made_before_matches_nobody_in_another_session(
    session: LiveEventSession, acme: Organization, acme_course: Course
) -> None:
    """A mapping of `name:Sam` for the whole course (as made before mappings of typed names
    held for one session) takes no "Sam" here for the learner; one made for this session does."""
    sam = _learner(acme, acme_course, "sam.sato@acme.example")
    ParticipantMapping.objects.create(course=acme_course, identity_key="name:Sam", learner=sam)

    _store(session, "uuid-1", [_segment(0, 30, name="Sam")])

    [record] = AttendanceRecord.objects.filter(session=session)
    assert (record.learner, record.identity_key) == (None, "name:Sam")
    ParticipantMapping.objects.create(
        course=acme_course, session=session, identity_key="name:Sam", learner=sam
    )
    _store(session, "uuid-1", [_segment(0, 30, name="Sam")])
    [record] = AttendanceRecord.objects.filter(session=session)
    assert record.learner == sam


@pytest.mark.parametrize(
    ("kind", "value", "attended"),
    [
        (AttendanceMinimum.ANY, 0, True),
        (AttendanceMinimum.MINUTES, 15, True),
        (AttendanceMinimum.MINUTES, 16, False),
        (AttendanceMinimum.PERCENT, 25, True),  # 25% of 60 minutes = 15
        (AttendanceMinimum.PERCENT, 30, False),
    ],
)
def test_attended_means_present_for_the_events_minimum(
    session: LiveEventSession,
    acme: Organization,
    acme_course: Course,
    kind: str,
    value: int,
    attended: bool,
) -> None:
    LiveEvent.objects.filter(pk=session.event_id).update(
        attendance_minimum=kind, attendance_minimum_value=value
    )
    _learner(acme, acme_course, "ada@acme.example")

    _store(session, "uuid-1", [_segment(0, 15, email="ada@acme.example")])

    assert AttendanceRecord.objects.get(session=session).attended is attended


def test_the_migration_keeps_a_typed_name_mapping_for_the_sessions_it_applied_to_only(
    session: LiveEventSession, acme: Organization, acme_course: Course
) -> None:
    """Migration 0008: a course-wide mapping of a typed name (the old behaviour) becomes one
    for each session fetched by the time it was made; a session fetched later loses it."""
    migration = importlib.import_module(
        "live_events.migrations.0008_participant_mapping_per_session"
    )
    sam = _learner(acme, acme_course, "sam.sato@acme.example")
    later = LiveEventSession.objects.create(
        event=session.event, starts_at=at(24 * 60), duration_minutes=60
    )
    _store(session, "uuid-1", [_segment(0, 30, name="Sam")])
    mapping = ParticipantMapping.objects.create(
        course=acme_course, identity_key="name:Sam", learner=sam
    )
    instance = _store(later, "uuid-2", [_segment(0, 10, name="Sam")])
    AttendanceInstance.objects.filter(pk=instance.pk).update(
        fetched_at=mapping.mapped_at + timedelta(days=1)
    )

    migration.name_mappings_to_their_sessions(django_apps, None)

    assert list(
        ParticipantMapping.objects.values_list("course_id", "session_id", "identity_key", "learner")
    ) == [(acme_course.pk, session.pk, "name:Sam", sam.pk)]
