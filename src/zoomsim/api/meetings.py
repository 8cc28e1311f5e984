"""Meetings: create and list for a host, get, update and delete by id.

https://developers.zoom.us/docs/api/meetings/#tag/meetings
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from zoomsim.api.users import find_user
from zoomsim.clock import iso
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import ZoomErrorResponse, invalid_parameter, meeting_not_found
from zoomsim.host_transfer import new_host_of
from zoomsim.meeting_json import (
    DEFAULT_SETTINGS,
    meeting_event_object,
    meeting_json,
    meeting_list_item,
)
from zoomsim.meeting_validation import (
    INSTANT,
    RECURRING_NO_FIXED_TIME,
    SCHEDULED,
    AlternativeHostRefused,
    MeetingInput,
    alternative_host_emails,
    parse_meeting_body,
    utc_start_time,
)
from zoomsim.model import Meeting, User
from zoomsim.page_tokens import requested_page
from zoomsim.ratelimit import charge_host_meeting_write
from zoomsim.state import State
from zoomsim.uuids import new_uuid

DEFAULT_TOPIC = "Zoom Meeting"
DEFAULT_DURATION = 60
STARTED_MESSAGE = "You cannot update or delete meetings that have started using this method."
LIST_TYPES = ("scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings")


# --- shared by the meeting and registrant endpoints -----------------------------------------------


def find_meeting(
    ctx: ApiContext, not_found: Callable[[object], ZoomErrorResponse] = meeting_not_found
) -> Meeting:
    """The live meeting of the token's account named by the numeric id in the path."""
    ref = ctx.meeting_ref()
    meeting = ctx.state.meetings.get(ref) if ref.isdigit() else None
    if meeting is None or meeting.deleted or meeting.account_id != ctx.account.id:
        raise not_found(ref)
    return meeting


def reject_occurrences(ctx: ApiContext, name: str = "occurrence_id") -> None:
    # zoomsim models no occurrences of recurring meetings, so any occurrence id is one Zoom
    # would not know.
    if ctx.query(name):
        raise invalid_parameter(name)


def may_not_host() -> ZoomErrorResponse:
    return ZoomErrorResponse(
        400, 3161, "Your user account is not allowed meeting hosting and scheduling capabilities."
    )


def _require_active_host(host: User) -> None:
    # Pending (invitation not accepted) and deactivated users cannot host (reference §2).
    if host.status != "active":
        raise may_not_host()


def _alternative_hosts(state: State, host: User, raw: str) -> str:
    try:
        return alternative_host_emails(state, host, raw)
    except AlternativeHostRefused as refused:
        # Zoom documents no code for this (reference §2.1), so status and code are knobs.
        raise ZoomErrorResponse(
            state.knobs.alt_host_error_status,
            state.knobs.alt_host_error_code,
            f"Invalid alternative host: {refused.entry}.",
        ) from refused


def _merged_settings(
    state: State, host: User, current: dict[str, Any], requested: dict[str, Any]
) -> dict[str, Any]:
    """`requested` over `current`, as Zoom stores them: alternative hosts checked and kept as
    emails, and join-before-host off whenever the waiting room is on (Zoom turns it off)."""
    settings = {**current, **requested}
    if "alternative_hosts" in requested:
        settings["alternative_hosts"] = _alternative_hosts(
            state, host, requested["alternative_hosts"]
        )
    if settings.get("waiting_room"):
        settings["join_before_host"] = False
    return settings


def _new_password() -> str:
    return str(100_000 + secrets.randbelow(900_000))


def _start_time(meeting_type: int, raw: str | None, timezone: str, now: float) -> float | None:
    if meeting_type == RECURRING_NO_FIXED_TIME:
        return None
    if meeting_type == INSTANT or raw is None:
        # A scheduled meeting without start_time starts "now" (Zoom treats it like an instant
        # meeting that stays valid for 30 days).
        return now
    return utc_start_time(raw, timezone)


def _emit(ctx: ApiContext, event: str, obj: dict[str, Any], **more: Any) -> None:
    # meeting.updated/deleted carry operator fields inside `payload`, beside `object`; the event
    # sink builds `payload` from `obj` alone, so the whole payload is given. Their shapes differ
    # (Zoom's meetings events spec, as typed in rivet-javascript's meetings.d.ts):
    # meeting.updated has `time_stamp` and `old_object` (and `scope` only for occurrences of
    # recurring meetings, which zoomsim does not model); meeting.deleted has `operation` ("all":
    # the whole meeting, not one occurrence) and no `time_stamp`.
    operator = ctx.acting_user()
    payload = {
        "account_id": ctx.account.id,
        "operator": operator.email,
        "operator_id": operator.id,
        "object": obj,
        **more,
    }
    ctx.sim.emit(ctx.account.id, event, obj, payload=payload)


