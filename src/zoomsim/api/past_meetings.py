"""Past meetings: one ended instance, the list of ended instances, and its participants.

https://developers.zoom.us/docs/api/meetings/#tag/meetings/GET/past_meetings/{meetingId}

A numeric meeting id means the meeting's latest ended instance; anything else is an instance UUID
(decoded as Zoom does, see `ApiContext.meeting_ref`). Nothing is there before the instance ended
and its report was processed (knob `report_delay`), nor after a year (12702).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from starlette.responses import Response

from zoomsim.clock import iso
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import ZoomErrorResponse, meeting_not_found
from zoomsim.happenings import instance_segments
from zoomsim.model import Instance, Segment
from zoomsim.page_tokens import requested_page
from zoomsim.state import State
from zoomsim.whole_numbers import whole_number

YEAR = 365 * 24 * 3600
PAST_INSTANCES_WINDOW = 15 * 30 * 24 * 3600  # Zoom lists ended instances of the last 15 months


def account_instances(state: State, account_id: str, meeting_id: int) -> list[Instance]:
    """The meeting's instances in this account, oldest first."""
    found = [i for i in state.instances_of(meeting_id) if i.account_id == account_id]
    return sorted(found, key=lambda i: i.start_time)


def account_instance(ctx: ApiContext, uuid: str) -> Instance | None:
    """The instance with this UUID, if it belongs to the token's account."""
    instance = ctx.state.instances.get(uuid)
    return instance if instance is not None and instance.account_id == ctx.account.id else None


def processed_instance(ctx: ApiContext, not_found: Callable[[str], ZoomErrorResponse]) -> Instance:
    """The ended instance `{meetingId}` names, once its report is ready, or `not_found(ref)`.

    Zoom answers a report asked for too early with the same 3001 as an unknown meeting (reference
    §6): clients must retry later rather than take 3001 for "deleted"."""
    state = ctx.state
    ref = ctx.meeting_ref()
    now = state.now()
    instance: Instance | None
    number = whole_number(ref)
    if number is not None:
        ended = [
            i for i in account_instances(state, ctx.account.id, number) if i.end_time is not None
        ]
        instance = max(ended, key=lambda i: i.end_time or 0.0) if ended else None
    else:
        instance = account_instance(ctx, ref)
    if instance is None or instance.end_time is None:
        raise not_found(ref)
    if instance.start_time < now - YEAR:
        raise ZoomErrorResponse(400, 12702, "Can not access meeting a year ago.")
    if instance.report_available_at is not None and instance.report_available_at > now:
        raise not_found(ref)
    return instance


def reported_segments(state: State, instance: Instance) -> list[Segment]:
    """Every join segment, one row each. Zoom reports only meetings with 2 or more people."""
    segments = instance_segments(state, instance)
    if len({s.person_key for s in segments}) < 2:
        return []
    return segments


def segment_seconds(segment: Segment) -> int:
    return round((segment.leave_time or segment.join_time) - segment.join_time)


def participants_page(
    ctx: ApiContext, instance: Instance, listing: str, row: Callable[[Segment], dict[str, Any]]
) -> dict[str, Any]:
    segments = reported_segments(ctx.state, instance)
    page = requested_page(ctx, segments, listing=f"{listing}:{instance.uuid}")
    return {
        "page_count": math.ceil(page.total_records / page.page_size),
        **page.body("participants", [row(segment) for segment in page.items]),
    }


@api(
    "GET",
    "/past_meetings/{meetingId}",
    category="Light",
    scopes=(
        "meeting:read:admin",
        "meeting:read",
        "meeting:read:past_meeting",
        "meeting:read:past_meeting:admin",
    ),
)
async def get_past_meeting(ctx: ApiContext) -> Response:
    state = ctx.state
    instance = processed_instance(ctx, meeting_not_found)
    meeting = state.meetings.get(str(instance.meeting_id))
    host = state.users.get(instance.host_id)
    segments = instance_segments(state, instance)
    end = instance.end_time or instance.start_time
    return ctx.json(
        {
            "uuid": instance.uuid,
            "id": instance.meeting_id,
            "host_id": instance.host_id,
            "type": meeting.type if meeting else 2,
            "topic": instance.topic,
            "user_name": host.display_name if host else "",
            "user_email": host.email if host else "",
            "start_time": iso(instance.start_time),
            "end_time": iso(end),
            "duration": math.ceil((end - instance.start_time) / 60),
            "total_minutes": math.ceil(sum(segment_seconds(s) for s in segments) / 60),
            "participants_count": len({s.person_key for s in segments}),
            "dept": "",
            "source": "Zoom",
        }
    )


@api(
    "GET",
    "/past_meetings/{meetingId}/instances",
    category="Medium",
    scopes=(
        "meeting:read:admin",
        "meeting:read",
        "meeting:read:list_past_instances",
        "meeting:read:list_past_instances:admin",
    ),
)
async def list_past_instances(ctx: ApiContext) -> Response:
    # This path takes the meeting number only; a UUID names no meeting.
    ref = ctx.meeting_ref()
    state = ctx.state
    number = whole_number(ref)
    instances = account_instances(state, ctx.account.id, number) if number is not None else []
    meeting = state.meetings.get(ref)
    if not instances and (meeting is None or meeting.account_id != ctx.account.id):
        raise meeting_not_found(ref)
    oldest = state.now() - PAST_INSTANCES_WINDOW
    ended = [i for i in instances if i.end_time is not None and i.start_time >= oldest]
    return ctx.json(
        {"meetings": [{"uuid": i.uuid, "start_time": iso(i.start_time)} for i in ended]}
    )


@api(
    "GET",
    "/past_meetings/{meetingId}/participants",
    category="Medium",
    scopes=(
        "meeting:read:admin",
        "meeting:read",
        "meeting:read:list_past_participants",
        "meeting:read:list_past_participants:admin",
    ),
)
async def list_past_participants(ctx: ApiContext) -> Response:
    instance = processed_instance(ctx, meeting_not_found)
    state = ctx.state

    def row(segment: Segment) -> dict[str, Any]:
        user = state.users.get(segment.participant_user_id)
        return {
            "id": segment.participant_user_id,
            "user_id": segment.user_id,
            "name": segment.name,
            "user_email": segment.email,
            "join_time": iso(segment.join_time),
            "leave_time": iso(segment.leave_time or segment.join_time),
            "duration": segment_seconds(segment),
            "registrant_id": segment.registrant_id,
            "failover": False,
            "status": "in_meeting",
            "internal_user": user is not None and user.account_id == instance.account_id,
        }

    return ctx.json(participants_page(ctx, instance, "past_participants", row))
