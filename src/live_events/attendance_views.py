"""The attendance pages, for Course Admins of the organization (docs/attendance.md): the whole
event's table, each session's table beside its timeline, the unmatched participants with a form
to map one, the sync status with Fetch now, the streamed CSV exports, and the event's minimum
(Course Builders). Thin views: read through the selectors, write through one service. Anyone
else, and any other organization, gets 404."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET, require_POST

from courses.models import Course
from courses.selectors import course_learners
from live_events.attendance_forms import AttendanceMinimumForm, ParticipantMapForm
from live_events.attendance_merge import identity_lasts
from live_events.attendance_models import AttendanceRecord
from live_events.attendance_selectors import (
    AttendanceRow,
    attendance_for_event,
    attendance_for_session,
    attendance_meeting_span,
    attendance_sync_statuses,
    attendance_unmatched,
    attendance_unmatched_of_event,
)
from live_events.attendance_services import (
    FetchAlreadyRunning,
    attendance_fetch_now,
    attendance_minimum_set,
    attendance_participant_map,
)
from live_events.attendance_timeline import Person, session_timeline
from live_events.models import LiveEvent, LiveEventProvider, LiveEventSession
from live_events.recording_blocks import recording_status_words
from live_events.recording_selectors import recording_syncs_by_session, recordings_by_session
from live_events.selectors import live_event_get, live_event_session_get, live_event_sessions
from live_events.templatetags.attendance_format import duration_words
from organizations.access import course_admin_required
from organizations.requests import MemberRequest


def _course_of(event: LiveEvent) -> Course:
    component = event.lesson_component
    if component is None:
        raise Http404("No such event.")
    return component.lesson.course


def _event_for(request: MemberRequest, event_id: int) -> tuple[LiveEvent, Course]:
    event = live_event_get(organization=request.organization, event_id=event_id)
    return event, _course_of(event)


def _session_for(request: MemberRequest, session_id: int) -> tuple[LiveEventSession, Course]:
    session = live_event_session_get(organization=request.organization, session_id=session_id)
    return session, _course_of(session.event)


def _numbers(event: LiveEvent) -> dict[int, int]:
    """Session id → its number on the lesson page (1, 2, ...)."""
    return {session.pk: n for n, session in enumerate(live_event_sessions(event=event), start=1)}


def _starts(event: LiveEvent) -> dict[int, datetime]:
    return {session.pk: session.starts_at for session in live_event_sessions(event=event)}


def _lesson_url(event: LiveEvent, session: LiveEventSession | None = None) -> str:
    component = event.lesson_component
    assert component is not None
    url = reverse("courses:lesson", args=[component.lesson.course_id, component.lesson_id])
    return url + (f"#session-{session.pk}" if session is not None else "")


def _zone() -> str:
    return timezone.get_current_timezone_name()


# --- the whole event ---------------------------------------------------------------------------


@course_admin_required
@require_GET
def event_attendance(request: MemberRequest, event_id: int) -> HttpResponse:
    event, course = _event_for(request, event_id)
    return _event_page(request, event, course, AttendanceMinimumForm(initial=_minimum_of(event)))


def _minimum_of(event: LiveEvent) -> dict[str, object]:
    return {
        "attendance_minimum": event.attendance_minimum,
        "attendance_minimum_value": event.attendance_minimum_value or None,
    }


def _event_page(
    request: MemberRequest,
    event: LiveEvent,
    course: Course,
    minimum_form: AttendanceMinimumForm,
    status: int = 200,
) -> HttpResponse:
    sessions = list(live_event_sessions(event=event))
    numbers = {session.pk: n for n, session in enumerate(sessions, start=1)}
    rows = attendance_for_event(organization=request.organization, event_id=event.pk)
    unmatched = attendance_unmatched_of_event(organization=request.organization, event_id=event.pk)
    now = timezone.now()
    statuses = attendance_sync_statuses(sessions=sessions, time_zone=_zone(), now=now)
    present: dict[int, int] = {}
    attended: dict[int, int] = {}
    for row in rows:
        present[row.session_id] = present.get(row.session_id, 0) + 1
        attended[row.session_id] = attended.get(row.session_id, 0) + int(row.attended)
    context = {
        "event": event,
        "course": course,
        "lesson_url": _lesson_url(event),
        "sessions": [
            {
                "session": session,
                "number": numbers[session.pk],
                "status": statuses[session.pk],
                "present": present.get(session.pk, 0),
                "attended": attended.get(session.pk, 0),
            }
            for session in sessions
        ],
        "rows": [_shown(row, numbers) for row in rows],
        # Below the table, by session: who matched no learner (mapped on the session's page).
        "unmatched": [
            {"session": session, "number": numbers[session.pk], "records": unmatched[session.pk]}
            for session in sessions
            if session.pk in unmatched
        ],
        "minimum_form": minimum_form,
        "may_set_minimum": request.membership.is_course_builder,
    }
    return render(request, "live_events/attendance_event.html", context, status=status)


def _shown(row: AttendanceRow, numbers: dict[int, int]) -> dict[str, object]:
    return {
        "row": row,
        "session_number": numbers.get(row.session_id),
        "picked_number": numbers.get(row.registered_session_id or 0),
    }


@course_admin_required
@require_POST
def event_attendance_minimum(request: MemberRequest, event_id: int) -> HttpResponse:
    """The event's minimum, for Course Builders (other Course Admins read it only)."""
    event, course = _event_for(request, event_id)
    if not request.membership.is_course_builder:
        raise Http404("Only Course Builders set the minimum.")
    form = AttendanceMinimumForm(request.POST)
    if form.is_valid():
        try:
            recounted = attendance_minimum_set(
                organization=request.organization,
                actor=request.user,
                event_id=event.pk,
                kind=form.cleaned_data["attendance_minimum"],
                value=form.cleaned_data["attendance_minimum_value"],
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                "The minimum is saved"
                + (f"; {recounted} session(s) counted again." if recounted else "."),
            )
            return redirect(reverse("live_events:attendance", args=[event.pk]))
    event.refresh_from_db()
    return _event_page(request, event, course, form, status=400)


