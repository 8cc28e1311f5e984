"""A session on the lesson page: learners register, move, cancel and join; hosts start; Course
Admins see who registered and register the course, or some of its learners, at once. Thin views:
check who may, call one service, go back to the lesson page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses.models import Course
from courses.selectors import course_learners
from live_events.models import LiveEventRegistration, LiveEventSession, RegistrationStatus
from live_events.selectors import (
    join_opens_before,
    live_event_join_url,
    live_event_registration_of,
    live_event_session_get,
    live_event_session_registrations,
)
from live_events.services import (
    live_event_registration_cancel,
    live_event_registration_create,
    live_event_session_register_batch,
    live_event_session_start_url,
)
from organizations.access import course_admin_required, member_required
from organizations.requests import MemberRequest


def _session_for(request: MemberRequest, session_id: int) -> tuple[LiveEventSession, Course]:
    """The session, if the viewer may see it: of their organization, on a lesson page, and for a
    learner in a course they take. Anything else is a 404."""
    session = live_event_session_get(organization=request.organization, session_id=session_id)
    component = session.event.lesson_component
    if component is None:
        raise Http404("No such session.")
    course = component.lesson.course
    if (
        not request.membership.is_course_admin
        and not course.enrollments.filter(learner=request.user).exists()
    ):
        raise Http404("No such session.")
    return session, course


def _lesson_url(session: LiveEventSession) -> str:
    component = session.event.lesson_component
    assert component is not None
    lesson = component.lesson
    return reverse("courses:lesson", args=[lesson.course_id, lesson.pk]) + f"#session-{session.pk}"


def _registration_in(request: MemberRequest, session: LiveEventSession) -> LiveEventRegistration:
    """The learner's active registration, if it is for this session; else 404."""
    registration = live_event_registration_of(
        organization=request.organization, event=session.event, learner=request.user
    )
    if registration is None or registration.session_id != session.pk:
        raise Http404("You are not registered for this session.")
    return registration


def _learner_only(request: MemberRequest) -> None:
    if request.membership.is_course_admin:
        raise Http404("Only learners register.")


@member_required
@require_POST
def register(request: MemberRequest, session_id: int) -> HttpResponse:
    _learner_only(request)
    session, _course = _session_for(request, session_id)
    try:
        live_event_registration_create(
            organization=request.organization, session=session, learner=request.user
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        messages.success(
            request,
            "You are registered. Zoom is preparing your personal link; Join appears here "
            f"{int(join_opens_before().total_seconds() // 60)} minutes before the start.",
        )
    return redirect(_lesson_url(session))


@member_required
@require_POST
def cancel(request: MemberRequest, session_id: int) -> HttpResponse:
    _learner_only(request)
    session, _course = _session_for(request, session_id)
    registration = _registration_in(request, session)
    live_event_registration_cancel(organization=request.organization, registration=registration)
    messages.success(request, "Your registration is cancelled.")
    return redirect(_lesson_url(session))


@member_required
@require_GET
def join(request: MemberRequest, session_id: int) -> HttpResponse:
    """Join: off to the learner's personal Zoom link, while the session is open to join."""
    _learner_only(request)
    session, _course = _session_for(request, session_id)
    registration = _registration_in(request, session)
    if registration.status != RegistrationStatus.REGISTERED or not registration.join_url:
        messages.warning(request, "Zoom has not given your personal link yet; try in a moment.")
        return redirect(_lesson_url(session))
    link = live_event_join_url(registration=registration)
    if not link:
        messages.warning(request, "This session is not open to join now.")
        return redirect(_lesson_url(session))
    return redirect(link)


@member_required
@require_POST
def start(request: MemberRequest, session_id: int) -> HttpResponse:
    """Start, for the host or an alternative host: Zoom's start link, fetched now (it expires)."""
    session, _course = _session_for(request, session_id)
    try:
        start_url = live_event_session_start_url(
            organization=request.organization, session=session, user=request.user
        )
    except ValidationError as unavailable:
        messages.error(request, " ".join(unavailable.messages))
        return redirect(_lesson_url(session))
    return redirect(start_url)


@course_admin_required
@require_GET
def registrations(request: MemberRequest, session_id: int) -> HttpResponse:
    session, course = _session_for(request, session_id)
    return _registrations_page(request, session, course)


@course_admin_required
@require_POST
def register_learners(request: MemberRequest, session_id: int) -> HttpResponse:
    """Register the whole course, or the learners ticked, into the session (Zoom batches)."""
    session, course = _session_for(request, session_id)
    enrolled = {learner.pk: learner for learner in course_learners(course=course)}
    if request.POST.get("whole_course") == "1":
        chosen = list(enrolled.values())
    else:
        ids = {int(raw) for raw in request.POST.getlist("learner") if raw.isdigit()}
        if not ids or not ids <= enrolled.keys():
            # A learner id of another course or organization is a tampered form.
            if ids - enrolled.keys():
                raise Http404("No such learner in this course.")
            messages.error(request, "Tick the learners to register, or register the whole course.")
            return _registrations_page(request, session, course, status=400)
        chosen = [enrolled[pk] for pk in sorted(ids)]
    try:
        made = live_event_session_register_batch(
            organization=request.organization, session=session, learners=chosen
        )
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return _registrations_page(request, session, course, status=400)
    skipped = len(chosen) - made
    messages.success(
        request,
        f"{made} learner{'s' if made != 1 else ''} registered; Zoom sends their personal links "
        "in batches of 30."
        + (f" {skipped} already had a registration in this event." if skipped else ""),
    )
    return redirect(reverse("live_events:registrations", args=[session.pk]))


def _registrations_page(
    request: MemberRequest, session: LiveEventSession, course: Course, status: int = 200
) -> HttpResponse:
    rows = list(
        live_event_session_registrations(organization=request.organization, session=session)
    )
    registered_ids = set(
        session.event.registrations.filter(
            status__in=(RegistrationStatus.WAITING, RegistrationStatus.REGISTERED)
        ).values_list("learner_id", flat=True)
    )
    not_registered = [
        learner for learner in course_learners(course=course) if learner.pk not in registered_ids
    ]
    context = {
        "session": session,
        "event": session.event,
        "course": course,
        "registrations": rows,
        "not_registered": not_registered,
        "lesson_url": _lesson_url(session),
    }
    return render(request, "live_events/registrations.html", context, status=status)
