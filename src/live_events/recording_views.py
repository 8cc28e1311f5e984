"""A session's recording files served to the people of the course, with Range support so the
lesson page's player can seek: 206 with Content-Range for a range, 416 for one past the end.
Learners not enrolled, people of other organizations and anonymous visitors get the same 404 (or
the sign-in page) as for a file that does not exist."""

from __future__ import annotations

from typing import cast

from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_safe

from live_events.recording_bytes import Unsatisfiable, requested_range, stored_bytes
from live_events.recording_selectors import live_event_recording_get_published
from organizations.access import member_required
from organizations.requests import MemberRequest

CONTENT_TYPES = {"MP4": "video/mp4", "VTT": "text/vtt", "TXT": "text/plain", "M4A": "audio/mp4"}


@require_safe
@member_required
def recording_file(request: MemberRequest, recording_id: int) -> HttpResponse:
    recording = live_event_recording_get_published(
        organization=request.organization, membership=request.membership, recording_id=recording_id
    )
    size = recording.file_size
    try:
        wanted = requested_range(request.headers.get("Range", ""), size)
    except Unsatisfiable:
        refused = HttpResponse(status=416)
        refused["Content-Range"] = f"bytes */{size}"
        return refused
    start, stop = wanted or (0, size)
    body = (
        stored_bytes(recording.file.storage, recording.file.name or "", start, stop)
        if request.method == "GET"
        else iter(())
    )
    response = StreamingHttpResponse(
        body,
        status=206 if wanted is not None else 200,
        content_type=CONTENT_TYPES.get(
            recording.file_extension.upper(), "application/octet-stream"
        ),
    )
    response["Accept-Ranges"] = "bytes"
    response["Content-Length"] = str(stop - start)
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    extension = recording.file_extension.lower()
    disposition = "attachment" if recording.file_type == "CHAT" else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="session-{recording.session_id}-{recording.file_type.lower()}'
        f'.{extension}"'
    )
    # People of the course only: no shared cache may keep it.
    response["Cache-Control"] = "private, no-store"
    # The guards are typed for HttpResponse; a streamed body is answered the same way.
    return cast(HttpResponse, response)
