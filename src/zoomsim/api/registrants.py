"""Meeting registrants: add one, add a batch, list, change status, delete.

Every learner joins through a personal link (`join_url` with a registrant token), which is how
attendance is matched to people later.

https://developers.zoom.us/docs/api/meetings/#tag/meetings/POST/meetings/{meetingId}/registrants
"""

from __future__ import annotations

import secrets

from starlette.responses import Response

from zoomsim.api.meetings import find_meeting, reject_occurrences
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import ZoomErrorResponse, invalid_parameter
from zoomsim.meeting_json import (
    MANUAL_APPROVAL,
    registrant_created,
    registrant_join_fields,
    registrant_list_item,
    registration_enabled,
)
from zoomsim.meeting_validation import SCHEDULED
from zoomsim.model import LICENSED, Meeting, Registrant
from zoomsim.page_tokens import requested_page
from zoomsim.ratelimit import charge_registration
from zoomsim.registrant_validation import (
    RegistrantInput,
    parse_batch_body,
    parse_registrant_body,
    parse_status_body,
)
from zoomsim.state import State

MAX_REGISTRANTS = 4999
REGISTRANT_STATUSES = ("pending", "approved", "denied")


def _meeting_missing_1001(ref: object) -> ZoomErrorResponse:
    # Add-registrant is the one meeting endpoint whose spec gives 404 with code 1001 (not 3001)
    # for an unknown meeting (Meetings spec [B]; reference §2).
    return ZoomErrorResponse(404, 1001, f"Meeting does not exist: {ref}.")


def _require_licensed_host(state: State, meeting: Meeting) -> None:
    host = state.users.get(meeting.host_id)
    if host is None or host.type != LICENSED or host.status != "active":
        raise ZoomErrorResponse(
            400,
            3161,
            "Meeting hosting and scheduling capabilities are not allowed for your user account.",
        )


def _require_registration(meeting: Meeting) -> None:
    # HTTP 400 with code 404: the newest spec's batch_registrants text (the 2023 spec said HTTP
    # 404); add-registrant documents nothing for this case and Zoom's backend gives the same.
    if not registration_enabled(meeting):
        raise ZoomErrorResponse(
            400, 404, f"Registration has not been enabled for this meeting: {meeting.id}."
        )


def _registrants_of(state: State, meeting: Meeting) -> list[Registrant]:
    return sorted(
        (item for item in state.registrants.values() if item.meeting_id == meeting.id),
        key=lambda item: (item.create_time, item.id),
    )


def _by_email(state: State, meeting: Meeting) -> dict[str, Registrant]:
    return {item.email.lower(): item for item in _registrants_of(state, meeting)}


def _require_room(state: State, meeting: Meeting, new_people: int) -> None:
    taken = sum(1 for item in _registrants_of(state, meeting) if item.status != "denied")
    if taken + new_people > MAX_REGISTRANTS:
        raise ZoomErrorResponse(400, 3043, "Meeting has reached maximum attendee capacity.")


def _personal_join_url(state: State, meeting: Meeting) -> str:
    return f"{state.knobs.base_url}/w/{meeting.id}?tk={secrets.token_urlsafe(32)}"


def _register(
    state: State, meeting: Meeting, person: RegistrantInput, *, auto_approve: bool
) -> Registrant:
    """Add `person`, or give back their registration: Zoom answers a second add of the same email
    with the registrant it already has. A denied or cancelled one registers anew."""
    approved = auto_approve or meeting.settings.get("approval_type") != MANUAL_APPROVAL
    status = "approved" if approved else "pending"
    existing = _by_email(state, meeting).get(person.email.lower())
    if existing is not None and existing.status != "denied":
        return existing
    if existing is not None:
        existing.status = status
        existing.first_name, existing.last_name = person.first_name, person.last_name
        existing.extra = {**existing.extra, **person.extra}
        if approved and not existing.join_url:
            existing.join_url = _personal_join_url(state, meeting)
        return existing
    registrant = Registrant(
        id=secrets.token_urlsafe(16),
        meeting_id=meeting.id,
        email=person.email,
        first_name=person.first_name,
        last_name=person.last_name,
        status=status,
        # Manual approval: no personal link until the host approves (reference §2.1).
        join_url=_personal_join_url(state, meeting) if approved else "",
        create_time=state.now(),
        participant_pin_code=100_000 + secrets.randbelow(900_000),
        extra=dict(person.extra),
    )
    state.registrants[registrant.id] = registrant
    return registrant


def _new_people(state: State, meeting: Meeting, people: list[RegistrantInput]) -> int:
    known = {email for email, item in _by_email(state, meeting).items() if item.status != "denied"}
    return len({person.email.lower() for person in people} - known)


