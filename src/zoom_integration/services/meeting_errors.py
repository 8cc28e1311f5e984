"""Zoom's errors about meetings, hosts and registrants, as sentences a course builder can act on.

Zoom answers with a code and a terse message ("Validation Failed.", 3161, 1001); the builder
needs to know what went wrong and what to do. `retryable` says whether the same request may work
later without anyone changing anything (Zoom down, a 5xx): the work then retries with backoff,
and the session keeps "waiting for Zoom"; otherwise the session is marked failed with the
sentence, and the builder changes something and saves again.
"""

from __future__ import annotations

from dataclasses import dataclass

from zoomclient import (
    ZoomAPIError,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomScopeMissing,
    ZoomServerError,
    ZoomTransportError,
    ZoomUnauthorized,
    ZoomValidationError,
)

# Zoom's error codes met here (reference §3; the meeting and registrant endpoints' specs).
CODE_NO_PERMISSION = 200
CODE_NOT_TYPE_2 = 303
CODE_REGISTRATION_OFF = 404
CODE_USER_NOT_FOUND = 1001
CODE_USER_NOT_IN_ACCOUNT = 1010
CODE_CANNOT_SCHEDULE = 3000
CODE_MEETING_NOT_FOUND = 3001
CODE_MEETING_FULL = 3043
CODE_HOSTING_NOT_ALLOWED = 3161

# Zoom's names of meeting fields, as the form calls them.
_FIELD_NAMES = {
    "topic": "Topic",
    "agenda": "Description",
    "start_time": "Start Time",
    "timezone": "Time Zone",
    "duration": "Duration",
    "settings.alternative_hosts": "Alternative Hosts",
}


@dataclass(frozen=True)
class ZoomProblem:
    sentence: str
    retryable: bool


def zoom_problem(error: ZoomError, *, host_email: str = "") -> ZoomProblem:
    """What to tell the builder about `error`, met while scheduling for `host_email`."""
    host = host_email or "the host"
    if isinstance(error, ZoomTransportError):
        return ZoomProblem("Zoom could not be reached; Campus keeps trying.", retryable=True)
    if isinstance(error, ZoomServerError):
        return ZoomProblem("Zoom had a problem on its side; Campus keeps trying.", retryable=True)
    if isinstance(error, ZoomRateLimited):
        return ZoomProblem(
            "Zoom's limit of meeting changes for today is reached; Campus sends the rest after "
            "Zoom's limits reset.",
            retryable=True,
        )
    if isinstance(error, ZoomScopeMissing):
        scopes = ", ".join(error.missing_scopes) or "a permission it needs"
        return ZoomProblem(
            f"Campus's Zoom app lacks {scopes}. An Org Admin must re-authenticate the Zoom "
            "connection in Admin Tools, then save the event again.",
            retryable=False,
        )
    if isinstance(error, ZoomUnauthorized):
        return ZoomProblem(
            "Zoom refused Campus's connection. An Org Admin must re-authenticate it in Admin "
            "Tools.",
            retryable=False,
        )
    if isinstance(error, ZoomValidationError):
        return ZoomProblem(_validation_sentence(error), retryable=False)
    if isinstance(error, ZoomAPIError):
        return ZoomProblem(_api_sentence(error, host), retryable=False)
    return ZoomProblem("Zoom answered in a way Campus did not expect; Campus keeps trying.", True)


def _validation_sentence(error: ZoomValidationError) -> str:
    fields = [_FIELD_NAMES.get(item.field, item.field) for item in error.field_errors]
    if fields:
        return (
            f"Zoom refused these details of the meeting: {', '.join(fields)}. Correct them and "
            "save again."
        )
    return f"Zoom refused the meeting's details (“{error.message}”). Correct them and save again."


def _api_sentence(error: ZoomAPIError, host: str) -> str:
    code = error.code
    if isinstance(error, ZoomNotFound) and code == CODE_MEETING_NOT_FOUND:
        return "The meeting no longer exists at Zoom (it was deleted there)."
    if code in (CODE_USER_NOT_FOUND, CODE_USER_NOT_IN_ACCOUNT):
        if "alternative host" in error.message.lower():
            return (
                f"Zoom refused an alternative host ({error.message.rstrip('.')}): each must be an "
                "active, licensed user of your organization's Zoom account other than the host."
            )
        return (
            f"Zoom does not know {host} in your organization's Zoom account. Check the email, or "
            "ask your Zoom admin to add them."
        )
    if code == CODE_HOSTING_NOT_ALLOWED:
        return (
            f"Zoom does not allow {host} to host this meeting: their Zoom user is pending, "
            "deactivated or unlicensed. Ask your Zoom admin, or choose another host."
        )
    if code == CODE_CANNOT_SCHEDULE:
        return (
            "Zoom does not allow changing or deleting this meeting now (it has started, or "
            f"Campus may not schedule for {host}). Try again after it ends."
        )
    if code == CODE_NO_PERMISSION:
        return (
            f"Zoom says this needs a paid plan or a permission {host} lacks (“{error.message}”). "
            "Ask your Zoom admin."
        )
    if code == CODE_REGISTRATION_OFF:
        return (
            "Registration was turned off for this meeting at Zoom, so learners cannot get their "
            "own links. Save the event again to turn it back on."
        )
    if code == CODE_MEETING_FULL:
        return "The meeting is full: Zoom takes at most 4,999 registrants per meeting."
    if code == CODE_NOT_TYPE_2:
        return "Zoom registers learners in batches only for scheduled (non-recurring) meetings."
    return f"Zoom refused: “{error.message}” (Zoom error {code or error.status})."
