"""Cloud recordings: a meeting's (list them, trash or delete them all, or one file) and a host's
(every recorded meeting in a date range).

https://developers.zoom.us/docs/api/meetings/#tag/cloud-recording/GET/meetings/{meetingId}/recordings
https://developers.zoom.us/docs/api/meetings/#tag/cloud-recording/GET/users/{userId}/recordings

A numeric meeting id means the latest instance that has recordings; anything else is an instance
UUID. Files still processing (before `recording_delay` has passed) are not listed; an instance
with nothing listed answers 404/3301 (and is left out of a host's list). The bytes are served by
`zoomsim.media` at `download_url`.
"""

from __future__ import annotations

import calendar
import math
import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.responses import Response

from zoomsim.api.past_meetings import account_instance, account_instances
from zoomsim.api.users import find_user
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import ZoomErrorResponse, invalid_parameter, no_recording
from zoomsim.happenings import due_recordings
from zoomsim.media import issue_download_token, recording_json, visible_files
from zoomsim.model import Instance, RecordingFile
from zoomsim.page_tokens import requested_page
from zoomsim.state import State
from zoomsim.whole_numbers import whole_number

DEFAULT_DOWNLOAD_TOKEN_TTL = 24 * 3600
MAX_DOWNLOAD_TOKEN_TTL = 604_800
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
TRASH_TYPES = ("meeting_recordings", "recording_file")


def _instance_in_path(ctx: ApiContext, *, recorded: bool) -> Instance | None:
    """The instance `{meetingId}` names: by UUID, or for a numeric id the meeting's latest
    instance (the latest with recordings to list, when `recorded`)."""
    ref = ctx.meeting_ref()
    number = whole_number(ref)
    if number is None:
        return account_instance(ctx, ref)
    candidates = account_instances(ctx.state, ctx.account.id, number)
    if recorded:
        candidates = [i for i in candidates if visible_files(ctx.state, i.uuid)]
    return max(candidates, key=lambda i: i.start_time, default=None)


def instance_with_recordings(ctx: ApiContext) -> tuple[Instance, list[RecordingFile]]:
    # Recordings become ready on the clock; look before answering rather than wait for the loop.
    due_recordings(ctx.sim)
    instance = _instance_in_path(ctx, recorded=True)
    files = visible_files(ctx.state, instance.uuid) if instance else []
    if instance is None or not files:
        raise no_recording()
    return instance, files


def _delete_action(ctx: ApiContext) -> str:
    action = ctx.query("action", "trash")
    if action not in ("trash", "delete"):
        raise invalid_parameter("action")
    return action


def _remove(file: RecordingFile, action: str) -> None:
    if action == "delete":
        file.deleted = True
    else:
        file.trashed = True


@api(
    "GET",
    "/meetings/{meetingId}/recordings",
    category="Light",
    scopes=(
        "recording:read",
        "recording:read:admin",
        "cloud_recording:read:list_recording_files:admin",
        "cloud_recording:read:list_recording_files",
        "cloud_recording:read:list_recording_files:master",
    ),
)
async def get_meeting_recordings(ctx: ApiContext) -> Response:
    include = ctx.query("include_fields").split(",")
    ttl_raw = ctx.query("ttl")
    ttl = whole_number(ttl_raw) if ttl_raw else 0
    if ttl is None or ttl > MAX_DOWNLOAD_TOKEN_TTL:
        raise invalid_parameter("ttl")
    instance, files = instance_with_recordings(ctx)
    meeting = ctx.state.meetings[str(instance.meeting_id)]
    body = recording_json(ctx.state, meeting, instance, files)
    # The Meetings spec types this `type` as a string ("1".."99"), unlike every other meeting type.
    body["type"] = str(meeting.type)
    if "download_access_token" in include:
        body["download_access_token"] = issue_download_token(
            ctx.state, instance, ttl or DEFAULT_DOWNLOAD_TOKEN_TTL
        )
        ctx.sim.changed()
    return ctx.json(body)


@api(
    "DELETE",
    "/meetings/{meetingId}/recordings",
    category="Light",
    scopes=(
        "recording:write:admin",
        "recording:write",
        "cloud_recording:delete:meeting_recording",
        "cloud_recording:delete:meeting_recording:admin",
        "cloud_recording:delete:meeting_recording:master",
    ),
)
async def delete_meeting_recordings(ctx: ApiContext) -> Response:
    action = _delete_action(ctx)
    _instance, files = instance_with_recordings(ctx)
    for file in files:
        _remove(file, action)
    return ctx.no_content()


