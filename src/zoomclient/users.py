"""A Zoom user (GET /users/{userId})."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from zoomclient.json_fields import JsonObject, integer, text

# Zoom's user `type`: 1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic.
USER_TYPE_LICENSED = 2


@dataclass(frozen=True)
class ZoomUser:
    id: str
    account_id: str
    # The number Zoom's web portal shows as "Account No." (Profile): what a person recognizes
    # their account by; 0 when Zoom sent none.
    account_number: int
    email: str
    first_name: str
    last_name: str
    display_name: str
    type: int
    status: str  # pending | active | inactive
    role_name: str
    timezone: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_licensed(self) -> bool:
        return self.type == USER_TYPE_LICENSED

    @property
    def can_host_registration_meetings(self) -> bool:
        """Registration (and alternative hosting) needs an active, licensed user."""
        return self.status == "active" and self.is_licensed

    @classmethod
    def from_json(cls, obj: JsonObject) -> ZoomUser:
        return cls(
            id=text(obj, "id"),
            account_id=text(obj, "account_id"),
            account_number=integer(obj, "account_number"),
            email=text(obj, "email"),
            first_name=text(obj, "first_name"),
            last_name=text(obj, "last_name"),
            display_name=text(obj, "display_name"),
            type=integer(obj, "type"),
            status=text(obj, "status"),
            role_name=text(obj, "role_name"),
            timezone=text(obj, "timezone"),
            raw=obj,
        )
