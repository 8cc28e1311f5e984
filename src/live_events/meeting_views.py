"""A session whose meeting was deleted at Zoom: a Course Builder recreates it from the lesson page.
Thin: who may (builders; everyone else 404), one service, back to the session."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from live_events.selectors import live_event_session_get, session_registered_count
from live_events.services import live_event_session_retry
from live_events.views import builder_required
from organizations.requests import MemberRequest


@builder_required
@require_POST
def session_recreate(request: MemberRequest, session_id: int) -> HttpResponse:
    session = live_event_session_get(organization=request.organization, session_id=session_id)
    component = session.event.lesson_component
    if component is None:
        raise Http404("No such session.")
    lesson = component.lesson
    try:
        live_event_session_retry(organization=request.organization, session=session)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
    else:
        registered = session_registered_count(session=session)
        learners = (
            "the 1 registered learner is"
            if registered == 1
            else f"the {registered} registered learners are"
        )
        messages.success(
            request,
            "A new Zoom meeting is being scheduled for this session. Learners' join links change: "
            f"{learners} registered on the new meeting and emailed the new link.",
        )
    url = reverse("courses:lesson", args=[lesson.course_id, lesson.pk])
    return redirect(f"{url}#session-{session.pk}")
