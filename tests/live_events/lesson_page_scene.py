"""A lesson page holding one Zoom live event with many sessions and many registered learners,
built straight into the database (bulk inserts: 5,000 learners through the member service would
spend minutes hashing passwords). Used by the lesson page's query test and by
bench/lesson_page_render.py, so both measure the same page.

Every session is scheduled at Zoom (a meeting id and link, as after the meeting work ran) and
every learner is enrolled and registered, round-robin over the sessions, with a personal link,
and present in its fetched attendance: the page has everything it could be tempted to read row
by row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from courses.models import ComponentKind, Course, Enrollment, Lesson
from courses.services import course_enroll, lesson_component_create, lesson_create
from live_events.attendance_models import AttendanceRecord, AttendanceSync, AttendanceSyncState
from live_events.models import (
    LiveEvent,
    LiveEventProvider,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
    ZoomMeetingState,
)
from organizations.models import Membership, Organization, Role, User

HOST_EMAIL = "host@acme.test"
MEETING_ID_BASE = 85_000_000_000
BULK_BATCH = 500


@dataclass(frozen=True)
class LessonPageScene:
    course: Course
    lesson: Lesson
    event: LiveEvent
    sessions: list[LiveEventSession]
    learners: int
    viewer: User | None


def lesson_page_scene(
    *,
    organization: Organization,
    title: str,
    sessions: int,
    learners: int,
    viewer: User | None = None,
) -> LessonPageScene:
    """A course `title` with one lesson whose one component is a Zoom event of `sessions`
    sessions, `learners` enrolled learners registered over them, and `viewer` (a learner) enrolled
    and registered for the last session too."""
    course = Course.objects.create(organization=organization, title=title, description="")
    lesson = lesson_create(course=course, title="Live session")
    component = lesson_component_create(lesson=lesson, kind=ComponentKind.LIVE_EVENT)
    event = LiveEvent.objects.create(
        organization=organization,
        lesson_component=component,
        provider=LiveEventProvider.ZOOM,
        title=f"{title}: office hours",
        description="Bring your questions.",
        time_zone="Europe/Berlin",
        host_email=HOST_EMAIL,
        host_zoom_user_id="acme-host",
        host_name="Host Tester",
        alternative_hosts=["cohost@acme.test"],
    )
    first_start = timezone.now() + timedelta(days=3)
    rows = LiveEventSession.objects.bulk_create(
        LiveEventSession(
            event=event,
            starts_at=first_start + timedelta(hours=2 * number),
            # Half the sessions in another zone than the viewer's, so the page shows both.
            time_zone="Europe/Berlin" if number % 2 else "America/New_York",
            duration_minutes=60,
            zoom_meeting_id=MEETING_ID_BASE + event.pk * 100 + number,
            zoom_join_url=f"https://zoom.example/j/{MEETING_ID_BASE + number}",
            zoom_state=ZoomMeetingState.SCHEDULED,
        )
        for number in range(sessions)
    )
    people = _bulk_learners(organization, prefix=f"c{course.pk}", count=learners)
    Enrollment.objects.bulk_create(
        (Enrollment(course=course, learner=person) for person in people), batch_size=BULK_BATCH
    )
    registered = [
        _registered(event, rows[index % len(rows)], person) for index, person in enumerate(people)
    ]
    if viewer is not None:
        course_enroll(course=course, learner=viewer)
        registered.append(_registered(event, rows[-1], viewer))
    LiveEventRegistration.objects.bulk_create(registered, batch_size=BULK_BATCH)
    _attendance_fetched(rows, registered)
    return LessonPageScene(
        course=course,
        lesson=lesson,
        event=event,
        sessions=list(rows),
        learners=learners,
        viewer=viewer,
    )


def _bulk_learners(organization: Organization, *, prefix: str, count: int) -> list[User]:
    users = User.objects.bulk_create(
        (
            User(
                username=f"{prefix}-learner-{n}@acme.example",
                email=f"{prefix}-learner-{n}@acme.example",
                first_name=f"Learner{n}",
                last_name="Tester",
                password="!",  # unusable: these people never sign in
            )
            for n in range(count)
        ),
        batch_size=BULK_BATCH,
    )
    Membership.objects.bulk_create(
        (Membership(user=user, organization=organization, role=Role.LEARNER) for user in users),
        batch_size=BULK_BATCH,
    )
    return users


def _registered(
    event: LiveEvent, session: LiveEventSession, learner: User
) -> LiveEventRegistration:
    return LiveEventRegistration(
        event=event,
        session=session,
        learner=learner,
        status=RegistrationStatus.REGISTERED,
        zoom_registrant_id=f"reg-{session.pk}-{learner.pk}",
        join_url=f"https://zoom.example/w/{session.zoom_meeting_id}?tk={learner.pk}",
        zoom_registered_at=timezone.now(),
    )


def _attendance_fetched(
    sessions: list[LiveEventSession], registrations: list[LiveEventRegistration]
) -> None:
    """Every session's attendance fetched, every registered learner present 45 minutes: the
    page shows each session's status and the viewer's own row."""
    fetched_at = timezone.now()
    AttendanceSync.objects.bulk_create(
        AttendanceSync(
            session=session,
            state=AttendanceSyncState.FETCHED,
            first_ended_at=fetched_at - timedelta(seconds=3),
            last_fetched_at=fetched_at,
        )
        for session in sessions
    )
    AttendanceRecord.objects.bulk_create(
        (
            AttendanceRecord(
                session=registration.session,
                person_key=f"learner:{registration.learner.pk}",
                learner=registration.learner,
                attended=True,
                duration_seconds=45 * 60,
                first_join_at=registration.session.starts_at,
                last_leave_at=registration.session.starts_at + timedelta(minutes=45),
            )
            for registration in registrations
        ),
        batch_size=BULK_BATCH,
    )