# --- create --------------------------------------------------------------------------------------


@api(
    "POST",
    "/users/{userId}/meetings",
    category="Medium",
    scopes=(
        "meeting:write:admin",
        "meeting:write",
        "meeting:write:meeting:admin",
        "meeting:write:meeting",
    ),
)
async def create_meeting(ctx: ApiContext) -> Response:
    state = ctx.state
    host = find_user(ctx, ctx.param("userId"))
    _require_active_host(host)
    request = parse_meeting_body(await ctx.json_body())
    timezone = request.fields.get("timezone") or host.timezone
    meeting_type = request.fields.get("type", SCHEDULED)
    settings = _merged_settings(state, host, DEFAULT_SETTINGS, request.settings)
    password = request.fields.get("password")
    if password is None:
        password = "" if request.extras.get("default_password") is False else _new_password()
    now = state.now()
    start_time = _start_time(meeting_type, request.start_time, timezone, now)
    charge_host_meeting_write(state, host.id)  # last check: a refused create is not counted

    meeting = Meeting(
        id=state.new_meeting_id(),
        uuid=new_uuid(state),
        account_id=host.account_id,
        host_id=host.id,
        topic=request.fields.get("topic") or DEFAULT_TOPIC,
        type=meeting_type,
        start_time=start_time,
        duration=request.fields.get("duration", DEFAULT_DURATION),
        timezone=timezone,
        agenda=request.fields.get("agenda", ""),
        password=password,
        settings=settings,
        created_at=now,
        tracking=dict(request.extras),
    )
    state.meetings[str(meeting.id)] = meeting
    return ctx.json(meeting_json(meeting, state), status=201)


# --- list and get --------------------------------------------------------------------------------


def _listed(meeting: Meeting, kind: str, now: float) -> bool:
    started = meeting.status == "started"
    if kind == "live":
        return started
    ends = None if meeting.start_time is None else meeting.start_time + meeting.duration * 60
    if kind == "previous_meetings":
        return not started and ends is not None and ends < now
    if kind in ("upcoming", "upcoming_meetings"):
        return started or meeting.start_time is None or meeting.start_time >= now
    return True  # scheduled: every meeting that is not deleted


@api(
    "GET",
    "/users/{userId}/meetings",
    category="Medium",
    scopes=(
        "meeting:read:admin",
        "meeting:read",
        "meeting:read:list_meetings:admin",
        "meeting:read:list_meetings",
    ),
)
async def list_meetings(ctx: ApiContext) -> Response:
    state = ctx.state
    host = find_user(ctx, ctx.param("userId"))
    kind = ctx.query("type", "scheduled")
    if kind not in LIST_TYPES:
        raise invalid_parameter("type")
    now = state.now()
    meetings = sorted(
        (
            meeting
            for meeting in state.meetings.values()
            if meeting.host_id == host.id and not meeting.deleted and _listed(meeting, kind, now)
        ),
        key=lambda meeting: (meeting.start_time or meeting.created_at, meeting.id),
    )
    page = requested_page(ctx, meetings, listing=f"meetings:{host.id}:{kind}")
    rows = [meeting_list_item(meeting, state) for meeting in page.items]
    return ctx.json(page.body("meetings", rows))


@api(
    "GET",
    "/meetings/{meetingId}",
    category="Light",
    scopes=(
        "meeting:read:admin",
        "meeting:read",
        "meeting:read:meeting:admin",
        "meeting:read:meeting",
    ),
)
async def get_meeting(ctx: ApiContext) -> Response:
    return ctx.json(meeting_json(find_meeting(ctx), ctx.state))


# --- update --------------------------------------------------------------------------------------


