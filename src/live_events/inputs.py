"""What a builder's form hands the live-event services, and the checks that need no provider.

Errors are collected per field, all at once, under the keys a form shows them beside:
`topic`, `description`, `sessions` (the list as a whole), `sessions.<i>.starts_at`,
`sessions.<i>.time_zone`, `sessions.<i>.duration_minutes`, `host_email`, `alternative_hosts`,
`auto_upload_recording`, `track_attendance`, and `__all__` for the event as a whole.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

TOPIC_MAX = 200
DESCRIPTION_MAX = 2000
SESSIONS_MAX = 50
DURATION_MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class SessionInput:
    """One session as the builder wrote it: a wall-clock start in `time_zone` (naive), or an
    aware datetime. `session_id` names an existing session of the event when editing."""

    starts_at: datetime
    time_zone: str
    duration_minutes: int
    session_id: int | None = None


@dataclass(frozen=True)
class EventOptions:
    auto_record_cloud: bool = False
    auto_upload_recording: bool = False
    participant_video: bool = False
    mute_upon_entry: bool = False
    zoom_notification_emails: bool = False
    track_attendance: bool = True


@dataclass(frozen=True)
class EventInput:
    topic: str
    sessions: tuple[SessionInput, ...]
    host_email: str
    description: str = ""
    alternative_hosts: tuple[str, ...] = ()
    options: EventOptions = field(default_factory=EventOptions)


@dataclass(frozen=True)
class CheckedSession:
    starts_at: datetime  # aware, UTC
    time_zone: str
    duration_minutes: int
    session_id: int | None

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)


class FieldErrors:
    """Messages per field, collected before anything is saved."""

    def __init__(self) -> None:
        self._errors: dict[str, list[str]] = defaultdict(list)

    def add(self, key: str, message: str) -> None:
        self._errors[key].append(message)

    def __bool__(self) -> bool:
        return bool(self._errors)

    def as_dict(self) -> dict[str, list[str]]:
        return {key: list(messages) for key, messages in self._errors.items()}

    def raise_if_any(self) -> None:
        if self._errors:
            raise ValidationError(self.as_dict())


def is_time_zone(name: str) -> bool:
    """IANA names only ("+05:00" or "Mars/Olympus" are not what a builder picks from the list)."""
    if not name or name not in _iana_names():
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _iana_names() -> frozenset[str]:
    return frozenset(available_timezones())


def normalized_email(email: str) -> str:
    return email.strip().lower()


def check_text(data: EventInput, errors: FieldErrors) -> None:
    topic = data.topic.strip()
    if not topic:
        errors.add("topic", "Give the event a topic.")
    elif len(topic) > TOPIC_MAX:
        errors.add("topic", f"Keep the topic to {TOPIC_MAX} characters (it has {len(topic)}).")
    if len(data.description) > DESCRIPTION_MAX:
        errors.add(
            "description",
            f"Keep the description to {DESCRIPTION_MAX:,} characters "
            f"(it has {len(data.description):,}).",
        )


def check_options(options: EventOptions, errors: FieldErrors) -> None:
    if options.auto_upload_recording and not options.auto_record_cloud:
        errors.add(
            "auto_upload_recording",
            "Only a cloud recording can be uploaded: turn on Auto-record the meeting on Cloud.",
        )
    if not options.track_attendance:
        errors.add("track_attendance", "Zoom events always track attendance.")


def check_sessions(
    sessions: tuple[SessionInput, ...], errors: FieldErrors, *, now: datetime
) -> list[CheckedSession]:
    """The sessions as aware UTC starts, in the order given; problems go into `errors`."""
    if not sessions:
        errors.add("sessions", "Add at least one session.")
        return []
    if len(sessions) > SESSIONS_MAX:
        errors.add(
            "sessions",
            f"An event can have at most {SESSIONS_MAX} sessions (this one has {len(sessions)}).",
        )
        return []
    checked: list[tuple[int, CheckedSession]] = []
    for index, session in enumerate(sessions):
        one = _check_session(index, session, errors, now=now)
        if one is not None:
            checked.append((index, one))
    _check_same_times(checked, errors)
    return [session for _index, session in checked]


def _check_session(
    index: int, session: SessionInput, errors: FieldErrors, *, now: datetime
) -> CheckedSession | None:
    prefix = f"sessions.{index}"
    ok = True
    if not 1 <= session.duration_minutes <= DURATION_MAX_MINUTES:
        errors.add(
            f"{prefix}.duration_minutes",
            "A session lasts from 1 minute to 24 hours."
            if session.duration_minutes > 0
            else "Give the session a duration of at least 1 minute.",
        )
        ok = False
    if not is_time_zone(session.time_zone):
        errors.add(
            f"{prefix}.time_zone",
            f"“{session.time_zone}” is not a time zone; pick one from the list.",
        )
        return None
    starts_at = _utc_start(session, errors, prefix)
    if starts_at is None:
        return None
    if starts_at <= now:
        errors.add(f"{prefix}.starts_at", "This start time is in the past; pick a later one.")
        ok = False
    if not ok:
        return None
    return CheckedSession(
        starts_at=starts_at,
        time_zone=session.time_zone,
        duration_minutes=session.duration_minutes,
        session_id=session.session_id,
    )


def _utc_start(session: SessionInput, errors: FieldErrors, prefix: str) -> datetime | None:
    zone = ZoneInfo(session.time_zone)
    if session.starts_at.tzinfo is not None:
        return session.starts_at.astimezone(UTC)
    local = session.starts_at.replace(tzinfo=zone)
    # A wall-clock time the zone skips (clocks jump forward) does not exist: it would come back
    # from UTC as another time. Say so instead of silently moving the session by an hour.
    if local.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != session.starts_at:
        errors.add(
            f"{prefix}.starts_at",
            f"{session.starts_at:%H:%M} does not exist on {session.starts_at:%d %B %Y} in "
            f"{session.time_zone} (the clocks skip it); pick another time.",
        )
        return None
    return local.astimezone(UTC)


def _check_same_times(checked: list[tuple[int, CheckedSession]], errors: FieldErrors) -> None:
    first_at: dict[datetime, int] = {}
    for index, session in checked:
        if session.starts_at in first_at:
            errors.add(
                f"sessions.{index}.starts_at",
                f"Session {first_at[session.starts_at] + 1} starts at the same time; "
                "give each session its own time.",
            )
        else:
            first_at[session.starts_at] = index


def check_host_emails(data: EventInput, errors: FieldErrors) -> tuple[str, list[str]]:
    """The host and alternative host emails, normalized; syntax, duplicates and self-naming."""
    host = normalized_email(data.host_email)
    if not host:
        errors.add("host_email", "Name the host: the email of a user of your Zoom account.")
    else:
        try:
            validate_email(host)
        except ValidationError:
            errors.add("host_email", f"“{data.host_email}” is not an email address.")
            host = ""
    alternatives: list[str] = []
    for raw in data.alternative_hosts:
        email = normalized_email(raw)
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError:
            errors.add("alternative_hosts", f"“{raw}” is not an email address.")
            continue
        if email == host:
            errors.add(
                "alternative_hosts", f"{raw} is the host; an alternative host is someone else."
            )
        elif email in alternatives:
            errors.add("alternative_hosts", f"{raw} is named twice.")
        else:
            alternatives.append(email)
    return host, alternatives
