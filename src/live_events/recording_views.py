"""A session's recording files served to the people of the course, with Range support so the
lesson page's player can seek: 206 with Content-Range for a range, 416 for one past the end.
Each answer carries a strong ETag and Last-Modified, so a resumed download can say `If-Range` (a
file changed since is sent whole, not spliced) and a revalidation gets 304.
Learners not enrolled, people of other organizations and anonymous visitors get the same 404 (or
the sign-in page) as for a file that does not exist."""

from __future__ import annotations

import hashlib
from typing import cast

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

from live_events.models import LiveEventRecording
from live_events.recording_bytes import Unsatisfiable, requested_range, stored_bytes
from live_events.recording_selectors import live_event_recording_get_published
from organizations.access import member_required
from organizations.requests import MemberRequest

# People of the course only: no shared cache may keep it.
PRIVATE = "private, no-store"
CONTENT_TYPES = {"MP4": "video/mp4", "VTT": "text/vtt", "TXT": "text/plain", "M4A": "audio/mp4"}


@require_safe
@member_required
def recording_file(request: MemberRequest, recording_id: int) -> HttpResponse:
    recording = live_event_recording_get_published(
        organization=request.organization, membership=request.membership, recording_id=recording_id
    )
    size = recording.file_size
    etag = recording_etag(recording)
    last_modified = int(recording.imported_at.timestamp()) if recording.imported_at else None
    validators = {"ETag": etag}
    if last_modified is not None:
        validators["Last-Modified"] = http_date(last_modified)
    not_modified = get_conditional_response(request, etag=etag, last_modified=last_modified)
    if not_modified is not None:  # 304 for If-None-Match / If-Modified-Since, 412 for If-Match
        for header, value in validators.items():
            not_modified[header] = value
        not_modified["Cache-Control"] = PRIVATE
        return not_modified
    range_header = request.headers.get("Range", "")
    if not _if_range_holds(request, etag=etag, last_modified=last_modified):
        range_header = ""  # the client's partial copy is of another file: send this one whole
    try:
        wanted = requested_range(range_header, size)
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
    for header, value in validators.items():
        response[header] = value
    response["Content-Length"] = str(stop - start)
    if wanted is not None:
        response["Content-Range"] = f"bytes {start}-{stop - 1}/{size}"
    extension = recording.file_extension.lower()
    disposition = "attachment" if recording.file_type == "CHAT" else "inline"
    response["Content-Disposition"] = (
        f'{disposition}; filename="session-{recording.session_id}-{recording.file_type.lower()}'
        f'.{extension}"'
    )
    response["Cache-Control"] = PRIVATE
    # The guards are typed for HttpResponse; a streamed body is answered the same way.
    return cast(HttpResponse, response)


def recording_etag(recording: LiveEventRecording) -> str:
    """A strong ETag: the stored file never changes in place (a new import stores a new name)."""
    identity = f"{recording.file.name}:{recording.file_size}".encode()
    return f'"{hashlib.sha256(identity).hexdigest()[:32]}"'


def _if_range_holds(request: HttpRequest, *, etag: str, last_modified: int | None) -> bool:
    """RFC 9110 §13.1.5: without If-Range the Range applies; with it, only when it names this
    very file — the same strong ETag, or exactly its Last-Modified date."""
    condition = request.headers.get("If-Range", "").strip()
    if not condition:
        return True
    if condition.startswith(('"', "W/")):
        return condition == etag  # strong comparison: a weak tag never matches
    date = parse_http_date_safe(condition)
    return date is not None and date == last_modified
