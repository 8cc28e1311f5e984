"""Meetings that happen: instances start, participants join and leave, instances end, and the cloud
recording becomes available some time later.

Plain functions over the Simulator, used by the control routes below (`/_sim/...`, JSON) and by the
pages (`zoomsim.pages`, by hand). Each emits the webhook Zoom sends for it. Bad input raises
`ZoomErrorResponse` before anything changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import secrets
import string
import uuid as uuidlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from zoomsim import media
from zoomsim.clock import iso
from zoomsim.control_requests import json_object
from zoomsim.errors import control_bad_request, control_not_found
from zoomsim.json_bodies import finite_number
from zoomsim.model import Instance, Meeting, RecordingFile, Segment
from zoomsim.sim import Simulator, sim_of
from zoomsim.state import State
from zoomsim.uuids import new_uuid

log = logging.getLogger("zoomsim.happenings")

DOWNLOAD_TOKEN_TTL = 24 * 3600  # recording.completed's download_token lasts 24 h
SHORTEST_RECORDING = 5.0  # Zoom does not save cloud recordings of a few seconds
# Zoom's per-join `user_id`s are numbers like 16778240, 16779264, …: a new one on every (re)join.
FIRST_USER_ID, USER_ID_STEP = 16_778_240, 1024
RECORDINGS_POLL_INTERVAL = 0.25  # real seconds between looks for recordings that became ready


# --- who joins ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Joiner:
    """Who joins, as Zoom will report them. `person_key` stays the same across rejoins."""

    name: str
    email: str
    participant_user_id: str
    registrant_id: str
    person_key: str


def registrant_joiner(state: State, meeting: Meeting, registrant_id: str) -> Joiner:
    registrant = state.registrants.get(registrant_id)
    if registrant is None or registrant.meeting_id != meeting.id:
        raise control_bad_request(f"Registrant {registrant_id} is not registered for this meeting.")
    if registrant.status != "approved":
        raise control_bad_request(
            f"Registrant {registrant_id} is {registrant.status}, not approved."
        )
    return Joiner(
        name=registrant.display_name,
        email=registrant.email,
        participant_user_id="",
        registrant_id=registrant.id,
        person_key=f"registrant:{registrant.id}",
    )


def user_joiner(state: State, user_id: str) -> Joiner:
    """A signed-in Zoom user: Zoom reports their user id as `participant_user_id`."""
    user = state.users.get(user_id)
    if user is None:
        raise control_bad_request(f"User {user_id} does not exist.")
    return Joiner(user.display_name, user.email, user.id, "", f"user:{user.id}")


def guest_joiner(name: str, person_key: str = "") -> Joiner:
    """Someone who typed only a name. Two guests may type the same name and stay two people; pass
    back the returned `person_key` to rejoin as the same guest."""
    name = name.strip()
    if not name or len(name) > 64:
        raise control_bad_request("A guest needs a display name of 1 to 64 characters.")
    return Joiner(name, "", "", "", person_key or f"guest:{secrets.token_hex(6)}")


def registrant_by_link_token(state: State, meeting_id: int, token: str) -> str | None:
    """The registrant whose personal join link (`join_url`, `…?tk=TOKEN`) carries `token`."""
    for registrant in state.registrants.values():
        if registrant.meeting_id != meeting_id or not token:
            continue
        if parse_qs(urlsplit(registrant.join_url).query).get("tk") == [token]:
            return registrant.id
    return None


# --- lookups ------------------------------------------------------------------------------------


def find_meeting(state: State, meeting_id: str) -> Meeting:
    meeting = state.meetings.get(meeting_id.strip())
    if meeting is None or meeting.deleted:
        raise control_not_found(f"Meeting {meeting_id} not found.")
    return meeting


def find_instance(state: State, uuid: str) -> Instance:
    instance = state.instances.get(uuid)
    if instance is None:
        raise control_not_found(f"Instance {uuid} not found.")
    return instance


def running_instance(state: State, meeting: Meeting) -> Instance | None:
    for instance in state.instances_of(meeting.id):
        if instance.end_time is None:
            return instance
    return None


def instance_segments(state: State, instance: Instance) -> list[Segment]:
    return sorted(state.segments_of(instance.uuid), key=lambda s: (s.join_time, s.user_id))


def meeting_of(state: State, instance: Instance) -> Meeting:
    return state.meetings[str(instance.meeting_id)]


# --- webhook payloads (reference §5) ------------------------------------------------------------


def instance_event_object(meeting: Meeting, instance: Instance) -> dict[str, Any]:
    """The `object` of the webhooks about one run: meeting.started, .ended, .participant_*."""
    return {
        # A string in these events (reference §5), a number in the REST API and meeting.deleted.
        "id": str(meeting.id),
        "uuid": instance.uuid,
        "host_id": meeting.host_id,
        "topic": instance.topic,
        "type": meeting.type,
        "start_time": iso(instance.start_time),
        "timezone": meeting.timezone,
        "duration": meeting.duration,
    }


def participant_uuid(instance: Instance, person_key: str) -> str:
    """Stable for one person within one instance, as Zoom's participant_uuid is."""
    digest = hashlib.sha256(f"{instance.uuid}|{person_key}".encode()).digest()
    return str(uuidlib.UUID(bytes=digest[:16])).upper()


