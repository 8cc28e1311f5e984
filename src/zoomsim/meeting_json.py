"""Meetings and registrants as Zoom's JSON: the create/GET meeting object, list items, webhook
objects and registrant rows. Times leave here as Zoom's UTC strings (`2026-12-01T15:00:00Z`)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from zoomsim.clock import iso
from zoomsim.model import Meeting, Registrant
from zoomsim.state import State

# What Zoom fills in for settings a create request leaves out (Meetings spec defaults).
DEFAULT_SETTINGS: dict[str, Any] = {
    "host_video": False,
    "participant_video": False,
    "cn_meeting": False,
    "in_meeting": False,
    "join_before_host": False,
    "jbh_time": 0,
    "mute_upon_entry": False,
    "watermark": False,
    "use_pmi": False,
    "approval_type": 2,
    "registration_type": 1,
    "audio": "both",
    "auto_recording": "none",
    "enforce_login": False,
    "enforce_login_domains": "",
    "alternative_hosts": "",
    "alternative_hosts_email_notification": True,
    "close_registration": False,
    "show_share_button": False,
    "allow_multiple_devices": False,
    "registrants_confirmation_email": True,
    "waiting_room": False,
    "registrants_email_notification": True,
    "meeting_authentication": False,
    "encryption_type": "enhanced_encryption",
    "email_notification": True,
    "device_testing": False,
    "focus_mode": False,
    "private_meeting": False,
}
NO_REGISTRATION = 2
MANUAL_APPROVAL = 1

# Request fields Zoom echoes back in the meeting object; other extras are request-only.
_ECHOED_EXTRAS = ("tracking_fields", "recurrence")


def registration_enabled(meeting: Meeting) -> bool:
    return bool(meeting.settings.get("approval_type", NO_REGISTRATION) != NO_REGISTRATION)


def _stable_token(*parts: object, length: int = 32) -> str:
    """A token that is the same on every response for the same meeting (Zoom's links are)."""
    digest = hashlib.sha256(":".join(str(part) for part in parts).encode()).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")[:length]


def encrypted_password(meeting: Meeting) -> str:
    return _stable_token("pwd", meeting.id, meeting.password) if meeting.password else ""


def numeric_password(meeting: Meeting) -> str:
    """`h323_password`/`pstn_password`: the passcode as digits, for phones and room systems."""
    if not meeting.password or meeting.password.isdigit():
        return meeting.password
    digest = hashlib.sha256(f"numeric:{meeting.id}:{meeting.password}".encode()).hexdigest()
    return str(int(digest, 16) % 900_000 + 100_000)


def join_url(meeting: Meeting, state: State) -> str:
    url = f"{state.knobs.base_url}/j/{meeting.id}"
    password = encrypted_password(meeting)
    return f"{url}?pwd={password}" if password else url


def registration_url(meeting: Meeting, state: State) -> str:
    return f"{state.knobs.base_url}/meeting/register/{_stable_token('reg', meeting.uuid)}"


def start_url(meeting: Meeting, state: State) -> str:
    # Every response carries a fresh zak (Zoom's expire after 2 hours; GET gives a new one).
    return f"{state.knobs.base_url}/s/{meeting.id}?zak={secrets.token_urlsafe(48)}"


def start_time_json(meeting: Meeting) -> dict[str, Any]:
    # Recurring meetings with no fixed time have no start time at all.
    return {} if meeting.start_time is None else {"start_time": iso(meeting.start_time)}


def _meeting_core(meeting: Meeting) -> dict[str, Any]:
    """The fields every meeting object Zoom sends carries: full object, list item, webhook."""
    return {
        "uuid": meeting.uuid,
        "id": meeting.id,
        "host_id": meeting.host_id,
        "topic": meeting.topic,
        "type": meeting.type,
        **start_time_json(meeting),
        "duration": meeting.duration,
        "timezone": meeting.timezone,
    }


def meeting_json(meeting: Meeting, state: State) -> dict[str, Any]:
    """The object create (201) and GET /meetings/{id} answer with."""
    host = state.users.get(meeting.host_id)
    body: dict[str, Any] = {
        **_meeting_core(meeting),
        "host_email": host.email if host else "",
        "status": meeting.status,
        "agenda": meeting.agenda,
        "created_at": iso(meeting.created_at),
        "start_url": start_url(meeting, state),
        "join_url": join_url(meeting, state),
        "password": meeting.password,
        "h323_password": numeric_password(meeting),
        "pstn_password": numeric_password(meeting),
        "encrypted_password": encrypted_password(meeting),
        "settings": dict(meeting.settings),
        "pre_schedule": bool(meeting.tracking.get("pre_schedule", False)),
    }
    if registration_enabled(meeting):
        body["registration_url"] = registration_url(meeting, state)
    for key in _ECHOED_EXTRAS:
        if key in meeting.tracking:
            body[key] = meeting.tracking[key]
    return body


def meeting_list_item(meeting: Meeting, state: State) -> dict[str, Any]:
    """One of `meetings[]` in GET /users/{userId}/meetings."""
    return {
        **_meeting_core(meeting),
        "agenda": meeting.agenda,
        "created_at": iso(meeting.created_at),
        "join_url": join_url(meeting, state),
    }


def meeting_event_object(meeting: Meeting) -> dict[str, Any]:
    """The `object` of meeting.deleted: the identifying fields Zoom always includes (the events
    about one run of a meeting use `happenings.instance_event_object`)."""
    return _meeting_core(meeting)


# --- registrants ---------------------------------------------------------------------------------

# Profile fields a registrant may carry besides its name and email; Zoom lists them as "" when
# the registrant left them out.
REGISTRANT_PROFILE_FIELDS = (
    "address",
    "city",
    "country",
    "zip",
    "state",
    "phone",
    "industry",
    "org",
    "job_title",
    "purchasing_time_frame",
    "role_in_purchase_process",
    "no_of_employees",
    "comments",
)


def registrant_join_fields(registrant: Registrant) -> dict[str, Any]:
    # A registrant waiting for manual approval has no personal link yet; Zoom leaves it out.
    return {"join_url": registrant.join_url} if registrant.join_url else {}


def registrant_list_item(registrant: Registrant) -> dict[str, Any]:
    profile = {name: str(registrant.extra.get(name, "")) for name in REGISTRANT_PROFILE_FIELDS}
    return {
        "id": registrant.id,
        "first_name": registrant.first_name,
        "last_name": registrant.last_name,
        "email": registrant.email,
        **profile,
        "custom_questions": list(registrant.extra.get("custom_questions", [])),
        "status": registrant.status,
        "create_time": iso(registrant.create_time),
        **registrant_join_fields(registrant),
        "participant_pin_code": registrant.participant_pin_code,
    }


def registrant_created(registrant: Registrant, meeting: Meeting) -> dict[str, Any]:
    """POST /meetings/{id}/registrants's 201 body."""
    return {
        "id": meeting.id,
        "registrant_id": registrant.id,
        "topic": meeting.topic,
        **start_time_json(meeting),
        **registrant_join_fields(registrant),
        "participant_pin_code": registrant.participant_pin_code,
    }
