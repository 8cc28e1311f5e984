"""What a lesson page shows of its live events, read in a fixed number of queries however many
sessions and learners there are, and with no call to Zoom: the page reads Campus's rows only.

Each viewer sees the event and each session with its start in their own time zone (the session's
zone beside it when it differs), its duration and seats taken. A learner sees Register on the
sessions they may pick, and Join on theirs from a while before it starts until it ends; a host or
alternative host who is a Campus user sees Start; Course Builders see where each meeting stands
at Zoom.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.utils import timezone

from live_events.attendance_models import AttendanceRecord
from live_events.attendance_selectors import (
    SyncStatus,
    attendance_of_learner_in_events,
    attendance_sync_statuses,
)
from live_events.models import (
    ACTIVE_REGISTRATION_STATES,
    LiveEvent,
    LiveEventProvider,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
    ZoomMeetingState,
)
from live_events.recording_blocks import SessionRecordings, session_recordings
from live_events.recording_selectors import (
    recording_syncs_by_session,
    recordings_by_session,
    recordings_with_import_queued,
)
from live_events.selectors import join_opens_before, live_events_for_lesson

if TYPE_CHECKING:
    from courses.models import Lesson, LessonComponent
    from organizations.requests import MemberRequest


@dataclass(frozen=True)
class SessionBlock:
    session: LiveEventSession
    number: int
    ends_at: datetime
    # The session's zone is not the viewer's: its own reading of the start goes beside.
    in_another_zone: bool
    seats_taken: int
    is_mine: bool
    my_status: str
    can_register: bool
    join_open: bool
    join_opens_at: datetime
    is_over: bool
    has_started: bool
    zoom_state: str
    zoom_problem: str
    # Attendance (docs/attendance.md): where it stands, and the learner's own row.
    attendance: SyncStatus | None
    my_attendance: AttendanceRecord | None
    recording: SessionRecordings | None = None


@dataclass(frozen=True)
class EventBlock:
    event: LiveEvent
    sessions: list[SessionBlock]
    is_zoom: bool
    viewer_is_learner: bool
    viewer_is_host: bool
    viewer_sees_zoom_state: bool
    viewer_is_course_admin: bool
    registered_session_number: int | None


def live_event_blocks(
    request: MemberRequest, lesson: Lesson, components: Sequence[LessonComponent]
) -> Mapping[int, EventBlock]:
    """The lesson page's loader for components of kind "live_event" (courses.components)."""
    events = live_events_for_lesson(organization=request.organization, lesson=lesson)
    membership = request.membership
    is_learner = not membership.is_course_admin
    mine: dict[int, LiveEventRegistration] = {}
    if is_learner and events:
        for active in LiveEventRegistration.objects.filter(
            event__in=events, learner=request.user, status__in=ACTIVE_REGISTRATION_STATES
        ):
            mine[active.event_id] = active
    now = timezone.now()
    viewer_zone = timezone.get_current_timezone()
    # Attendance of every session at once (three queries at most), never row by row.
    every_session = [session for event in events for session in event.sessions.all()]
    statuses = attendance_sync_statuses(
        sessions=every_session, time_zone=timezone.get_current_timezone_name(), now=now
    )
    own: dict[int, AttendanceRecord] = {}
    if is_learner and events:
        own = attendance_of_learner_in_events(
            organization=request.organization,
            learner=request.user,
            event_ids=[event.pk for event in events],
        )
    email = (request.user.email or "").lower()
    session_ids = [session.pk for session in every_session]
    recordings = recordings_by_session(session_ids=session_ids)
    recording_syncs = recording_syncs_by_session(session_ids=session_ids)
    # No query unless some file is listed but not on the page yet.
    import_queued = recordings_with_import_queued(
        recording_ids=[r.pk for rows in recordings.values() for r in rows if not r.is_published]
    )
    blocks: dict[int, EventBlock] = {}
    for event in events:
        if event.lesson_component_id is None:
            continue
        registration = mine.get(event.pk)
        sessions = [
            replace(
                block,
                recording=session_recordings(
                    recordings.get(block.session.pk, []),
                    sync=recording_syncs.get(block.session.pk),
                    records_to_cloud=event.provider == LiveEventProvider.ZOOM
                    and event.auto_record_cloud,
                    is_over=block.is_over,
                    zone=viewer_zone,
                    import_queued=import_queued,
                ),
            )
            for block in [
                _session_block(
                    session,
                    number=index,
                    registration=registration,
                    is_learner=is_learner,
                    is_zoom=event.provider == LiveEventProvider.ZOOM,
                    now=now,
                    viewer_zone=viewer_zone,
                    attendance=statuses.get(session.pk),
                    my_attendance=own.get(session.pk),
                )
                for index, session in enumerate(event.sessions.all(), start=1)
            ]
        ]
        hosts = {event.host_email.lower(), *(e.lower() for e in event.alternative_hosts)}
        blocks[event.lesson_component_id] = EventBlock(
            event=event,
            sessions=sessions,
            is_zoom=event.provider == LiveEventProvider.ZOOM,
            viewer_is_learner=is_learner,
            viewer_is_host=bool(email) and email in hosts,
            viewer_sees_zoom_state=membership.is_course_builder,
            viewer_is_course_admin=membership.is_course_admin,
            registered_session_number=next(
                (block.number for block in sessions if block.is_mine), None
            ),
        )
    return blocks


def _session_block(
    session: LiveEventSession,
    *,
    number: int,
    registration: LiveEventRegistration | None,
    is_learner: bool,
    is_zoom: bool,
    now: datetime,
    viewer_zone: object,
    attendance: SyncStatus | None,
    my_attendance: AttendanceRecord | None,
) -> SessionBlock:
    ends_at = session.starts_at + timedelta(minutes=session.duration_minutes)
    opens_at = session.starts_at - join_opens_before()
    is_mine = registration is not None and registration.session_id == session.pk
    is_over = ends_at <= now
    return SessionBlock(
        session=session,
        number=number,
        ends_at=ends_at,
        in_another_zone=str(viewer_zone) != session.time_zone,
        seats_taken=getattr(session, "seats_taken", 0),
        is_mine=is_mine,
        my_status=registration.status if is_mine and registration is not None else "",
        can_register=is_learner and is_zoom and not is_mine and not is_over,
        join_open=is_mine
        and registration is not None
        and registration.status == RegistrationStatus.REGISTERED
        and bool(registration.join_url)
        and opens_at <= now < ends_at,
        join_opens_at=opens_at,
        is_over=is_over,
        has_started=session.starts_at <= now,
        zoom_state=session.zoom_state if is_zoom else "",
        zoom_problem=session.zoom_problem if session.zoom_state == ZoomMeetingState.FAILED else "",
        attendance=attendance,
        my_attendance=my_attendance,
    )