def participant_event_object(instance: Instance, segment: Segment) -> dict[str, Any]:
    return {
        "user_id": segment.user_id,
        "user_name": segment.name,
        "id": segment.participant_user_id,
        "participant_uuid": participant_uuid(instance, segment.person_key),
        "join_time": iso(segment.join_time),
        "email": segment.email,
        "registrant_id": segment.registrant_id,
        "participant_user_id": segment.participant_user_id,
        "customer_key": "",
        "phone_number": "",
    }


# --- time ---------------------------------------------------------------------------------------


def parse_at(value: object, now: float) -> float:
    """`at` in control requests: absent (now), a POSIX timestamp, or an ISO-8601 time with a
    zone; never later than now, since webhooks go out as things happen."""
    if value is None or value == "":
        return now
    when = finite_number(value)
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
        if parsed is not None and parsed.tzinfo is not None:
            when = parsed.timestamp()
    # Before 1970 is refused too: such times cannot be written as Zoom's times on every platform.
    if when is None or when < 0:
        raise control_bad_request(
            "`at` must be a POSIX timestamp or an ISO-8601 time with a zone, not before 1970."
        )
    if when > now + 1:
        raise control_bad_request("`at` cannot be in the future: advance the clock instead.")
    return when


# --- operations ---------------------------------------------------------------------------------


def start_instance(sim: Simulator, meeting: Meeting, at: float | None = None) -> Instance:
    """Start a run of `meeting`. Every run has its own UUID: the meeting's current one, unless an
    earlier run already used it."""
    state = sim.state
    if meeting.deleted:
        raise control_not_found(f"Meeting {meeting.id} not found.")
    if running_instance(state, meeting) is not None:
        raise control_bad_request(f"Meeting {meeting.id} is already in progress.")
    uuid = meeting.uuid if meeting.uuid and meeting.uuid not in state.instances else ""
    instance = Instance(
        uuid=uuid or new_uuid(state),
        meeting_id=meeting.id,
        account_id=meeting.account_id,
        host_id=meeting.host_id,
        topic=meeting.topic,
        start_time=state.now() if at is None else at,
    )
    state.add_instance(instance)
    meeting.uuid = instance.uuid
    meeting.status = "started"
    sim.emit(meeting.account_id, "meeting.started", instance_event_object(meeting, instance))
    sim.changed()
    return instance


def join(sim: Simulator, instance: Instance, joiner: Joiner, at: float | None = None) -> Segment:
    """One join: a new Segment with a new per-join `user_id`, as Zoom reports each rejoin as its
    own row. If the same person is still in (a second device, a reconnect), that stay ends now."""
    state = sim.state
    when = state.now() if at is None else at
    if instance.end_time is not None:
        raise control_bad_request("This meeting instance has ended.")
    if when < instance.start_time:
        raise control_bad_request("A participant cannot join before the meeting started.")
    segments = instance_segments(state, instance)
    for earlier in segments:
        if earlier.person_key == joiner.person_key and earlier.leave_time is None:
            if when < earlier.join_time:
                raise control_bad_request("A rejoin cannot be earlier than the previous join.")
            leave(sim, earlier, when)
    segment = Segment(
        id="seg-" + secrets.token_hex(8),
        instance_uuid=instance.uuid,
        user_id=str(FIRST_USER_ID + USER_ID_STEP * len(segments)),
        participant_user_id=joiner.participant_user_id,
        name=joiner.name,
        email=joiner.email,
        registrant_id=joiner.registrant_id,
        join_time=when,
        person_key=joiner.person_key,
    )
    state.add_segment(segment)
    meeting = meeting_of(state, instance)
    obj = instance_event_object(meeting, instance)
    obj["participant"] = participant_event_object(instance, segment)
    sim.emit(instance.account_id, "meeting.participant_joined", obj)
    sim.changed()
    return segment


