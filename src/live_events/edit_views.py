"""Editing and removing a Zoom live event, for Course Builders. Edits go to Zoom as changes to the
same meetings (only the fields that changed; nothing when nothing Zoom sees changed), so every
learner's personal link keeps working. Removing asks first, saying how many learners are
registered, and can have Zoom email them the cancellation."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from courses.models import Lesson
from live_events.forms import (
    SessionFormSet,
    ZoomEventForm,
    event_input,
    show_errors,
    show_rule_errors,
)
from live_events.models import ACTIVE_REGISTRATION_STATES, LiveEvent, LiveEventSession
from live_events.selectors import (
    HOST_BUDGET_LOW,
    host_meeting_writes_remaining,
    live_event_get,
    live_event_session_get,
)
from live_events.services import (
    NewLinksNeedConfirmation,
    OverlapsNeedConfirmation,
    live_event_remove,
    live_event_session_remove,
    live_event_update,
)
from live_events.views import builder_required, zoom_form_page
from organizations.requests import MemberRequest

_SESSION_FIELDS = ("starts_at", "time_zone", "duration_minutes", "session_id")


def _lesson_of(event: LiveEvent) -> Lesson:
    component = event.lesson_component
    assert component is not None, "a live event on a page has its component"
    return component.lesson


def _edit_page_url(lesson: Lesson) -> str:
    return reverse("courses:lesson", args=[lesson.course_id, lesson.pk]) + "?edit=1"


def _initial(event: LiveEvent) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    form = {
        "topic": event.title,
        "description": event.description,
        "host_email": event.host_email,
        "alternative_hosts": ", ".join(event.alternative_hosts),
        "auto_record_cloud": event.auto_record_cloud,
        "auto_upload_recording": event.auto_upload_recording,
        "participant_video": event.participant_video,
        "mute_upon_entry": event.mute_upon_entry,
        "zoom_notification_emails": event.zoom_notification_emails,
    }
    sessions = [
        {
            "starts_at": session.starts_at.astimezone(ZoneInfo(session.time_zone)).replace(
                tzinfo=None
            ),
            "time_zone": session.time_zone,
            "duration_minutes": session.duration_minutes,
            "session_id": session.pk,
        }
        for session in event.sessions.filter(removed_at__isnull=True).order_by("starts_at", "id")
    ]
    return form, sessions


def _budget_note(event: LiveEvent) -> str:
    if not event.host_zoom_user_id:
        return ""
    remaining = host_meeting_writes_remaining(host_zoom_user_id=event.host_zoom_user_id)
    if remaining > HOST_BUDGET_LOW:
        return ""
    return (
        f"Zoom allows {event.host_email} {remaining} more meeting change"
        f"{'s' if remaining != 1 else ''} today (100 a day, counted from 00:00 UTC). Each "
        "session whose meeting changes uses one."
    )


@builder_required
@require_http_methods(["GET", "POST"])
def zoom_event_edit(request: MemberRequest, event_id: int) -> HttpResponse:
    event = live_event_get(organization=request.organization, event_id=event_id)
    lesson = _lesson_of(event)
    note = _budget_note(event)
    if request.method == "GET":
        form_initial, rows = _initial(event)
        form = ZoomEventForm(initial=form_initial)
        sessions = SessionFormSet(prefix="sessions", initial=rows)
        return zoom_form_page(
            request, lesson, form, sessions, editing_event=event, budget_note=note
        )
    form = ZoomEventForm(request.POST)
    sessions = SessionFormSet(request.POST, prefix="sessions")
    if not all([form.is_valid(), sessions.is_valid()]):  # both checked, for every error
        return zoom_form_page(
            request,
            lesson,
            form,
            sessions,
            status=400,
            sessions_errors=show_rule_errors(form, sessions),
            editing_event=event,
            budget_note=note,
        )
    old_host = event.host_email
    try:
        live_event_update(
            organization=request.organization,
            actor=request.user,
            event=event,
            data=event_input(form, sessions),
            confirm_overlaps=form.cleaned_data["confirm_overlaps"],
            confirm_new_links=form.cleaned_data["confirm_new_links"],
        )
    except NewLinksNeedConfirmation as new_links:
        return zoom_form_page(
            request,
            lesson,
            form,
            sessions,
            status=409,
            new_links_warning=new_links.message,
            editing_event=event,
            budget_note=note,
        )
    except OverlapsNeedConfirmation as overlaps:
        return zoom_form_page(
            request,
            lesson,
            form,
            sessions,
            status=409,
            overlap_warnings=overlaps.warnings,
            editing_event=event,
            budget_note=note,
        )
    except ValidationError as invalid:
        about_sessions = show_errors(invalid.message_dict, form, sessions)
        return zoom_form_page(
            request,
            lesson,
            form,
            sessions,
            status=400,
            sessions_errors=about_sessions,
            editing_event=event,
            budget_note=note,
        )
    if event.host_email.lower() != old_host.lower():
        messages.success(
            request,
            f"“{form.cleaned_data['topic']}” saved. Zoom is asked to move the meetings from "
            f"{old_host} to {event.host_email}, keeping learners' links; where Zoom refuses, "
            "new meetings replace them and learners are emailed their new links.",
        )
    else:
        messages.success(
            request,
            f"“{form.cleaned_data['topic']}” saved. Zoom gets only what changed; learners keep "
            "their links.",
        )
    return redirect(_edit_page_url(lesson))


@builder_required
@require_http_methods(["GET", "POST"])
def session_remove(request: MemberRequest, event_id: int, session_id: int) -> HttpResponse:
    session = live_event_session_get(
        organization=request.organization, session_id=session_id, event_id=event_id
    )
    return _removal(request, session.event, session)


@builder_required
@require_http_methods(["GET", "POST"])
def event_remove(request: MemberRequest, event_id: int) -> HttpResponse:
    event = live_event_get(organization=request.organization, event_id=event_id)
    return _removal(request, event, None)


def _removal(
    request: MemberRequest, event: LiveEvent, session: LiveEventSession | None
) -> HttpResponse:
    lesson = _lesson_of(event)
    registrations = event.registrations.filter(status__in=ACTIVE_REGISTRATION_STATES)
    if session is not None:
        registrations = registrations.filter(session=session)
    registered = registrations.count()
    if request.method == "GET":
        context = {
            "event": event,
            "session": session,
            "lesson": lesson,
            "course": lesson.course,
            "registered": registered,
            "back_url": _edit_page_url(lesson),
        }
        return render(request, "live_events/remove_confirm.html", context)
    notify = request.POST.get("notify_registrants") == "on"
    if session is not None:
        count = live_event_session_remove(
            organization=request.organization, session=session, notify_registrants=notify
        )
        what = "The session was removed"
    else:
        count = live_event_remove(
            organization=request.organization, event=event, notify_registrants=notify
        )
        what = f"“{event.title}” was removed"
    emailed = " Zoom emails them the cancellation." if notify and count else ""
    messages.success(
        request,
        f"{what}; {count} registration{'s' if count != 1 else ''} cancelled.{emailed}",
    )
    return redirect(_edit_page_url(lesson))
