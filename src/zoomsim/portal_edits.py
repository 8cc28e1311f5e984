"""A host changing their own meeting in Zoom's web portal or app, through the control API:
`PATCH /_sim/meetings/{id}` (a body like the REST API's PATCH) and `DELETE /_sim/meetings/{id}`.

Zoom sends the same `meeting.updated` / `meeting.deleted` as for a change through the API, with
the host as `operator`; the portal is no API call, so nothing is counted against rate limits.
The same checks as the API apply (a started meeting cannot be changed; bad fields are Zoom's
validation errors), and a deleted meeting is gone for the API afterwards (3001).
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zoomsim.api.meetings import STARTED_MESSAGE, as_event_fields, meeting_changes
from zoomsim.clock import iso
from zoomsim.control_requests import json_object
from zoomsim.errors import ZoomErrorResponse, control_bad_request, control_not_found
from zoomsim.meeting_json import meeting_event_object, meeting_json
from zoomsim.meeting_validation import parse_meeting_body
from zoomsim.model import Meeting
from zoomsim.sim import Simulator, sim_of
from zoomsim.whole_numbers import whole_number


def _live_meeting(request: Request) -> Meeting:
    meeting_id = whole_number(request.path_params["meeting_id"])
    if meeting_id is None:
        raise control_bad_request("The meeting id is a number.")
    meeting = sim_of(request).state.meetings.get(str(meeting_id))
    if meeting is None or meeting.deleted:
        raise control_not_found(f"No meeting {meeting_id}.")
    if meeting.status == "started":
        raise ZoomErrorResponse(400, 3000, STARTED_MESSAGE)
    return meeting


def _emit_as_host(sim: Simulator, meeting: Meeting, event: str, **payload: Any) -> None:
    host = sim.state.users.get(meeting.host_id)
    body = {
        "account_id": meeting.account_id,
        "operator": host.email if host else "",
        "operator_id": meeting.host_id,
        **payload,
    }
    sim.emit(meeting.account_id, event, payload["object"], payload=body)
    sim.changed()


async def portal_update(request: Request) -> Response:
    sim = sim_of(request)
    state = sim.state
    meeting = _live_meeting(request)
    parsed = parse_meeting_body(await json_object(request))
    changes = meeting_changes(meeting, parsed, state)
    new_object, old_object = as_event_fields(meeting, changes)
    for key, value in changes.items():
        setattr(meeting, key, value)
    if changes:
        _emit_as_host(
            sim,
            meeting,
            "meeting.updated",
            object=new_object,
            time_stamp=int(state.now() * 1000),
            old_object=old_object,
        )
    return JSONResponse(meeting_json(meeting, state))


async def portal_delete(request: Request) -> Response:
    sim = sim_of(request)
    meeting = _live_meeting(request)
    meeting.deleted = True
    meeting.tracking["deleted_with"] = {
        "deleted_at": iso(sim.state.now()),
        "schedule_for_reminder": False,
        "cancel_meeting_reminder": False,
        "in_portal": True,
    }
    _emit_as_host(
        sim, meeting, "meeting.deleted", operation="all", object=meeting_event_object(meeting)
    )
    return Response(status_code=204)