def leave(
    sim: Simulator, segment: Segment, at: float | None = None, reason: str = "left the meeting."
) -> Segment:
    state = sim.state
    when = state.now() if at is None else at
    if segment.leave_time is not None:
        raise control_bad_request("This participant has already left.")
    if when < segment.join_time:
        raise control_bad_request("A participant cannot leave before joining.")
    segment.leave_time = when
    instance = state.instances[segment.instance_uuid]
    obj = instance_event_object(meeting_of(state, instance), instance)
    obj["participant"] = {
        **participant_event_object(instance, segment),
        "leave_time": iso(when),
        "leave_reason": reason,
    }
    sim.emit(instance.account_id, "meeting.participant_left", obj)
    sim.changed()
    return segment


def end_instance(sim: Simulator, instance: Instance, at: float | None = None) -> Instance:
    """End the run: everyone still in leaves, the meeting waits again under a fresh UUID, the
    report is ready `report_delay` later and cloud recordings `recording_delay` later."""
    state = sim.state
    when = state.now() if at is None else at
    if instance.end_time is not None:
        raise control_bad_request("This meeting instance has already ended.")
    segments = instance_segments(state, instance)
    latest = max([instance.start_time, *(s.leave_time or s.join_time for s in segments)])
    if when < latest:
        raise control_bad_request("A meeting cannot end before it started or before its last join.")
    for segment in segments:
        if segment.leave_time is None:
            leave(sim, segment, when, reason="Host ended the meeting.")
    instance.end_time = when
    instance.report_available_at = when + state.knobs.report_delay
    meeting = meeting_of(state, instance)
    meeting.status = "waiting"
    # Zoom makes a new UUID after every instance; the next run will use it.
    meeting.uuid = new_uuid(state)
    obj = instance_event_object(meeting, instance)
    obj["end_time"] = iso(when)
    sim.emit(instance.account_id, "meeting.ended", obj)
    if meeting.settings.get("auto_recording") == "cloud" and when - instance.start_time >= (
        SHORTEST_RECORDING
    ):
        _make_recording(state, instance, segments)
    sim.changed()
    due_recordings(sim)
    return instance


def _make_recording(state: State, instance: Instance, segments: list[Segment]) -> None:
    end = instance.end_time or instance.start_time
    available_at = end + state.knobs.recording_delay
    instance.recording_password = "".join(
        secrets.choice(string.ascii_letters + string.digits) for _ in range(8)
    )
    instance.recording_play_passcode = secrets.token_urlsafe(24)
    large = state.knobs.large_recording_bytes
    texts = {
        "TRANSCRIPT": media.transcript_vtt(instance, segments),
        "CHAT": media.chat_txt(instance, segments),
    }
    layout = [
        ("MP4", "MP4", "shared_screen_with_speaker_view"),
        ("TRANSCRIPT", "VTT", "audio_transcript"),
        ("CHAT", "TXT", "chat_file"),
    ]
    for file_type, extension, recording_type in layout:
        text = texts.get(file_type, "")
        if file_type == "MP4":
            content = "generated" if large > 0 else "fixture"
            size = large if large > 0 else len(media.fixture_mp4())
        else:
            content, size = "text", len(text.encode("utf-8"))
        file = RecordingFile(
            id=str(uuidlib.uuid4()),
            instance_uuid=instance.uuid,
            meeting_id=instance.meeting_id,
            file_type=file_type,
            file_extension=extension,
            recording_type=recording_type,
            file_size=size,
            recording_start=instance.start_time,
            recording_end=end,
            available_at=available_at,
            content=content,
            text=text,
        )
        state.recordings[file.id] = file


def due_recordings(sim: Simulator) -> int:
    """Send `recording.completed` for every ended instance whose files have all become available
    (once per instance), with a 24-hour `download_token` beside the payload. Returns how many."""
    state = sim.state
    now = state.now()
    files_by_instance: dict[str, list[RecordingFile]] = {}
    for file in state.recordings.values():
        if not (file.deleted or file.trashed):
            files_by_instance.setdefault(file.instance_uuid, []).append(file)
    sent = 0
    for instance_uuid, files in files_by_instance.items():
        instance = state.instances.get(instance_uuid)
        if instance is None or instance.recording_event_sent or instance.end_time is None:
            continue
        if any(file.available_at > now for file in files):
            continue
        instance.recording_event_sent = True
        meeting = meeting_of(state, instance)
        host = state.users.get(instance.host_id)
        obj = media.recording_json(state, meeting, instance, files)
        obj.update(
            type=meeting.type,
            timezone=meeting.timezone,
            host_email=host.email if host else "",
            participant_audio_files=[],
        )
        token = media.issue_download_token(state, instance, DOWNLOAD_TOKEN_TTL)
        sim.emit(instance.account_id, "recording.completed", obj, download_token=token)
        sent += 1
    if sent:
        sim.changed()
    return sent


