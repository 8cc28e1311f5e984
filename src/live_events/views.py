"""Live-event pages for Course Builders. Thin: parse, check permission, call one service, render."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from courses.selectors import lesson_get
from live_events.choices import live_event_kind_choices
from organizations.access import permission_required_in_org
from organizations.models import PermissionSet
from organizations.requests import MemberRequest

builder_required = permission_required_in_org(PermissionSet.COURSE_BUILDER)


def _position_asked(request: MemberRequest) -> int | None:
    raw = request.GET.get("position", "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


@builder_required
@require_GET
def kind_choose(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """The "Add Live Video Events" pop-up as a page, for a browser without JavaScript."""
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    context = {"course": lesson.course, "lesson": lesson, "position": _position_asked(request)}
    return render(request, "live_events/kind_page.html", context)


@builder_required
@require_GET
def event_new(request: MemberRequest, course_id: int, lesson_id: int) -> HttpResponse:
    """NEXT: the form of the chosen kind; a kind that cannot be had now says why."""
    lesson = lesson_get(organization=request.organization, course_id=course_id, lesson_id=lesson_id)
    kinds = live_event_kind_choices(organization=request.organization)
    chosen = next((kind for kind in kinds if kind.provider == request.GET.get("provider")), None)
    context = {
        "course": lesson.course,
        "lesson": lesson,
        "position": _position_asked(request),
        "chosen": chosen,
    }
    status = 200 if chosen is not None and chosen.available else 400
    return render(request, "live_events/event_new.html", context, status=status)
