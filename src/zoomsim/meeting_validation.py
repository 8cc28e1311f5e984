"""Request bodies of create (POST /users/{userId}/meetings) and update (PATCH /meetings/{id}).

Limits are the Meetings spec's: `topic` ≤200, `agenda` ≤2000, `password` ≤10, the `type` and
`settings` enums. Fields zoomsim does not model are kept verbatim (`extras`, unknown `settings`
keys), as Zoom keeps them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from zoomsim.model import LICENSED, User
from zoomsim.request_checks import FieldChecks
from zoomsim.state import State

# 1 instant, 2 scheduled, 3 recurring without fixed time, 8 recurring with fixed time. 10 (screen
# share only) needs an account feature zoomsim does not model, so it is refused like any bad value.
MEETING_TYPES = (1, 2, 3, 8)
INSTANT, SCHEDULED, RECURRING_NO_FIXED_TIME, RECURRING_FIXED_TIME = MEETING_TYPES

# `yyyy-MM-ddTHH:mm:ssZ` is UTC; without the `Z` it is wall-clock time in `timezone`.
_START_TIME = re.compile(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.\d{1,3})?(Z?)$")
_FIRST_YEAR, _LAST_YEAR = 1970, 9998
# Zoom documents no upper bound for `duration` (minutes); a year keeps arithmetic on it in range.
MAX_DURATION = 365 * 24 * 60

_BOOLEAN_SETTINGS = (
    "host_video",
    "participant_video",
    "join_before_host",
    "mute_upon_entry",
    "watermark",
    "use_pmi",
    "waiting_room",
    "close_registration",
    "registrants_email_notification",
    "registrants_confirmation_email",
    "email_notification",
    "alternative_hosts_email_notification",
    "meeting_authentication",
    "enforce_login",
    "cn_meeting",
    "in_meeting",
    "show_share_button",
    "allow_multiple_devices",
    "device_testing",
    "focus_mode",
    "private_meeting",
    "auto_start_meeting_summary",
    "auto_start_ai_companion_questions",
    "push_change_to_calendar",
    "internal_meeting",
    "participant_focused_meeting",
    "host_save_video_order",
    "email_in_attendee_report",
    "allow_host_control_participant_mute_state",
    "alternative_host_update_polls",
    "disable_participant_video",
)
_INTEGER_SETTINGS: dict[str, tuple[int, ...]] = {
    # 0 automatically approve, 1 manually approve, 2 no registration required.
    "approval_type": (0, 1, 2),
    "registration_type": (1, 2, 3),
    "jbh_time": (0, 5, 10, 15),
    "calendar_type": (1, 2),
    "who_will_receive_summary": (1, 2, 3, 4),
    "who_can_ask_questions": (1, 2, 3, 4, 5),
}
_CHOICE_SETTINGS: dict[str, tuple[str, ...]] = {
    "auto_recording": ("local", "cloud", "none"),
    "audio": ("both", "telephony", "voip", "thirdParty"),
    "encryption_type": ("enhanced_encryption", "e2ee"),
}
_STRING_SETTINGS: dict[str, int | None] = {
    "alternative_hosts": None,
    "authentication_domains": None,
    "authentication_option": None,
    "authentication_name": None,
    "contact_name": None,
    "contact_email": None,
    "enforce_login_domains": None,
    "summary_template_id": None,
    "audio_conference_info": 2048,
}
_OBJECT_SETTINGS = (
    "breakout_room",
    "approved_or_denied_countries_or_regions",
    "continuous_meeting_chat",
    "question_and_answer",
    "language_interpretation",
    "sign_language_interpretation",
)
_LIST_SETTINGS = (
    "custom_keys",
    "global_dial_in_countries",
    "meeting_invitees",
    "authentication_exception",
    "resources",
)
# Top-level fields with a meaning here; everything else in the body is kept in `extras`.
_MODELLED = frozenset(
    {"topic", "type", "start_time", "duration", "agenda", "password", "timezone", "settings"}
)


@dataclass
class MeetingInput:
    """What a create or update body asks for; only the fields it names."""

    fields: dict[str, Any] = field(default_factory=dict)  # topic, type, duration, agenda, ...
    start_time: str | None = None  # as sent; format already checked
    settings: dict[str, Any] = field(default_factory=dict)
    extras: dict[str, Any] = field(default_factory=dict)  # tracking_fields, recurrence, ...


def parse_meeting_body(body: dict[str, Any]) -> MeetingInput:
    """Check a create/update body; raise Zoom's 300 "Validation Failed." naming every bad field."""
    checks = FieldChecks()
    parsed = MeetingInput()
    values = {
        "topic": checks.string(body, "topic", max_length=200),
        "type": checks.integer(body, "type", choices=MEETING_TYPES),
        "duration": checks.integer(body, "duration", minimum=0, maximum=MAX_DURATION),
        "agenda": checks.string(body, "agenda", max_length=2000),
        "password": checks.string(body, "password", max_length=10),
        "timezone": _timezone(checks, body),
    }
    parsed.fields = {key: value for key, value in values.items() if value is not None}
    parsed.start_time = _start_time(checks, body)
    settings = checks.mapping(body, "settings")
    if settings is not None:
        parsed.settings = _settings(checks.nested("settings"), settings)
    _check_extras(checks, body)
    parsed.extras = {key: value for key, value in body.items() if key not in _MODELLED}
    checks.raise_if_failed()
    return parsed


