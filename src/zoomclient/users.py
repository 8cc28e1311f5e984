"""Zoom users: one (GET /users/{userId}) and the rows of the account's list (GET /users)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from zoomclient.json_fields import JsonObject, integer, optional_text, text

# Zoom's user `type`: 1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic.
USER_TYPE_LICENSED = 2
UserStatus = Literal["active", "inactive", "pending"]


def _can_host_registration_meetings(status: str, user_type: int) -> bool:
    # Registration (and alternative hosting) needs an active, licensed user (reference §2.1).
    return status == "active" and user_type == USER_TYPE_LICENSED


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
        return _can_host_registration_meetings(self.status, self.type)

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


@dataclass(frozen=True)
class AccountUser:
    """A row of GET /users. Not a ZoomUser: the list leaves out `account_id` and `role_name`,
    names the role by `role_id`, and gives **no `id` for pending users** (they have not accepted
    the invitation yet), so `id` is None for them."""

    id: str | None
    email: str
    first_name: str
    last_name: str
    display_name: str
    type: int
    status: str  # pending | active | inactive
    role_id: str
    timezone: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_licensed(self) -> bool:
        return self.type == USER_TYPE_LICENSED

    @property
    def can_host_registration_meetings(self) -> bool:
        """Registration (and alternative hosting) needs an active, licensed user."""
        return _can_host_registration_meetings(self.status, self.type)

    @classmethod
    def from_json(cls, obj: JsonObject) -> AccountUser:
        return cls(
            id=optional_text(obj, "id"),
            email=text(obj, "email"),
            first_name=text(obj, "first_name"),
            last_name=text(obj, "last_name"),
            display_name=text(obj, "display_name"),
            type=integer(obj, "type"),
            status=text(obj, "status"),
            role_id=text(obj, "role_id"),
            timezone=text(obj, "timezone"),
            raw=obj,
        )
