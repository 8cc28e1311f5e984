"""Meeting registrants: whom to register, and what Zoom answers (reference §2.1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from zoomclient.json_fields import JsonObject, instant, integer, optional_text, text

RegistrantStatus = Literal["pending", "approved", "denied"]
RegistrantAction = Literal["approve", "cancel", "deny"]

# Zoom takes at most 30 registrants per batch_registrants and per registrant-status call.
BATCH_LIMIT = 30


@dataclass(frozen=True)
class NewRegistrant:
    email: str
    first_name: str
    last_name: str = ""

    def to_json(self) -> dict[str, Any]:
        body = {"email": self.email, "first_name": self.first_name}
        if self.last_name:
            body["last_name"] = self.last_name
        return body


@dataclass(frozen=True)
class AddedRegistrant:
    """POST /meetings/{id}/registrants. `join_url` is None when the meeting approves registrants
    manually (approval_type 1): the link comes once the registrant is approved."""

    meeting_id: int
    registrant_id: str
    join_url: str | None
    participant_pin_code: int | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: JsonObject) -> AddedRegistrant:
        return cls(
            meeting_id=integer(obj, "id"),
            registrant_id=text(obj, "registrant_id"),
            join_url=optional_text(obj, "join_url"),
            participant_pin_code=integer(obj, "participant_pin_code") or None,
            raw=obj,
        )


@dataclass(frozen=True)
class BatchRegistrant:
    """One registrant of POST /meetings/{id}/batch_registrants."""

    email: str
    registrant_id: str
    join_url: str | None
    participant_pin_code: int | None

    @classmethod
    def from_json(cls, obj: JsonObject) -> BatchRegistrant:
        return cls(
            email=text(obj, "email"),
            registrant_id=text(obj, "registrant_id"),
            join_url=optional_text(obj, "join_url"),
            participant_pin_code=integer(obj, "participant_pin_code") or None,
        )


@dataclass(frozen=True)
class Registrant:
    """An item of GET /meetings/{id}/registrants."""

    id: str
    email: str
    first_name: str
    last_name: str
    status: str
    join_url: str | None
    create_time: datetime | None
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @classmethod
    def from_json(cls, obj: JsonObject) -> Registrant:
        return cls(
            id=text(obj, "id"),
            email=text(obj, "email"),
            first_name=text(obj, "first_name"),
            last_name=text(obj, "last_name"),
            status=text(obj, "status"),
            join_url=optional_text(obj, "join_url"),
            create_time=instant(obj, "create_time"),
            raw=obj,
        )


@dataclass(frozen=True)
class RegistrantRef:
    """Whom a status change is about: Zoom takes the registrant id and/or email."""

    id: str = ""
    email: str = ""

    def to_json(self) -> dict[str, str]:
        return {name: value for name, value in (("id", self.id), ("email", self.email)) if value}
