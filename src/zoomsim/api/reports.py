"""GET /report/meetings/{meetingId}/participants: who attended one ended instance.

https://developers.zoom.us/docs/api/meetings/#tag/reports/GET/report/meetings/{meetingId}/participants

Zoom's quirks, reproduced: one row per join segment (a rejoin is a new row with a new `user_id`,
and `duration` covers that segment only), `registrant_id` only with `include_fields=registrant_id`,
empty `participant_user_id`/`user_email` for guests, nothing for meetings with fewer than two
people, and 404/3001 until the report is processed (knob `report_delay`).
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from zoomsim.api.past_meetings import participants_page, processed_instance, segment_seconds
from zoomsim.clock import iso
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import ZoomErrorResponse
from zoomsim.model import Segment


def report_not_found(ref: str) -> ZoomErrorResponse:
    return ZoomErrorResponse(404, 3001, f"Meeting {ref} not found or has expired.")


@api(
    "GET",
    "/report/meetings/{meetingId}/participants",
    category="Heavy",
    scopes=("report:read:admin", "report:read:list_meeting_participants:admin"),
)
async def report_meeting_participants(ctx: ApiContext) -> Response:
    instance = processed_instance(ctx, report_not_found)
    with_registrant = "registrant_id" in ctx.query("include_fields").split(",")

    def row(segment: Segment) -> dict[str, Any]:
        data: dict[str, Any] = {
            "id": segment.participant_user_id,  # deprecated alias of participant_user_id
            "user_id": segment.user_id,
            "participant_user_id": segment.participant_user_id,
            "name": segment.name,
            "user_email": segment.email,
            "join_time": iso(segment.join_time),
            "leave_time": iso(segment.leave_time or segment.join_time),
            "duration": segment_seconds(segment),
            "failover": False,
            "status": "in_meeting",
            "customer_key": "",
            "bo_mtg_id": "",
        }
        if with_registrant:
            data["registrant_id"] = segment.registrant_id
        return data

    return ctx.json(participants_page(ctx, instance, "report_participants", row))