def _timezone(checks: FieldChecks, body: dict[str, Any]) -> str | None:
    name = checks.string(body, "timezone")
    if not name:
        return None  # "" is what many clients send for "the host's time zone"
    if not is_time_zone(name):
        checks.fail("timezone")
        return None
    return name


def is_time_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


def _start_time(checks: FieldChecks, body: dict[str, Any]) -> str | None:
    raw = checks.string(body, "start_time")
    if not raw:
        return None
    try:
        wall_clock, _ = _wall_clock(raw)
    except ValueError:
        checks.fail("start_time")
        return None
    # zoomsim's own bound: any time zone shift of these years stays a valid datetime.
    if not _FIRST_YEAR <= wall_clock.year <= _LAST_YEAR:
        checks.fail("start_time")
        return None
    return raw


def _wall_clock(raw: str) -> tuple[datetime, bool]:
    """The naive date and time of a `start_time`, and whether it is UTC (ends in `Z`); raises
    ValueError for anything else."""
    match = _START_TIME.match(raw)
    if match is None:
        raise ValueError(f"not a start_time: {raw!r}")
    wall_clock = datetime.strptime(match.group(1), "%Y-%m-%dT%H:%M:%S")  # noqa: DTZ007
    return wall_clock, match.group(2) == "Z"


def utc_start_time(raw: str, timezone: str) -> float:
    """A checked `start_time` as a timestamp: `Z` means UTC, otherwise local time in `timezone`."""
    wall_clock, is_utc = _wall_clock(raw)
    zone = UTC if is_utc else ZoneInfo(timezone)
    return wall_clock.replace(tzinfo=zone).timestamp()


def _settings(checks: FieldChecks, settings: dict[str, Any]) -> dict[str, Any]:
    for key in _BOOLEAN_SETTINGS:
        checks.boolean(settings, key)
    for key, allowed in _INTEGER_SETTINGS.items():
        checks.integer(settings, key, choices=allowed)
    for key, choices in _CHOICE_SETTINGS.items():
        checks.string(settings, key, choices=choices)
    for key, max_length in _STRING_SETTINGS.items():
        checks.string(settings, key, max_length=max_length)
    for key in _OBJECT_SETTINGS:
        checks.mapping(settings, key)
    for key in _LIST_SETTINGS:
        checks.array(settings, key)
    # Unknown keys are kept: Zoom adds settings faster than any simulator.
    return {key: value for key, value in settings.items() if value is not None}


def _check_extras(checks: FieldChecks, body: dict[str, Any]) -> None:
    checks.boolean(body, "pre_schedule")
    checks.boolean(body, "default_password")
    checks.string(body, "schedule_for")
    checks.string(body, "template_id")
    recurrence = checks.mapping(body, "recurrence")
    if recurrence is not None:
        checks.nested("recurrence").integer(recurrence, "type", required=True, choices=(1, 2, 3))
    tracking_fields = checks.array(body, "tracking_fields")
    for index, item in enumerate(tracking_fields or []):
        item_checks = checks.nested(f"tracking_fields[{index}]")
        if not isinstance(item, dict):
            checks.fail(f"tracking_fields[{index}]")
            continue
        item_checks.string(item, "field", required=True)
        item_checks.string(item, "value")


# --- alternative hosts ---------------------------------------------------------------------------


class AlternativeHostRefused(Exception):
    """One of `settings.alternative_hosts` may not be an alternative host of this meeting."""

    def __init__(self, entry: str) -> None:
        super().__init__(entry)
        self.entry = entry


def split_alternative_hosts(raw: str) -> list[str]:
    """Zoom documents semicolons; clients send commas too, and Zoom takes both."""
    return [entry.strip() for entry in re.split(r"[;,]", raw) if entry.strip()]


def alternative_host_emails(state: State, host: User, raw: str) -> str:
    """The alternative hosts as Zoom stores them (emails joined by `;`), or raise
    AlternativeHostRefused for the first one that is not an active licensed user of the host's
    account other than the host (reference §2.1, from mod_zoom's handling of Zoom's errors)."""
    emails: list[str] = []
    for entry in split_alternative_hosts(raw):
        user = state.user_by_email(entry) if "@" in entry else state.users.get(entry)
        acceptable = (
            user is not None
            and user.account_id == host.account_id
            and user.id != host.id
            and user.status == "active"
            and user.type == LICENSED
        )
        if not acceptable or user is None:
            raise AlternativeHostRefused(entry)
        if user.email not in emails:
            emails.append(user.email)
    return ";".join(emails)