@course_admin_required
@require_GET
def event_attendance_csv(request: MemberRequest, event_id: int) -> HttpResponseBase:
    event, _course = _event_for(request, event_id)
    numbers = _numbers(event)
    rows = attendance_for_event(organization=request.organization, event_id=event.pk)
    by_session = attendance_unmatched_of_event(organization=request.organization, event_id=event.pk)
    unmatched = [(pk, by_session[pk]) for pk in numbers if pk in by_session]
    return _csv_response(
        f"attendance-{slugify(event.title) or 'event'}.csv",
        _csv_lines(rows, unmatched, numbers, _starts(event), ZoneInfo(_zone())),
    )


# --- one session -------------------------------------------------------------------------------


@course_admin_required
@require_GET
def session_attendance(request: MemberRequest, session_id: int) -> HttpResponse:
    session, course = _session_for(request, session_id)
    return _session_page(request, session, course)


def _learner_choices(course: Course) -> list[tuple[int, str]]:
    return [
        (learner.pk, f"{learner.get_full_name() or learner.email} ({learner.email})")
        for learner in course_learners(course=course)
    ]


def _session_page(
    request: MemberRequest,
    session: LiveEventSession,
    course: Course,
    *,
    failed: ParticipantMapForm | None = None,
    status: int = 200,
) -> HttpResponse:
    organization = request.organization
    event = session.event
    numbers = _numbers(event)
    rows = attendance_for_session(organization=organization, session_id=session.pk)
    unmatched = attendance_unmatched(organization=organization, session_id=session.pk)
    zone = ZoneInfo(_zone())
    start, end = attendance_meeting_span(session=session)
    people = [
        Person(
            name=row.name,
            duration_words=duration_words(row.duration_seconds),
            segments=_segments(row.segments),
        )
        for row in rows
    ] + [
        Person(
            name=f"{record.label} (unmatched)",
            duration_words=duration_words(record.duration_seconds),
            segments=_segments(record.segments),
        )
        for record in unmatched
    ]
    learners = _learner_choices(course)
    forms = []
    for record in unmatched:
        if failed is not None and failed.data.get("participant") == record.identity_key:
            forms.append((record, failed))
        else:
            forms.append(
                (
                    record,
                    ParticipantMapForm(
                        initial={"participant": record.identity_key},
                        learners=learners,
                        lasting=record.lasting,
                        auto_id=f"id_p{record.pk}_%s",  # ids unique on the page
                    ),
                )
            )
    shown = {record.identity_key for record in unmatched}
    stray = failed is not None and failed.data.get("participant") not in shown
    context = {
        "map_refused": [e for errors in failed.errors.values() for e in errors]
        if failed is not None and stray
        else [],
        "session": session,
        "event": event,
        "course": course,
        "number": numbers.get(session.pk),
        "lesson_url": _lesson_url(event, session),
        "rows": [_shown(row, numbers) for row in rows],
        "unmatched": forms,
        "status": attendance_sync_statuses(sessions=[session], time_zone=_zone())[session.pk],
        "recording_words": _recording_words(session, zone),
        "timeline": session_timeline(people=people, start=start, end=end, zone=zone),
    }
    return render(request, "live_events/attendance_session.html", context, status=status)


def _recording_words(session: LiveEventSession, zone: ZoneInfo) -> str:
    """Where the session's recording stands, as the lesson page says it (its status line)."""
    event = session.event
    ends_at = session.starts_at + timedelta(minutes=session.duration_minutes)
    return recording_status_words(
        recordings_by_session(session_ids=[session.pk]).get(session.pk, []),
        sync=recording_syncs_by_session(session_ids=[session.pk]).get(session.pk),
        records_to_cloud=event.provider == LiveEventProvider.ZOOM and event.auto_record_cloud,
        auto_upload=event.auto_upload_recording,
        is_over=ends_at <= timezone.now(),
        zone=zone,
    )