def meeting_changes(meeting: Meeting, request: MeetingInput, state: State) -> dict[str, Any]:
    """The Meeting attributes `request` changes, with their new values (nothing applied yet)."""
    changes: dict[str, Any] = {
        key: value for key, value in request.fields.items() if getattr(meeting, key) != value
    }
    # `schedule_for` on an update moves the meeting to another host (zoomsim/host_transfer.py);
    # it is acted on, not kept like the other request-only fields.
    schedule_for = request.extras.pop("schedule_for", None)
    new_host = new_host_of(state, meeting, schedule_for) if schedule_for is not None else None
    if new_host is not None:
        changes["host_id"] = new_host.id
    timezone = changes.get("timezone", meeting.timezone)
    meeting_type = changes.get("type", meeting.type)
    if meeting_type == RECURRING_NO_FIXED_TIME:
        start_time = None
    elif request.start_time is not None:
        start_time = utc_start_time(request.start_time, timezone)
    elif meeting.start_time is None or meeting_type == INSTANT:
        start_time = state.now()
    else:
        start_time = meeting.start_time
    if start_time != meeting.start_time:
        changes["start_time"] = start_time
    if request.settings:
        host = new_host or state.users[meeting.host_id]
        # PATCH merges settings into the meeting's.
        settings = _merged_settings(state, host, meeting.settings, request.settings)
        if settings != meeting.settings:
            changes["settings"] = settings
    tracking = {**meeting.tracking, **request.extras}
    if tracking != meeting.tracking:
        changes["tracking"] = tracking
    return changes


def as_event_fields(
    meeting: Meeting, changes: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(object, old_object) of meeting.updated: id and uuid plus the changed fields, as JSON."""
    new: dict[str, Any] = {"id": meeting.id, "uuid": meeting.uuid}
    old: dict[str, Any] = {"id": meeting.id, "uuid": meeting.uuid}
    for key, value in changes.items():
        before = getattr(meeting, key)
        if key == "start_time":
            new[key] = iso(value) if value is not None else ""
            old[key] = iso(before) if before is not None else ""
        elif key == "settings":
            changed = {name for name in value if before.get(name) != value[name]}
            new[key] = {name: value[name] for name in sorted(changed)}
            old[key] = {name: before.get(name) for name in sorted(changed)}
        elif key == "tracking":
            changed = {name for name in value if before.get(name) != value[name]}
            new.update({name: value[name] for name in changed})
            old.update({name: before.get(name) for name in changed})
        else:
            new[key], old[key] = value, before
    return new, old


@api(
    "PATCH",
    "/meetings/{meetingId}",
    category="Light",
    scopes=(
        "meeting:write:admin",
        "meeting:write",
        "meeting:update:meeting:admin",
        "meeting:update:meeting",
    ),
)
async def update_meeting(ctx: ApiContext) -> Response:
    state = ctx.state
    meeting = find_meeting(ctx)
    request = parse_meeting_body(await ctx.json_body())
    if meeting.status == "started":
        raise ZoomErrorResponse(400, 3000, STARTED_MESSAGE)
    reject_occurrences(ctx)
    changes = meeting_changes(meeting, request, state)
    # Every PATCH counts against the host's 100 a day, even one that changes nothing: that is
    # why clients should skip no-op updates (reference §7, pitfall 7).
    charge_host_meeting_write(state, meeting.host_id)
    new_object, old_object = as_event_fields(meeting, changes)
    for key, value in changes.items():
        setattr(meeting, key, value)
    if changes:
        _emit(
            ctx,
            "meeting.updated",
            new_object,
            time_stamp=int(state.now() * 1000),
            old_object=old_object,
        )
    return ctx.no_content()


# --- delete --------------------------------------------------------------------------------------


def _boolean_query(ctx: ApiContext, name: str) -> bool:
    raw = ctx.query(name).lower()
    if raw not in ("", "true", "false"):
        raise invalid_parameter(name)
    return raw == "true"


@api(
    "DELETE",
    "/meetings/{meetingId}",
    category="Light",
    scopes=(
        "meeting:write:admin",
        "meeting:write",
        "meeting:delete:meeting:admin",
        "meeting:delete:meeting",
    ),
)
async def delete_meeting(ctx: ApiContext) -> Response:
    state = ctx.state
    meeting = find_meeting(ctx)
    reject_occurrences(ctx)
    schedule_for_reminder = _boolean_query(ctx, "schedule_for_reminder")
    cancel_meeting_reminder = _boolean_query(ctx, "cancel_meeting_reminder")
    if meeting.status == "started":
        raise ZoomErrorResponse(400, 3000, STARTED_MESSAGE)
    meeting.deleted = True
    # Which cancellation emails Zoom would have sent (host and alternative hosts; registrants),
    # for the control API to show.
    meeting.tracking["deleted_with"] = {
        "deleted_at": iso(state.now()),
        "schedule_for_reminder": schedule_for_reminder,
        "cancel_meeting_reminder": cancel_meeting_reminder,
    }
    _emit(ctx, "meeting.deleted", meeting_event_object(meeting), operation="all")
    return ctx.no_content()
