"""The Zoom scopes Campus needs, and which of them a grant lacks: plain data both the connection
service (audit entries) and the selectors (the page) read."""

from __future__ import annotations

# What Campus calls, as granular scopes (apps created since 2024), each with the classic scope
# that grants the same to older apps (reference §1.3).
REQUIRED_SCOPES: dict[str, str] = {
    "user:read:user:admin": "user:read:admin",
    "meeting:write:meeting:admin": "meeting:write:admin",
    "meeting:update:meeting:admin": "meeting:write:admin",
    "meeting:delete:meeting:admin": "meeting:write:admin",
    "meeting:read:meeting:admin": "meeting:read:admin",
    "meeting:write:registrant:admin": "meeting:write:admin",
    "meeting:write:batch_registrants:admin": "meeting:write:admin",
    "meeting:read:list_registrants:admin": "meeting:read:admin",
    "meeting:update:registrant_status:admin": "meeting:write:admin",
    "report:read:list_meeting_participants:admin": "report:read:admin",
    "meeting:read:past_meeting:admin": "meeting:read:admin",
    "meeting:read:list_past_instances:admin": "meeting:read:admin",
    "meeting:read:list_past_participants:admin": "meeting:read:admin",
    "cloud_recording:read:list_recording_files:admin": "recording:read:admin",
    "cloud_recording:delete:recording_file:admin": "recording:write:admin",
}


def scopes_missing(granted: list[str] | tuple[str, ...]) -> list[str]:
    """The required scopes the grant lacks (neither the granular nor the classic one)."""
    have = set(granted)
    return [
        scope
        for scope, classic in REQUIRED_SCOPES.items()
        if scope not in have and classic not in have
    ]