async def _recordings_loop(sim: Simulator) -> None:
    while True:
        await asyncio.sleep(RECORDINGS_POLL_INTERVAL)
        try:
            due_recordings(sim)
        except Exception:
            log.exception("zoomsim.recordings_loop_failed")


def start(sim: Simulator) -> None:
    """Watch for recordings that became ready (called from the app's lifespan), so the webhook
    goes out when the clock passes `available_at`, even if nobody asks for the recording."""
    sim.background.append(asyncio.get_running_loop().create_task(_recordings_loop(sim)))


# --- /run: a whole meeting in one call ----------------------------------------------------------


@dataclass(frozen=True)
class PlannedStay:
    joiner: Joiner
    join_at: float
    leave_at: float


def _plan(
    state: State, meeting: Meeting, body: dict[str, Any], start: float, minutes: int
) -> list[PlannedStay]:
    participants = body.get("participants", [])
    if not isinstance(participants, list):
        raise control_bad_request("`participants` must be a list.")
    stays: list[PlannedStay] = []
    people: set[str] = set()
    for index, entry in enumerate(participants):
        if not isinstance(entry, dict):
            raise control_bad_request(f"participants[{index}] must be an object.")
        joiner = joiner_from_body(state, meeting, entry)
        if joiner.person_key in people:
            raise control_bad_request(
                f"participants[{index}] is listed twice: give it several segments."
            )
        people.add(joiner.person_key)
        for joined, left in stay_windows(f"participants[{index}]", entry, minutes):
            stays.append(PlannedStay(joiner, start + joined * 60, start + left * 60))
    return stays


def stay_windows(
    where: str, entry: dict[str, Any], minutes: int
) -> tuple[tuple[float, float], ...]:
    """A participant's `segments` ([join_minute, leave_minute] pairs, in order, not overlapping,
    within the meeting; the whole meeting when left out), checked."""
    windows = entry.get("segments", [[0, minutes]])
    if not isinstance(windows, list) or not windows:
        raise control_bad_request(f"{where}.segments must be a non-empty list.")
    stays: list[tuple[float, float]] = []
    previous_end = 0.0
    for window in windows:
        valid = (
            isinstance(window, list)
            and len(window) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in window)
        )
        if not valid or not previous_end <= window[0] < window[1] <= minutes:
            raise control_bad_request(
                f"{where}.segments must be [join_minute, leave_minute] pairs, in order, not "
                f"overlapping, within 0..{minutes}."
            )
        previous_end = float(window[1])
        stays.append((float(window[0]), float(window[1])))
    return tuple(stays)


def joiner_from_body(state: State, meeting: Meeting, body: dict[str, Any]) -> Joiner:
    """`{registrant_id}`, `{user_id}` or `{guest_name[, person_key]}`: exactly one of them."""
    given = [key for key in ("registrant_id", "user_id", "guest_name") if body.get(key)]
    if len(given) != 1 or not all(isinstance(body[key], str) for key in given):
        raise control_bad_request(
            "Give exactly one of registrant_id, user_id or guest_name (strings)."
        )
    if given == ["registrant_id"]:
        return registrant_joiner(state, meeting, body["registrant_id"])
    if given == ["user_id"]:
        return user_joiner(state, body["user_id"])
    person_key = body.get("person_key", "")
    if not isinstance(person_key, str):
        raise control_bad_request("`person_key` must be a string.")
    return guest_joiner(body["guest_name"], person_key)


def run_meeting(sim: Simulator, meeting: Meeting, body: dict[str, Any]) -> Instance:
    """Start, joins, rejoins, leaves and end laid out on the clock: the run ends now (or starts at
    `start_time`, if given, and must then be over by now). Everything is checked first."""
    state = sim.state
    minutes = body.get("duration_minutes", 60)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 24 * 60:
        raise control_bad_request("`duration_minutes` must be a whole number from 1 to 1440.")
    now = state.now()
    given_start = body.get("start_time")
    start = parse_at(given_start, now) if given_start else now - minutes * 60
    if start + minutes * 60 > now:
        raise control_bad_request(
            "A run must be over by now: move `start_time` back or advance the clock."
        )
    if running_instance(state, meeting) is not None:
        raise control_bad_request(f"Meeting {meeting.id} is already in progress.")
    stays = _plan(state, meeting, body, start, minutes)
    instance = start_instance(sim, meeting, start)
    # Replay joins and leaves in time order, so webhooks go out in the order things happened.
    # A leave sorts before a join at the same moment, so a rejoin follows its leave.
    moments = sorted(
        [(stay.join_at, 1, index) for index, stay in enumerate(stays)]
        + [(stay.leave_at, 0, index) for index, stay in enumerate(stays)]
    )
    open_segments: dict[int, Segment] = {}
    end = start + minutes * 60
    for when, is_join, index in moments:
        if is_join:
            open_segments[index] = join(sim, instance, stays[index].joiner, when)
        elif when < end:  # who stays to the end leaves when the host ends the meeting
            leave(sim, open_segments.pop(index), when)
    return end_instance(sim, instance, end)


