"""A meeting's cloud recordings: list them, trash or delete them all, or one file.

https://developers.zoom.us/docs/api/meetings/#tag/cloud-recording/GET/meetings/{meetingId}/recordings

A numeric meeting id means the latest instance that has recordings; anything else is an instance
UUID. Files still processing (before `recording_delay` has passed) are not listed; an instance
with nothing listed answers 404/3301. The bytes are served by `zoomsim.media` at `download_url`.
"""

from __future__ import annotations

from starlette.responses import Response

from zoomsim.api.past_meetings import account_instance, account_instances
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import ZoomErrorResponse, invalid_parameter, no_recording
from zoomsim.happenings import due_recordings
from zoomsim.media import issue_download_token, recording_json, visible_files
from zoomsim.model import Instance, RecordingFile
from zoomsim.whole_numbers import whole_number

DEFAULT_DOWNLOAD_TOKEN_TTL = 24 * 3600
MAX_DOWNLOAD_TOKEN_TTL = 604_800


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