@api(
    "POST",
    "/meetings/{meetingId}/registrants",
    category="Light",
    scopes=(
        "meeting:write:admin",
        "meeting:write",
        "meeting:write:registrant:admin",
        "meeting:write:registrant",
    ),
)
async def add_registrant(ctx: ApiContext) -> Response:
    state = ctx.state
    meeting = find_meeting(ctx, not_found=_meeting_missing_1001)
    reject_occurrences(ctx, "occurrence_ids")
    request = parse_registrant_body(await ctx.json_body())
    _require_licensed_host(state, meeting)
    _require_registration(meeting)
    _require_room(state, meeting, _new_people(state, meeting, request.registrants))
    person = request.registrants[0]
    # Counted per registrant email and meeting, repeats included: 3 a day (reference §2.1).
    charge_registration(state, meeting.id, person.email)
    registrant = _register(state, meeting, person, auto_approve=request.auto_approve)
    return ctx.json(registrant_created(registrant, meeting), status=201)


@api(
    "POST",
    "/meetings/{meetingId}/batch_registrants",
    category="Heavy",
    scopes=(
        "meeting:write:admin",
        "meeting:write",
        "meeting:write:batch_registrants:admin",
        "meeting:write:batch_registrants",
    ),
)
async def add_batch_registrants(ctx: ApiContext) -> Response:
    state = ctx.state
    meeting = find_meeting(ctx)
    request = parse_batch_body(await ctx.json_body())
    _require_licensed_host(state, meeting)
    if meeting.type != SCHEDULED:
        raise ZoomErrorResponse(
            400,
            303,
            "This API can only be used for scheduled meeting(meeting type: 2). Batch "
            "registration is not supported for other meeting types.",
        )
    _require_registration(meeting)
    _require_room(state, meeting, _new_people(state, meeting, request.registrants))
    added = [
        _register(state, meeting, person, auto_approve=request.auto_approve)
        for person in request.registrants
    ]
    return ctx.json(
        {
            "registrants": [
                {
                    "email": registrant.email,
                    "registrant_id": registrant.id,
                    **registrant_join_fields(registrant),
                    "participant_pin_code": registrant.participant_pin_code,
                }
                for registrant in added
            ]
        },
        status=201,
    )


@api(
    "GET",
    "/meetings/{meetingId}/registrants",
    category="Medium",
    scopes=(
        "meeting:read:admin",
        "meeting:read",
        "meeting:read:list_registrants:admin",
        "meeting:read:list_registrants",
    ),
)
async def list_registrants(ctx: ApiContext) -> Response:
    state = ctx.state
    meeting = find_meeting(ctx)
    status = ctx.query("status", "approved")
    if status not in REGISTRANT_STATUSES:
        raise invalid_parameter("status")
    matching = [item for item in _registrants_of(state, meeting) if item.status == status]
    page = requested_page(ctx, matching, listing=f"registrants:{meeting.id}:{status}")
    return ctx.json(page.body("registrants", [registrant_list_item(item) for item in page.items]))


# Which status each action moves a registrant from, and to. `cancel` withdraws an approved
# registration and `deny` refuses a pending one; Zoom lists both under status=denied.
_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "approve": (("pending", "denied"), "approved"),
    "deny": (("pending",), "denied"),
    "cancel": (("approved",), "denied"),
}


@api(
    "PUT",
    "/meetings/{meetingId}/registrants/status",
    category="Medium",
    scopes=(
        "meeting:write:admin",
        "meeting:write",
        "meeting:update:registrant_status:admin",
        "meeting:update:registrant_status",
    ),
)
async def update_registrant_status(ctx: ApiContext) -> Response:
    state = ctx.state
    meeting = find_meeting(ctx)
    reject_occurrences(ctx)
    change = parse_status_body(await ctx.json_body())
    registrants = _registrants_of(state, meeting)
    by_id = {item.id: item for item in registrants}
    by_email = {item.email.lower(): item for item in registrants}
    sources, target_status = _TRANSITIONS[change.action]
    for target in change.targets:
        # Entries naming no registrant of this meeting are skipped, as Zoom does.
        registrant = by_id.get(target.get("id", "")) or by_email.get(
            target.get("email", "").lower()
        )
        if registrant is None or registrant.status not in sources:
            continue
        registrant.status = target_status
        if target_status == "approved" and not registrant.join_url:
            registrant.join_url = _personal_join_url(state, meeting)
    return ctx.no_content()


@api(
    "DELETE",
    "/meetings/{meetingId}/registrants/{registrantId}",
    category="Light",
    scopes=(
        "meeting:write:admin",
        "meeting:write",
        "meeting:delete:registrant:admin",
        "meeting:delete:registrant",
    ),
)
async def delete_registrant(ctx: ApiContext) -> Response:
    state = ctx.state
    meeting = find_meeting(ctx)
    reject_occurrences(ctx)
    if not registration_enabled(meeting):
        raise ZoomErrorResponse(
            400, 300, f"Registration has not been enabled for this meeting: {meeting.id}."
        )
    registrant = state.registrants.get(ctx.param("registrantId"))
    if registrant is None or registrant.meeting_id != meeting.id:
        raise ZoomErrorResponse(
            400,
            300,
            "The value that you entered for the Registrant ID field is invalid. Enter a valid "
            "value and try again.",
        )
    del state.registrants[registrant.id]
    return ctx.no_content()
