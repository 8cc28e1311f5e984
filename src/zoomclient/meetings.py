"""Meetings: what to send when creating or updating one, and what Zoom answers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zoomclient.json_fields import JsonObject, instant, integer, optional_text, text
from zoomclient.times import to_zoom_utc

# Zoom's meeting `type`: 1 instant, 2 scheduled, 3 recurring without a fixed time, 8 recurring
# with a fixed time.
MEETING_TYPE_SCHEDULED = 2

# approval_type: 0 approve registrants automatically, 1 manually, 2 no registration.
APPROVAL_AUTOMATIC, APPROVAL_MANUAL, APPROVAL_NO_REGISTRATION = 0, 1, 2


@dataclass(frozen=True)
class MeetingSettings:
    """The `settings` the platform sets. None leaves a setting out (Zoom's default on create,
    unchanged on update)."""

    host_video: bool | None = None
    participant_video: bool | None = None
    join_before_host: bool | None = None
    mute_upon_entry: bool | None = None
    waiting_room: bool | None = None
    approval_type: int | None = None
    registration_type: int | None = None
    registrants_email_notification: bool | None = None
    registrants_confirmation_email: bool | None = None
    auto_recording: Literal["local", "cloud", "none"] | None = None
    # Emails or user ids of active, licensed users of the same account; () clears them.
    alternative_hosts: tuple[str, ...] | None = None
    alternative_hosts_email_notification: bool | None = None
    email_notification: bool | None = None
    meeting_authentication: bool | None = None

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {}
        for setting in fields(self):
            value = getattr(self, setting.name)
            if value is None:
                continue
            if setting.name == "alternative_hosts":
                value = ";".join(value)  # Zoom takes them semicolon-separated
            body[setting.name] = value
        return body


@dataclass(frozen=True)
class MeetingSpec:
    """A meeting to create, or the changes of an update (None fields are not sent).

    `start` must be timezone-aware; it is sent as UTC (`...Z`) together with `timezone`, the IANA
    name Zoom shows the meeting in. Sending a local wall-clock time with `Z`, or a `Z` time whose
    meaning depends on the account's zone, moves the meeting by the offset (reference §7.4).
    """

    topic: str | None = None
    start: datetime | None = None
    timezone: str | None = None
    duration_minutes: int | None = None
    agenda: str | None = None
    type: int | None = None
    password: str | None = None
    default_password: bool | None = None
    schedule_for: str | None = None
    settings: MeetingSettings | None = None
    # Further documented request fields sent verbatim (e.g. `recurrence`, `tracking_fields`).
    extra: Mapping[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        if self.start is not None and not self.timezone:
            raise ValueError("a meeting start needs its IANA timezone as well")
        if self.timezone:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise ValueError(f"not an IANA time zone: {self.timezone!r}") from exc
        body: dict[str, Any] = dict(self.extra)
        optional: dict[str, Any] = {
            "topic": self.topic,
            "type": self.type,
            "start_time": to_zoom_utc(self.start) if self.start is not None else None,
            "timezone": self.timezone,
            "duration": self.duration_minutes,
            "agenda": self.agenda,
            "password": self.password,
            "default_password": self.default_password,
            "schedule_for": self.schedule_for,
        }
        body.update({name: value for name, value in optional.items() if value is not None})
        if self.settings is not None:
            body["settings"] = self.settings.to_json()
        return body


_HOST_SEPARATORS = re.compile(r"[;,]")


@dataclass(frozen=True)
class Meeting:
    """A meeting as Zoom returns it on create and GET. `id` is an int64 ("store as long"): it can
    exceed 10 digits. `start_url` expires after 2 hours: fetch the meeting again for a fresh one."""

    id: int
    uuid: str
    host_id: str
    host_email: str
    topic: str
    type: int
    status: str
    start_time: datetime | None
    duration_minutes: int
    timezone: str
    agenda: str
    join_url: str
    start_url: str
    password: str
    registration_url: str | None
    settings: Mapping[str, Any] = field(repr=False, compare=False)
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def alternative_hosts(self) -> tuple[str, ...]:
        """Zoom returns them comma- or semicolon-separated, depending on the account."""
        value = str(self.settings.get("alternative_hosts") or "")
        return tuple(host.strip() for host in _HOST_SEPARATORS.split(value) if host.strip())

    @classmethod
    def from_json(cls, obj: JsonObject) -> Meeting:
        settings = obj.get("settings")
        return cls(
            id=integer(obj, "id"),
            uuid=text(obj, "uuid"),
            host_id=text(obj, "host_id"),
            host_email=text(obj, "host_email"),
            topic=text(obj, "topic"),
            type=integer(obj, "type"),
            status=text(obj, "status"),
            start_time=instant(obj, "start_time"),
            duration_minutes=integer(obj, "duration"),
            timezone=text(obj, "timezone"),
            agenda=text(obj, "agenda"),
            join_url=text(obj, "join_url"),
            start_url=text(obj, "start_url"),
            password=text(obj, "password"),
            registration_url=optional_text(obj, "registration_url"),
            settings=settings if isinstance(settings, Mapping) else {},
            raw=obj,
        )


MeetingListType = Literal["scheduled", "live", "upcoming", "upcoming_meetings", "previous_meetings"]


@dataclass(frozen=True)
class MeetingListItem:
    """One of `meetings[]` in GET /users/{userId}/meetings. Zoom cuts `agenda` to 250 characters
    in lists: fetch the meeting for the whole of it."""

    id: int
    uuid: str
    host_id: str
    topic: str
    type: int
    start_time: datetime | None
    duration_minutes: int
    timezone: str
    agenda: str
    join_url: str

    @classmethod
    def from_json(cls, obj: JsonObject) -> MeetingListItem:
        return cls(
            id=integer(obj, "id"),
            uuid=text(obj, "uuid"),
            host_id=text(obj, "host_id"),
            topic=text(obj, "topic"),
            type=integer(obj, "type"),
            start_time=instant(obj, "start_time"),
            duration_minutes=integer(obj, "duration"),
            timezone=text(obj, "timezone"),
            agenda=text(obj, "agenda"),
            join_url=text(obj, "join_url"),
        )