# --- JSON for the control routes ----------------------------------------------------------------


def segment_json(segment: Segment) -> dict[str, Any]:
    return {
        "id": segment.id,
        "instance_uuid": segment.instance_uuid,
        "user_id": segment.user_id,
        "participant_user_id": segment.participant_user_id,
        "name": segment.name,
        "email": segment.email,
        "registrant_id": segment.registrant_id,
        "person_key": segment.person_key,
        "join_time": iso(segment.join_time),
        "leave_time": iso(segment.leave_time) if segment.leave_time is not None else None,
    }


def instance_json(state: State, instance: Instance) -> dict[str, Any]:
    def maybe_iso(ts: float | None) -> str | None:
        return iso(ts) if ts is not None else None

    return {
        "uuid": instance.uuid,
        "meeting_id": instance.meeting_id,
        "topic": instance.topic,
        "start_time": iso(instance.start_time),
        "end_time": maybe_iso(instance.end_time),
        "report_available_at": maybe_iso(instance.report_available_at),
        "segments": [segment_json(s) for s in instance_segments(state, instance)],
        "recording_files": [
            {"id": f.id, "file_type": f.file_type, "available_at": iso(f.available_at)}
            for f in state.recordings.values()
            if f.instance_uuid == instance.uuid
        ],
    }


# --- control routes -----------------------------------------------------------------------------


async def start_route(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    meeting = find_meeting(sim.state, str(request.path_params["meeting_id"]))
    instance = start_instance(sim, meeting, parse_at(body.get("at"), sim.state.now()))
    return JSONResponse({"uuid": instance.uuid, **instance_json(sim.state, instance)}, 201)


async def join_route(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    instance = find_instance(sim.state, str(request.path_params["uuid"]))
    joiner = joiner_from_body(sim.state, meeting_of(sim.state, instance), body)
    segment = join(sim, instance, joiner, parse_at(body.get("at"), sim.state.now()))
    return JSONResponse(segment_json(segment), 201)


async def leave_route(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    segment = sim.state.segments.get(str(request.path_params["segment_id"]))
    if segment is None:
        raise control_not_found(f"Segment {request.path_params['segment_id']} not found.")
    leave(sim, segment, parse_at(body.get("at"), sim.state.now()))
    return JSONResponse(segment_json(segment))


async def end_route(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    instance = find_instance(sim.state, str(request.path_params["uuid"]))
    end_instance(sim, instance, parse_at(body.get("at"), sim.state.now()))
    return JSONResponse(instance_json(sim.state, instance))


async def run_route(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    meeting = find_meeting(sim.state, str(request.path_params["meeting_id"]))
    instance = run_meeting(sim, meeting, body)
    return JSONResponse({"uuid": instance.uuid, **instance_json(sim.state, instance)}, 201)


async def instance_route(request: Request) -> Response:
    sim = sim_of(request)
    instance = find_instance(sim.state, str(request.path_params["uuid"]))
    return JSONResponse(instance_json(sim.state, instance))


async def due_recordings_route(request: Request) -> Response:
    return JSONResponse({"sent": due_recordings(sim_of(request))})


# `{uuid:path}`: instance UUIDs may begin with "/" or contain "//".
routes: list[BaseRoute] = [
    Route("/_sim/meetings/{meeting_id}/start", start_route, methods=["POST"]),
    Route("/_sim/meetings/{meeting_id}/run", run_route, methods=["POST"]),
    Route("/_sim/instances/{uuid:path}/join", join_route, methods=["POST"]),
    Route("/_sim/instances/{uuid:path}/end", end_route, methods=["POST"]),
    Route("/_sim/segments/{segment_id}/leave", leave_route, methods=["POST"]),
    Route("/_sim/recordings/due", due_recordings_route, methods=["POST"]),
    Route("/_sim/instances/{uuid:path}", instance_route, methods=["GET"]),
]
