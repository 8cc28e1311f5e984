"""Live-event pages for Course Builders. Thin: parse, check permission, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from courses.components import component_position_asked
from courses.models import Lesson
from courses.selectors import lesson_get
from live_events.choices import live_event_kind_choices
from live_events.forms import (
    SessionFormSet,
    ZoomEventForm,
    event_input,
    session_initial,
    show_errors,
    show_rule_errors,
)
from live_events.hosts import HostVerdict, host_check_for_form
from live_events.models import LiveEvent, LiveEventProvider
from live_events.services import OverlapsNeedConfirmation, live_event_create
from organizations.access import permission_required_in_org
from organizations.models import PermissionSet
from organizations.requests import MemberRequest
from organizations.time_zones import time_zone_choices

builder_required = permission_required_in_org(PermissionSet.COURSE_BUILDER)


@builder_required
@require_GET
def kind_choose(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """The "Add Live Video Events" pop-up as a page, for a browser without JavaScript."""
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "position": component_position_asked(request.GET),
    }
    return render(request, "live_events/kind_page.html", context)


@builder_required
@require_GET
def event_new(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """NEXT: the form of the chosen kind; a kind that cannot be had now says why."""
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    chosen = _kind_chosen(request, request.GET.get("provider", ""))
    if chosen is None or not chosen.available or chosen.provider != LiveEventProvider.ZOOM:
        context = {
            "course": lesson.course,
            "lesson": lesson,
            "position": component_position_asked(request.GET),
            "chosen": chosen,
        }
        return render(request, "live_events/event_new.html", context, status=400)
    form = ZoomEventForm(initial={"position": component_position_asked(request.GET)})
    sessions = SessionFormSet(
        prefix="sessions", initial=session_initial(time_zone=_builder_zone(request))
    )
    return zoom_form_page(request, lesson, form, sessions)


@builder_required
@require_POST
def zoom_event_create(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """ADD: the event and its sessions saved; the Zoom meetings are made in the background."""
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    form = ZoomEventForm(request.POST)
    sessions = SessionFormSet(request.POST, prefix="sessions")
    if "add_session" in request.POST:
        # Without JavaScript, "add another session" posts the form back with one more row; what
        # was typed stays, and nothing is checked yet.
        return zoom_form_page(
            request,
            lesson,
            ZoomEventForm(initial=request.POST.dict()),
            _with_one_more(request, sessions),
        )
    if "validate_hosts" in request.POST:
        return zoom_form_page(
            request,
            lesson,
            ZoomEventForm(initial=request.POST.dict()),
            SessionFormSet(prefix="sessions", initial=_typed_rows(sessions)),
            host_verdicts=_verdicts(request),
        )
    chosen = _kind_chosen(request, LiveEventProvider.ZOOM)
    if chosen is None or not chosen.available:
        reason = chosen.unavailable_reason if chosen else "Zoom meetings are not offered."
        form.is_valid()
        form.add_error(None, f"Nothing was sent to Zoom: {reason}")
        return zoom_form_page(request, lesson, form, sessions, status=400)
    if not all([form.is_valid(), sessions.is_valid()]):  # both checked, for every error
        about_sessions = show_rule_errors(form, sessions)
        return zoom_form_page(
            request, lesson, form, sessions, status=400, sessions_errors=about_sessions
        )
    try:
        event = live_event_create(
            organization=request.organization,
            actor=request.user,
            lesson=lesson,
            data=event_input(form, sessions),
            confirm_overlaps=form.cleaned_data["confirm_overlaps"],
            position=form.cleaned_data["position"],
        )
    except OverlapsNeedConfirmation as overlaps:
        return zoom_form_page(
            request, lesson, form, sessions, status=409, overlap_warnings=overlaps.warnings
        )
    except ValidationError as invalid:
        about_sessions = show_errors(invalid.message_dict, form, sessions)
        return zoom_form_page(
            request, lesson, form, sessions, status=400, sessions_errors=about_sessions
        )
    count = event.sessions.count()
    messages.success(
        request,
        f"“{event.title}” added with {count} session{'s' if count != 1 else ''}. "
        "Campus is scheduling the Zoom meetings; each session says when its meeting is ready.",
    )
    return redirect(reverse("courses:lesson", args=[lesson.course_id, lesson.pk]) + "?edit=1")


@builder_required
@require_POST
def host_validate(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """VALIDATE beside Host and Alternative Hosts: who Zoom says the email is, or why not."""
    lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    return render(request, "live_events/host_verdicts.html", {"verdicts": _verdicts(request)})


def _verdicts(request: MemberRequest) -> list[HostVerdict]:
    return host_check_for_form(
        organization=request.organization,
        host_email=request.POST.get("host_email", ""),
        alternative_hosts=request.POST.get("alternative_hosts", ""),
        cloud_recording=request.POST.get("auto_record_cloud") == "on",
        longest_session_minutes=_longest_session(request.POST),
    )


def _longest_session(post: QueryDict) -> int:
    longest = 0
    for key in post:
        value = post.get(key, "")
        if key.startswith("sessions-") and key.endswith("-duration_minutes") and value.isdigit():
            longest = max(longest, int(value))
    return longest


def _kind_chosen(request: MemberRequest, provider: str) -> Any:
    kinds = live_event_kind_choices(organization=request.organization)
    return next((kind for kind in kinds if kind.provider == provider), None)


def _builder_zone(request: MemberRequest) -> str:
    return request.user.time_zone or request.organization.time_zone or "UTC"


def _typed_rows(sessions: Any) -> list[dict[str, Any]]:
    """The session rows as the builder typed them, for a form shown again unchecked."""
    return [
        {name: form[name].value() for name in ("starts_at", "time_zone", "duration_minutes")}
        for form in sessions.forms
    ]


def _with_one_more(request: MemberRequest, sessions: Any) -> Any:
    rows = _typed_rows(sessions)
    last_zone = rows[-1]["time_zone"] if rows else _builder_zone(request)
    rows.append({"time_zone": last_zone, "duration_minutes": 60})
    return SessionFormSet(prefix="sessions", initial=rows)


def zoom_form_page(
    request: MemberRequest,
    lesson: Lesson,
    form: ZoomEventForm,
    sessions: Any,
    *,
    status: int = 200,
    overlap_warnings: list[str] | None = None,
    new_links_warning: str = "",
    sessions_errors: list[str] | None = None,
    host_verdicts: list[HostVerdict] | None = None,
    editing_event: LiveEvent | None = None,
    budget_note: str = "",
) -> HttpResponse:
    zones = time_zone_choices()
    builder_zone = _builder_zone(request)
    # The builder's own zone first, then every other, as the issue asks.
    ordered = sorted(zones, key=lambda zone: zone[0] != builder_zone)  # stable: the rest keep order
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "form": form,
        "sessions": sessions,
        "time_zones": ordered,
        "overlap_warnings": overlap_warnings or [],
        "new_links_warning": new_links_warning,
        "sessions_errors": sessions_errors or list(sessions.non_form_errors()),
        "host_verdicts": host_verdicts or [],
        "editing_event": editing_event,
        "budget_note": budget_note,
    }
    return render(request, "live_events/zoom_form.html", context, status=status)
