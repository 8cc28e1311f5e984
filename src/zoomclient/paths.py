"""Values placed in a Zoom API path, encoded the one way Zoom understands them.

Meeting UUIDs are base64 (`+`, `/`, `=`). Zoom decodes the path once and then collapses slashes in
the value, so a UUID that starts with `/` or contains `//` must be encoded TWICE
(`encodeURIComponent(encodeURIComponent(uuid))`); sent once, Zoom loses the slashes and answers
404/3001 "Meeting does not exist: pfVhQ...==" for a meeting that exists. Other UUIDs go encoded once
(reference §2.2, §7.3; mod_zoom `encode_uuid`, ZoomNet#471). Numeric meeting ids go as they are;
Zoom reads a numeric id on report, past_meetings and recordings paths as "the latest instance".
"""

from __future__ import annotations

from urllib.parse import quote


def meeting_ref(meeting: int | str) -> str:
    """A meeting id (int or digits) or an instance UUID, as a path segment."""
    value = str(meeting)
    if value.isdigit():
        return value
    if value.startswith("/") or "//" in value:
        return quote(quote(value, safe=""), safe="")
    return quote(value, safe="")


def path_value(value: str) -> str:
    """Any other path value (a user id or email, a registrant or file id), encoded once."""
    return quote(value, safe="@")