@api(
    "DELETE",
    "/meetings/{meetingId}/recordings/{recordingId}",
    category="Light",
    scopes=(
        "recording:write:admin",
        "recording:write",
        "cloud_recording:delete:recording_file",
        "cloud_recording:delete:recording_file:admin",
        "cloud_recording:delete:recording_file:master",
    ),
)
async def delete_recording_file(ctx: ApiContext) -> Response:
    action = _delete_action(ctx)
    # Here a numeric id means the latest instance, recorded or not: one still running is refused.
    instance = _instance_in_path(ctx, recorded=False)
    if instance is None:
        raise no_recording()
    if instance.end_time is None:
        raise ZoomErrorResponse(400, 3303, "You can not delete an uncompleted meeting.")
    file_id = ctx.param("recordingId")
    file = next((f for f in visible_files(ctx.state, instance.uuid) if f.id == file_id), None)
    if file is None:
        raise no_recording()
    _remove(file, action)
    return ctx.no_content()


# --- a host's recordings ------------------------------------------------------------------------


def _query_date(ctx: ApiContext, name: str, default: date) -> date:
    raw = ctx.query(name)
    if not raw:
        return default
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError as exc:
        raise invalid_parameter(name) from exc


def _false_flag(ctx: ApiContext, name: str) -> None:
    """A boolean query parameter zoomsim takes only as false: listing the trash (`trash`) and
    on-premise meeting connector recordings (`mc`) are not reproduced."""
    if ctx.query(name, "false") != "false":
        raise invalid_parameter(name)


def month_before(day: date) -> date:
    """The same day a calendar month earlier (the month's last day when it is shorter)."""
    if day.year == 1 and day.month == 1:
        return date.min
    year, month = (day.year, day.month - 1) if day.month > 1 else (day.year - 1, 12)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _utc_day(ts: float) -> date:
    return datetime.fromtimestamp(ts, tz=UTC).date()


def _host_recordings(
    state: State, account_id: str, host_id: str, first: date, last: date, meeting_id: int | None
) -> list[tuple[Instance, list[RecordingFile]]]:
    """The host's instances that started on a UTC day in [first, last] and have files listed,
    newest first."""
    found = []
    for instance in state.instances.values():
        if instance.account_id != account_id or instance.host_id != host_id:
            continue
        if meeting_id is not None and instance.meeting_id != meeting_id:
            continue
        if not first <= _utc_day(instance.start_time) <= last:
            continue
        files = visible_files(state, instance.uuid)
        if files:
            found.append((instance, files))
    return sorted(found, key=lambda pair: pair[0].start_time, reverse=True)


def _list_item(state: State, instance: Instance, files: list[RecordingFile]) -> dict[str, Any]:
    meeting = state.meetings[str(instance.meeting_id)]
    item = recording_json(state, meeting, instance, files)
    # The list's rows carry the play passcode but not the recording password (the spec's item).
    del item["password"]
    item["type"] = str(meeting.type)  # a string here too, as the spec types it
    return item


@api(
    "GET",
    "/users/{userId}/recordings",
    category="Medium",
    scopes=(
        "recording:read:admin",
        "recording:read",
        "cloud_recording:read:list_user_recordings",
        "cloud_recording:read:list_user_recordings:admin",
        "cloud_recording:read:list_user_recordings:master",
    ),
)
async def list_user_recordings(ctx: ApiContext) -> Response:
    state = ctx.state
    _false_flag(ctx, "trash")
    _false_flag(ctx, "mc")
    if ctx.query("trash_type") and ctx.query("trash_type") not in TRASH_TYPES:
        raise invalid_parameter("trash_type")
    meeting_raw = ctx.query("meeting_id")
    meeting_id = whole_number(meeting_raw) if meeting_raw else None
    if meeting_raw and meeting_id is None:
        raise invalid_parameter("meeting_id")
    today = _utc_day(state.now())
    # Without dates Zoom lists today's: from today to tomorrow (UTC).
    first = _query_date(ctx, "from", today)
    last = _query_date(ctx, "to", today + timedelta(days=1) if today < date.max else today)
    if last < first:
        raise invalid_parameter("to")
    # The range is at most a month. Zoom does not refuse a longer one: it quietly starts the
    # range a month before `to` and says so in the answer's `from` (zoom/api#36), so a client
    # that asks for more and does not read `from` misses recordings.
    first = max(first, month_before(last))
    # Recordings become ready on the clock; look before answering rather than wait for the loop.
    due_recordings(ctx.sim)
    host = find_user(ctx, ctx.param("userId"))
    found = _host_recordings(state, ctx.account.id, host.id, first, last, meeting_id)
    listing = f"user_recordings:{host.id}:{first}:{last}:{meeting_id}"
    page = requested_page(ctx, found, listing=listing)
    rows = [_list_item(state, instance, files) for instance, files in page.items]
    return ctx.json(
        {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "page_count": math.ceil(page.total_records / page.page_size),
            **page.body("meetings", rows),
        }
    )
