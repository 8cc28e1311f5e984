"""The Import button of a session whose recording is in Zoom but not on the lesson page (the
event does not upload by itself): Course Admins only, POST only; it schedules the same import
work as an automatic upload."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from live_events.recording_services import live_event_recordings_to_import
from live_events.selectors import live_event_session_get
from organizations.access import course_admin_required
from organizations.requests import MemberRequest
from zoom_integration.services.recordings import zoom_recordings_import_request


@require_POST
@course_admin_required
def recording_import(request: MemberRequest, session_id: int) -> HttpResponse:
    session = live_event_session_get(organization=request.organization, session_id=session_id)
    component = session.event.lesson_component
    if component is None:
        raise Http404("No such session.")
    scheduled = zoom_recordings_import_request(
        session=session, recording_ids=live_event_recordings_to_import(session=session)
    )
    if scheduled:
        messages.success(request, "Importing the recording from Zoom: it appears here when done.")
    else:
        messages.error(request, "There is no recording to import (or Zoom is not connected).")
    lesson = component.lesson
    return redirect(
        reverse("courses:lesson", args=[lesson.course_id, lesson.pk]) + f"#session-{session.pk}"
    )
