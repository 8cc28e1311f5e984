"""Reading fields out of Zoom's JSON objects into typed values.

Zoom's documented types are not always what it sends (ids as numbers or strings, fields left out
rather than null), so each reader accepts what Zoom has been seen to send and falls back to the
empty value instead of failing the whole response over one field.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from zoomclient.times import parse_zoom_time

JsonObject = Mapping[str, Any]


def text(obj: JsonObject, key: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    return str(value)


def optional_text(obj: JsonObject, key: str) -> str | None:
    """None when Zoom left the field out or sent "" (e.g. `join_url` for approval_type 1)."""
    value = obj.get(key)
    return str(value) if value not in (None, "") else None


def integer(obj: JsonObject, key: str) -> int:
    value = obj.get(key)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return 0
    return 0


def flag(obj: JsonObject, key: str) -> bool:
    return obj.get(key) is True


def instant(obj: JsonObject, key: str) -> datetime | None:
    return parse_zoom_time(obj.get(key))


def objects(obj: JsonObject, key: str) -> list[JsonObject]:
    value = obj.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, Mapping)]
