"""Moving a meeting to another host: `PATCH /meetings/{id}` with `schedule_for`.

What Zoom documents and integrators report (reference §2.1, the PATCH spec's 400s):

- the meeting keeps its id, passcode, join link and registrants; only its host changes (so the
  host's start link changes, every registrant's personal link keeps working);
- the new host must be a user of the same account, active, and Licensed; so must the current host
  (scheduling privilege exists only between Licensed users of one account);
- the new host must have given the meeting's current host **scheduling privilege** (Zoom web
  portal, Settings → Schedule Privilege): that is how Zoom's own "transfer a meeting" works, and
  an account-level app is refused without it, with 3000 "You cannot schedule a meeting for …";
- instant meetings cannot be scheduled for anyone else;
- a value naming nobody is 300 "The value that you entered in the `schedule_for` field is
  invalid. …".
"""

from __future__ import annotations

from zoomsim.errors import ZoomErrorResponse
from zoomsim.meeting_validation import INSTANT
from zoomsim.model import LICENSED, Meeting, User
from zoomsim.state import State

INVALID_MESSAGE = (
    "The value that you entered in the `schedule_for` field is invalid. Enter a valid value and "
    "try again."
)
INSTANT_MESSAGE = (
    "Instant meetings do not support the `schedule_for` parameter, and you can't schedule an "
    "instant meeting for another user."
)


def cannot_schedule_for(value: str) -> ZoomErrorResponse:
    return ZoomErrorResponse(400, 3000, f"You cannot schedule a meeting for {value}")


def _user_named(state: State, value: str) -> User | None:
    found = state.users.get(value)
    if found is not None:
        return found
    wanted = value.strip().lower()
    return next((user for user in state.users.values() if user.email.lower() == wanted), None)


def new_host_of(state: State, meeting: Meeting, value: str) -> User | None:
    """The user `schedule_for` moves `meeting` to, or None when it names the current host (no
    move). Raises ZoomErrorResponse with Zoom's refusal otherwise."""
    if not value.strip():
        raise ZoomErrorResponse(400, 300, INVALID_MESSAGE)
    target = _user_named(state, value)
    if target is None:
        raise ZoomErrorResponse(400, 300, INVALID_MESSAGE)
    if target.id == meeting.host_id:
        return None
    if meeting.type == INSTANT:
        raise ZoomErrorResponse(400, 3000, INSTANT_MESSAGE)
    current = state.users.get(meeting.host_id)
    allowed = (
        current is not None
        and target.account_id == meeting.account_id
        and target.status == "active"
        and target.type == LICENSED
        and current.type == LICENSED
        and current.id in target.schedulers
    )
    if not allowed:
        raise cannot_schedule_for(value)
    return target
