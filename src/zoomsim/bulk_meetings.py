"""`POST /_sim/bulk/ended-meetings`: many meetings that already happened, in one call, for load
tests (a thousand meetings of three hundred people each is one request, not a million).

Each meeting is made as `POST /users/{userId}/meetings` would make it (scheduled, registration
required, approved automatically) with its registrants approved and their personal links, and one
run that has ended: every stay of every registrant and guest is a join segment with its own per-join
`user_id`, as Zoom reports rejoins. The report is ready `report_delay` after each run's end, as
after `/run`. Unlike `/run`, no webhook goes out (nobody was watching these meetings happen):
whoever wants their attendance asks Zoom's API for it, as Campus's poll does after missed webhooks.

Body:

    {"host_id": "globex-host",
     "meetings": [{"topic": "...", "duration_minutes": 60, "start_time": "2026-12-01T09:00:00Z",
                   "registrants": [{"email": "...", "first_name": "...", "last_name": "...",
                                    "segments": [[0, 20], [25, 60]]}],
                   "guests": [{"name": "...", "segments": [[5, 50]]}]}]}

`segments` are [join minute, leave minute] pairs, in order, within the meeting; a person with no
`segments` stays throughout. Every run must be over by now (zoomsim's clock). Answers 201 with
`{"meetings": [{"id", "uuid", "registrant_ids"}]}` (registrant ids in the order given). Bad input
anywhere gets a 400 naming it, and nothing is made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from zoomsim.control_requests import json_object, reject_unknown
from zoomsim.errors import control_bad_request
from zoomsim.happenings import FIRST_USER_ID, USER_ID_STEP, parse_at, stay_windows
from zoomsim.meeting_json import DEFAULT_SETTINGS
from zoomsim.model import Instance, Meeting, Registrant, Segment, User
from zoomsim.sim import Simulator, sim_of
from zoomsim.uuids import new_uuid

MAX_MEETINGS = 5000
MAX_PEOPLE = 1000  # Zoom's largest meetings (Large Meetings add-on) hold 1,000 participants
SCHEDULED = 2


@dataclass(frozen=True)
class _Person:
    name: str
    first_name: str
    last_name: str
    email: str
    is_registrant: bool
    stays: tuple[tuple[float, float], ...]  # minutes from the start


@dataclass(frozen=True)
class _Plan:
    topic: str
    minutes: int
    start: float
    people: tuple[_Person, ...]


def _text(where: str, entry: dict[str, Any], name: str, longest: int) -> str:
    value = entry.get(name, "")
    if not isinstance(value, str) or len(value) > longest:
        raise control_bad_request(f"{where}.{name} must be a string of at most {longest}.")
    return value.strip()


def _registrant(where: str, entry: Any, minutes: int) -> _Person:
    if not isinstance(entry, dict):
        raise control_bad_request(f"{where} must be an object.")
    reject_unknown(entry, {"email", "first_name", "last_name", "segments"})
    email = _text(where, entry, "email", 128)
    if "@" not in email:
        raise control_bad_request(f"{where}.email must be an email address.")
    first = _text(where, entry, "first_name", 64)
    if not first:
        raise control_bad_request(f"{where}.first_name is required.")
    last = _text(where, entry, "last_name", 64)
    name = f"{first} {last}".strip()
    return _Person(name, first, last, email, True, stay_windows(where, entry, minutes))


def _guest(where: str, entry: Any, minutes: int) -> _Person:
    if not isinstance(entry, dict):
        raise control_bad_request(f"{where} must be an object.")
    reject_unknown(entry, {"name", "segments"})
    name = _text(where, entry, "name", 64)
    if not name:
        raise control_bad_request(f"{where}.name: a guest needs a display name of 1 to 64.")
    return _Person(name, "", "", "", False, stay_windows(where, entry, minutes))


def _plan(where: str, entry: Any, now: float) -> _Plan:
    if not isinstance(entry, dict):
        raise control_bad_request(f"{where} must be an object.")
    reject_unknown(entry, {"topic", "duration_minutes", "start_time", "registrants", "guests"})
    minutes = entry.get("duration_minutes", 60)
    if not isinstance(minutes, int) or isinstance(minutes, bool) or not 1 <= minutes <= 24 * 60:
        raise control_bad_request(f"{where}.duration_minutes must be a whole number 1 to 1440.")
    given = entry.get("start_time")
    start = parse_at(given, now) if given else now - minutes * 60
    if start + minutes * 60 > now:
        raise control_bad_request(f"{where} must be over by now: move start_time back.")
    registrants, guests = entry.get("registrants", []), entry.get("guests", [])
    if not isinstance(registrants, list) or not isinstance(guests, list):
        raise control_bad_request(f"{where}.registrants and .guests must be lists.")
    if len(registrants) + len(guests) > MAX_PEOPLE:
        raise control_bad_request(f"{where} has more than {MAX_PEOPLE} people.")
    people = [
        _registrant(f"{where}.registrants[{n}]", item, minutes)
        for n, item in enumerate(registrants)
    ]
    emails = [person.email.lower() for person in people]
    if len(set(emails)) != len(emails):
        raise control_bad_request(f"{where}.registrants lists an email twice.")
    people += [_guest(f"{where}.guests[{n}]", item, minutes) for n, item in enumerate(guests)]
    topic = _text(where, entry, "topic", 200) or "Zoom meeting"
    return _Plan(topic, minutes, start, tuple(people))


def _host(sim: Simulator, body: dict[str, Any]) -> User:
    host_id = body.get("host_id")
    host = sim.state.users.get(host_id) if isinstance(host_id, str) else None
    if host is None:
        raise control_bad_request("host_id must be the id of a zoomsim user.")
    return host


def _make(sim: Simulator, host: User, plan: _Plan) -> dict[str, Any]:
    """One meeting, its registrants, and its one ended run. No webhooks (see the module)."""
    state = sim.state
    now = state.now()
    settings = {**DEFAULT_SETTINGS, "approval_type": 0}
    meeting = Meeting(
        id=state.new_meeting_id(),
        uuid=new_uuid(state),
        account_id=host.account_id,
        host_id=host.id,
        topic=plan.topic,
        type=SCHEDULED,
        start_time=plan.start,
        duration=plan.minutes,
        timezone=host.timezone,
        agenda="",
        password=secrets.token_hex(3),
        settings=settings,
        created_at=min(now, plan.start),
    )
    state.meetings[str(meeting.id)] = meeting
    instance = Instance(
        uuid=meeting.uuid,
        meeting_id=meeting.id,
        account_id=meeting.account_id,
        host_id=meeting.host_id,
        topic=meeting.topic,
        start_time=plan.start,
    )
    end = plan.start + plan.minutes * 60
    instance.end_time = end
    instance.report_available_at = end + state.knobs.report_delay
    state.add_instance(instance)
    meeting.uuid = new_uuid(state)  # Zoom makes a new UUID after every run
    registrant_ids: list[str] = []
    joins: list[tuple[float, Segment]] = []
    for person in plan.people:
        registrant_id = ""
        person_key = f"guest:{secrets.token_hex(6)}"
        if person.is_registrant:
            registrant = Registrant(
                id=secrets.token_urlsafe(16),
                meeting_id=meeting.id,
                email=person.email,
                first_name=person.first_name,
                last_name=person.last_name,
                status="approved",
                join_url=f"{state.knobs.base_url}/w/{meeting.id}?tk={secrets.token_urlsafe(32)}",
                create_time=min(now, plan.start),
                participant_pin_code=100_000 + secrets.randbelow(900_000),
            )
            state.registrants[registrant.id] = registrant
            registrant_ids.append(registrant.id)
            registrant_id, person_key = registrant.id, f"registrant:{registrant.id}"
        for join_minute, leave_minute in person.stays:
            segment = Segment(
                id="seg-" + secrets.token_hex(8),
                instance_uuid=instance.uuid,
                user_id="",
                participant_user_id="",
                name=person.name,
                email=person.email,
                registrant_id=registrant_id,
                join_time=plan.start + join_minute * 60,
                leave_time=plan.start + leave_minute * 60,
                person_key=person_key,
            )
            joins.append((segment.join_time, segment))
    # Per-join user ids count up in the order people joined, as /run gives them.
    for number, (_when, segment) in enumerate(sorted(joins, key=lambda pair: pair[0])):
        segment.user_id = str(FIRST_USER_ID + USER_ID_STEP * number)
        state.add_segment(segment)
    return {"id": meeting.id, "uuid": instance.uuid, "registrant_ids": registrant_ids}


async def ended_meetings(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    reject_unknown(body, {"host_id", "meetings"})
    host = _host(sim, body)
    meetings = body.get("meetings")
    if not isinstance(meetings, list) or not 1 <= len(meetings) <= MAX_MEETINGS:
        raise control_bad_request(f"meetings must be a list of 1 to {MAX_MEETINGS} meetings.")
    now = sim.state.now()
    # Everything is checked before anything is made: a bad entry anywhere changes nothing.
    plans = [_plan(f"meetings[{n}]", entry, now) for n, entry in enumerate(meetings)]
    made = [_make(sim, host, plan) for plan in plans]
    sim.changed()
    return JSONResponse({"meetings": made}, status_code=201)


routes: list[BaseRoute] = [
    Route("/_sim/bulk/ended-meetings", ended_meetings, methods=["POST"]),
]