def _segments(kept: list[list[str]]) -> list[tuple[datetime, datetime]]:
    """The record's kept segments ([uuid, join ISO, leave ISO]) as times."""
    return [(datetime.fromisoformat(on), datetime.fromisoformat(off)) for _u, on, off in kept]


@course_admin_required
@require_POST
def session_attendance_map(request: MemberRequest, session_id: int) -> HttpResponse:
    """Map one unmatched participant to a learner of the course: for this and later sessions,
    or this session only for a guest known by a typed name alone."""
    session, course = _session_for(request, session_id)
    lasting = identity_lasts(request.POST.get("participant", ""))
    form = ParticipantMapForm(request.POST, learners=_learner_choices(course), lasting=lasting)
    if form.is_valid():
        try:
            changed = attendance_participant_map(
                organization=request.organization,
                actor=request.user,
                session_id=session.pk,
                identity_key=form.cleaned_data["participant"],
                learner_id=form.cleaned_data["learner"],
            )
        except ValidationError as refused:
            for field, errors in refused.message_dict.items():
                form.add_error("learner" if field == "learner" else None, errors)
        else:
            later = (
                "the course's later sessions recognise this participant too."
                if lasting
                else "this holds for this session only (a typed name alone is no identity)."
            )
            messages.success(request, f"Mapped. {changed} session(s) counted again; {later}")
            return redirect(reverse("live_events:session_attendance", args=[session.pk]))
    return _session_page(request, session, course, failed=form, status=400)


@course_admin_required
@require_POST
def session_attendance_fetch(request: MemberRequest, session_id: int) -> HttpResponse:
    """Fetch now: the same background work, due now; refused while a fetch runs."""
    session, _course = _session_for(request, session_id)
    try:
        attendance_fetch_now(organization=request.organization, session_id=session.pk)
    except FetchAlreadyRunning:
        messages.error(request, "A fetch of this session is running now; its result shows here.")
    except LookupError:
        raise Http404("This session's attendance does not come from Zoom.") from None
    else:
        messages.success(request, "Fetching from Zoom now; the status below follows it.")
    if request.POST.get("back") == "lesson":
        return redirect(_lesson_url(session.event, session))
    return redirect(reverse("live_events:session_attendance", args=[session.pk]))


@course_admin_required
@require_GET
def session_attendance_csv(request: MemberRequest, session_id: int) -> HttpResponseBase:
    session, _course = _session_for(request, session_id)
    numbers = _numbers(session.event)
    rows = attendance_for_session(organization=request.organization, session_id=session.pk)
    unmatched = [
        (session.pk, attendance_unmatched(organization=request.organization, session_id=session.pk))
    ]
    name = slugify(session.event.title) or "event"
    return _csv_response(
        f"attendance-{name}-session-{numbers.get(session.pk, session.pk)}.csv",
        _csv_lines(rows, unmatched, numbers, _starts(session.event), ZoneInfo(_zone())),
    )


# --- CSV ---------------------------------------------------------------------------------------

CSV_HEADER = (
    "session",
    "session_starts_at",
    "learner",
    "email",
    "matched",
    "session_picked",
    "attended",
    "duration_seconds",
    "duration_minutes",
    "first_join",
    "last_leave",
)


class _Line:
    """csv.writer's file: hands back each line instead of storing it, so rows stream."""

    def write(self, line: str) -> str:
        return line


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    # A cell a spreadsheet would run as a formula (a participant can type any name) is quoted.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _when(moment: datetime | None, zone: ZoneInfo) -> str:
    return timezone.localtime(moment, zone).isoformat(timespec="seconds") if moment else ""


def _csv_lines(
    rows: list[AttendanceRow],
    unmatched: list[tuple[int, list[AttendanceRecord]]],
    numbers: dict[int, int],
    starts: dict[int, datetime],
    zone: ZoneInfo,
) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield writer.writerow(CSV_HEADER)
    for row in rows:
        yield writer.writerow(
            [
                numbers.get(row.session_id, ""),
                _when(row.session_starts_at, zone),
                _cell(row.name),
                _cell(row.email),
                "yes",
                numbers.get(row.registered_session_id or 0, ""),
                "yes" if row.attended else "no",
                row.duration_seconds,
                f"{row.duration_seconds / 60:.1f}",
                _when(row.first_join_at, zone),
                _when(row.last_leave_at, zone),
            ]
        )
    # Participants who match no learner, below the learners.
    for session_id, records in unmatched:
        for record in records:
            yield writer.writerow(
                [
                    numbers.get(session_id, ""),
                    _when(starts.get(session_id), zone),
                    _cell(record.label),
                    _cell(record.email),
                    "no",
                    "",
                    "yes" if record.attended else "no",
                    record.duration_seconds,
                    f"{record.duration_seconds / 60:.1f}",
                    _when(record.first_join_at, zone),
                    _when(record.last_leave_at, zone),
                ]
            )


def _csv_response(filename: str, lines: Iterable[str]) -> StreamingHttpResponse:
    response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
