"""Zoom users: one (GET /users/{userId}) and the rows of the account's list (GET /users)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypedDict

from zoomclient.json_fields import JsonObject, integer, optional_text, text

# Zoom's user `type`: 1 Basic, 2 Licensed, 4 Unassigned without Meetings Basic.
USER_TYPE_LICENSED = 2
UserStatus = Literal["active", "inactive", "pending"]


class _PersonFields(TypedDict):
    email: str
    first_name: str
    last_name: str
    display_name: str
    type: int
    status: str
    timezone: str
    raw: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True)
class _ZoomPerson:
    """What a user of GET /users/{userId} and a row of GET /users both carry, read once."""

    email: str
    first_name: str
    last_name: str
    display_name: str
    type: int
    status: str  # pending | active | inactive
    timezone: str
    raw: Mapping[str, Any] = field(repr=False, compare=False)

    @property
    def is_licensed(self) -> bool:
        return self.type == USER_TYPE_LICENSED

    @property
    def can_host_registration_meetings(self) -> bool:
        """Registration (and alternative hosting) needs an active, licensed user (reference
        §2.1)."""
        return self.status == "active" and self.type == USER_TYPE_LICENSED

    @staticmethod
    def _person_fields(obj: JsonObject) -> _PersonFields:
        return _PersonFields(
            email=text(obj, "email"),
            first_name=text(obj, "first_name"),
            last_name=text(obj, "last_name"),
            display_name=text(obj, "display_name"),
            type=integer(obj, "type"),
            status=text(obj, "status"),
            timezone=text(obj, "timezone"),
            raw=obj,
        )


@dataclass(frozen=True, kw_only=True)
class ZoomUser(_ZoomPerson):
    id: str
    account_id: str
    # The number Zoom's web portal shows as "Account No." (Profile): what a person recognizes
    # their account by; 0 when Zoom sent none.
    account_number: int
    role_name: str

    @classmethod
    def from_json(cls, obj: JsonObject) -> ZoomUser:
        return cls(
            id=text(obj, "id"),
            account_id=text(obj, "account_id"),
            account_number=integer(obj, "account_number"),
            role_name=text(obj, "role_name"),
            **cls._person_fields(obj),
        )


@dataclass(frozen=True, kw_only=True)
class AccountUser(_ZoomPerson):
    """A row of GET /users. Not a ZoomUser: the list leaves out `account_id` and `role_name`,
    names the role by `role_id`, and gives **no `id` for pending users** (they have not accepted
    the invitation yet), so `id` is None for them."""

    id: str | None
    role_id: str

    @classmethod
    def from_json(cls, obj: JsonObject) -> AccountUser:
        return cls(
            id=optional_text(obj, "id"),
            role_id=text(obj, "role_id"),
            **cls._person_fields(obj),
        )
