"""A realistic meeting for a session, played on zoomsim through its control API (`/_sim/`).

For demos and benchmarks only: Zoom itself has no control API, so this refuses any Zoom API base
URL that is not a zoomsim. The meeting is laid out as one `POST /_sim/meetings/{id}/run` (zoomsim
checks it all first, then starts, joins, leaves and ends in time order and sends the webhooks,
`meeting.ended` included), so Campus learns of it exactly as it would from Zoom.

Who comes: the session's registered learners through their personal registrant identity, the
Zoom account's active users signed in (the host among them), and guests who type only a name
(two of them the same name, one who drops out and comes back) up to the number asked for. Some
people join late, leave early or rejoin, so the report has several segments per person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
from django.conf import settings

from live_events.models import (
    LiveEventProvider,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
)

GUEST_NAMES = (
    "Grace (phone)",
    "Sam",
    "Sam",  # two guests who typed the same name stay two people
    "Priya Patel",
    "Tomás García",
    "Mei Chen",
    "Jonas Berg",
    "Amara Okafor",
    "Lena Fischer",
    "Omar Haddad",
    "Yuki Tanaka",
    "Noah Williams",
    "Chiara Russo",
    "Ivan Petrov",
    "Fatima Zahra",
    "Lucas Silva",
    "Sofia Rossi",
    "Kwame Mensah",
    "Elif Kaya",
    "Arjun Rao",
    "Hana Novak",
    "Mateo López",
    "Ingrid Olsen",
    "Dmitri Volkov",
    "Aisha Bello",
    "Finn O'Brien",
    "Rosa Díaz",
    "Kenji Sato",
    "Zoe Martin",
    "Ali Rahimi",
)


class MeetingPlayRefused(Exception):
    """The meeting cannot be played; the message says why, in words."""


@dataclass(frozen=True)
class Attendee:
    """One person of the planned meeting: how they join and when they are in (minutes)."""

    name: str
    joins_as: str  # "registrant", "account user", "guest"
    identity: dict[str, str]  # registrant_id, user_id or guest_name, as zoomsim's run takes it
    segments: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class PlayedMeeting:
    session: LiveEventSession
    zoomsim_url: str
    attendees: tuple[Attendee, ...]
    instance: dict[str, Any]  # zoomsim's answer: the ended instance with its segments


def zoomsim_base_url() -> str:
    """The zoomsim Campus talks to: ZOOM_API_BASE_URL without its `/v2`."""
    api = str(settings.ZOOM_API_BASE_URL).rstrip("/")
    return api.removesuffix("/v2")


def session_to_play(
    *, session_id: int | None = None, lesson_id: int | None = None
) -> LiveEventSession:
    """The session named, or the lesson's Zoom session closest to now (upcoming first); refused
    in words when there is none or it has no Zoom meeting yet."""
    sessions = LiveEventSession.objects.select_related("event").filter(
        removed_at__isnull=True, event__removed_at__isnull=True
    )
    if session_id is not None:
        session = sessions.filter(pk=session_id).first()
        if session is None:
            raise MeetingPlayRefused(f"There is no live event session {session_id}.")
    else:
        assert lesson_id is not None
        on_lesson = list(
            sessions.filter(
                event__lesson_component__lesson_id=lesson_id,
                event__provider=LiveEventProvider.ZOOM,
            ).order_by("starts_at")
        )
        if not on_lesson:
            raise MeetingPlayRefused(f"Lesson {lesson_id} has no Zoom live event session.")
        now = datetime.now(tz=on_lesson[0].starts_at.tzinfo)
        upcoming = [s for s in on_lesson if s.starts_at >= now]
        session = upcoming[0] if upcoming else on_lesson[-1]
    if session.event.provider != LiveEventProvider.ZOOM:
        raise MeetingPlayRefused(
            f"Session {session.pk} belongs to an external-link event: there is no Zoom meeting "
            "to play."
        )
    if session.zoom_meeting_id is None:
        problem = f" ({session.zoom_problem})" if session.zoom_problem else ""
        raise MeetingPlayRefused(
            f"Session {session.pk} has no Zoom meeting yet: "
            f"{session.get_zoom_state_display()}{problem}. Connect Zoom and let the worker "
            "create the meeting (the lesson page shows the session's Join link then), and try "
            "again."
        )
    return session


def _pattern(index: int, minutes: int) -> tuple[tuple[float, float], ...]:
    """Join segments that vary from person to person: whole meeting, late, a rejoin, early."""
    d = float(minutes)
    match index % 5:
        case 1:
            return ((round(d * 0.1, 1), d),)  # came late
        case 2:
            return ((0.0, round(d * 0.4, 1)), (round(d * 0.5, 1), d))  # dropped out, rejoined
        case 3:
            return ((0.0, round(d * 0.6, 1)),)  # left early
        case _:
            return ((0.0, d),)


def meeting_plan(
    *,
    session: LiveEventSession,
    account_users: list[dict[str, Any]],
    participants: int,
    minutes: int,
) -> tuple[Attendee, ...]:
    registrations = LiveEventRegistration.objects.select_related("learner").filter(
        session=session, status=RegistrationStatus.REGISTERED
    )
    attendees: list[Attendee] = []
    for registration in registrations.exclude(zoom_registrant_id="").order_by("pk"):
        learner = registration.learner
        attendees.append(
            Attendee(
                name=learner.get_full_name() or learner.email,
                joins_as="registrant",
                identity={"registrant_id": registration.zoom_registrant_id},
                segments=_pattern(len(attendees), minutes),
            )
        )
    for user in account_users:
        name = f"{user['first_name']} {user['last_name']}".strip() or user["email"]
        attendees.append(
            Attendee(
                name=name,
                joins_as="account user",
                identity={"user_id": user["id"]},
                segments=((0.0, float(minutes)),)
                if user["id"] == session.event.host_zoom_user_id
                else _pattern(len(attendees), minutes),
            )
        )
    guests = max(2, participants - len(attendees))
    for number in range(guests):
        name = GUEST_NAMES[number % len(GUEST_NAMES)]
        if number >= len(GUEST_NAMES):
            name = f"{name} {number // len(GUEST_NAMES) + 1}"
        # The first guest drops out and comes back as the same person.
        segments = _pattern(2, minutes) if number == 0 else _pattern(len(attendees), minutes)
        attendees.append(
            Attendee(name=name, joins_as="guest", identity={"guest_name": name}, segments=segments)
        )
    return tuple(attendees)


def _answer(response: httpx.Response, doing: str) -> Any:
    if response.is_success:
        return response.json()
    try:
        message = response.json().get("message", response.text)
    except ValueError:
        message = response.text
    raise MeetingPlayRefused(f"zoomsim refused {doing}: {response.status_code} {message}")


def meeting_play(
    *, session: LiveEventSession, participants: int = 30, minutes: int | None = None
) -> PlayedMeeting:
    """Play a meeting of `minutes` (default: the session's length) that ends now."""
    base_url = zoomsim_base_url()
    minutes = minutes if minutes is not None else session.duration_minutes
    if not 1 <= minutes <= 24 * 60:
        raise MeetingPlayRefused("A meeting lasts 1 to 1440 minutes.")
    try:
        with httpx.Client(base_url=base_url, timeout=30) as sim:
            health = sim.get("/_sim/health")
            if health.status_code != 200:
                raise MeetingPlayRefused(
                    f"{base_url} is not a zoomsim (no /_sim/health): meetings can be played "
                    "only on zoomsim, never on Zoom itself."
                )
            found = _answer(sim.get("/_sim/meetings"), "the meeting list")["meetings"]
            meeting = next((m for m in found if m["id"] == session.zoom_meeting_id), None)
            if meeting is None or meeting.get("deleted"):
                raise MeetingPlayRefused(
                    f"zoomsim at {base_url} has no meeting {session.zoom_meeting_id} (session "
                    f"{session.pk}'s): is this the zoomsim Campus made it on?"
                )
            users = _answer(
                sim.get("/_sim/users", params={"account_id": meeting["account_id"]}),
                "the user list",
            )["users"]
            active = [u for u in users if u.get("status", "active") == "active"]
            attendees = meeting_plan(
                session=session, account_users=active, participants=participants, minutes=minutes
            )
            body = {
                "duration_minutes": minutes,
                "participants": [
                    {**attendee.identity, "segments": [list(s) for s in attendee.segments]}
                    for attendee in attendees
                ],
            }
            instance = _answer(
                sim.post(f"/_sim/meetings/{session.zoom_meeting_id}/run", json=body),
                "the meeting",
            )
    except httpx.HTTPError as error:
        raise MeetingPlayRefused(
            f"zoomsim does not answer at {base_url} ({error.__class__.__name__}): is `make run` "
            "running, and ZOOM_API_BASE_URL its zoomsim?"
        ) from error
    return PlayedMeeting(
        session=session, zoomsim_url=base_url, attendees=attendees, instance=instance
    )
