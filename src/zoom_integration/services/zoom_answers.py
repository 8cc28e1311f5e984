"""Zoom's answers to the after-meeting work (attendance, recordings) in words for the session's
status and the Course Admins' email: one wording for both. Never a secret: zoomclient keeps
response bodies out of its errors, only Zoom's message and code."""

from __future__ import annotations

from collections.abc import Mapping

from zoomclient import ZoomAPIError, ZoomError, ZoomServerError, ZoomTransportError

REASON_UNREACHABLE = "Zoom could not be reached"
REASON_ZOOM_ERROR = "Zoom had a problem on its side"


def zoom_answer_in_words(error: ZoomError, *, not_yet: Mapping[int, str]) -> str:
    """`not_yet` maps Zoom's "not ready yet" codes of the endpoint (3001 for reports, 3301 for
    recordings) to what they mean there."""
    if isinstance(error, ZoomTransportError):
        return REASON_UNREACHABLE
    if isinstance(error, ZoomServerError):
        return REASON_ZOOM_ERROR
    if isinstance(error, ZoomAPIError) and error.code is not None and error.code in not_yet:
        return not_yet[error.code]
    message = getattr(error, "message", "") or str(error)
    code = getattr(error, "code", None)
    return f"Zoom refused: “{message}” (Zoom error {code})"
