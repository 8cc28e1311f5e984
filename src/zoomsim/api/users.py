"""The account's users: one by id, email, or `me` (GET /users/{userId}), and the list (GET /users).

https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
https://developers.zoom.us/docs/api/users/#tag/users/GET/users
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

from starlette.responses import Response

from zoomsim.clock import iso
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import invalid_parameter, user_not_found
from zoomsim.model import User
from zoomsim.page_tokens import requested_page
from zoomsim.state import State

ROLE_NAMES = {"owner": "Owner", "admin": "Admin", "member": "Member"}
ROLE_IDS = {"owner": "0", "admin": "1", "member": "2"}
USER_STATUSES = ("active", "inactive", "pending")
# The Users spec's list takes pages of up to 2000 users, not 300 like the meeting lists.
MAX_USERS_PAGE_SIZE = 2000
# `include_fields` and `license` values the spec names. zoomsim's users have no custom
# attributes, host keys or such licenses, so these add nothing and filter everyone out.
INCLUDE_FIELDS = ("custom_attributes", "host_key")
LICENSES = ("zoom_workforce_management", "zoom_compliance_management")


def find_user(ctx: ApiContext, ref: str) -> User:
    """Resolve `me`, an id or an email within the token's account, or raise Zoom's 1001."""
    state: State = ctx.state
    if ref == "me":
        return ctx.acting_user()
    user = state.users.get(ref) or (state.user_by_email(ref) if "@" in ref else None)
    if user is None or user.account_id != ctx.account.id:
        raise user_not_found(ref)
    return user


def account_number(account_id: str) -> int:
    """Stable across restarts, as Zoom's is (Python's hash() of a str changes every process)."""
    return int(hashlib.sha256(account_id.encode()).hexdigest(), 16) % 10**9


def user_json(user: User, state: State) -> dict[str, Any]:
    created = state.now() if user.status == "pending" else user.created_at
    return {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": user.type,
        "role_name": ROLE_NAMES[user.role],
        "role_id": ROLE_IDS[user.role],
        "pmi": user.pmi,
        "use_pmi": False,
        "timezone": user.timezone,
        "verified": 1,
        "dept": "",
        "created_at": iso(created),
        "user_created_at": iso(user.created_at),
        "last_login_time": iso(user.created_at),
        "language": "en-US",
        "status": user.status,
        "account_id": user.account_id,
        "account_number": account_number(user.account_id),
        "cluster": "us06",
        "group_ids": [],
        "im_group_ids": [],
        "personal_meeting_url": f"{state.knobs.base_url}/j/{user.pmi}",
        "login_types": [100],
        "jid": f"{user.id.lower()}@xmpp.zoom.us",
    }


@api(
    "GET",
    "/users/{userId}",
    category="Light",
    scopes=("user:read:admin", "user:read", "user:read:user:admin", "user:read:user"),
)
async def get_user(ctx: ApiContext) -> Response:
    ref = ctx.param("userId")
    if ctx.query("login_type") and not ctx.query("login_type").isdigit():
        raise invalid_parameter("login_type")
    return ctx.json(user_json(find_user(ctx, ref), ctx.state))


def user_list_item(user: User, state: State) -> dict[str, Any]:
    """A row of GET /users: the fields the Users spec lists for it. Zoom leaves out `id` for
    pending users (the spec says so) and a pending user has never signed in."""
    row: dict[str, Any] = {
        "id": user.id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "display_name": user.display_name,
        "email": user.email,
        "type": user.type,
        "pmi": user.pmi,
        "timezone": user.timezone,
        "verified": 1,
        "dept": "",
        "created_at": iso(state.now() if user.status == "pending" else user.created_at),
        "user_created_at": iso(user.created_at),
        "last_login_time": iso(user.created_at),
        "status": user.status,
        "role_id": ROLE_IDS[user.role],
        "group_ids": [],
        "im_group_ids": [],
    }
    if user.status == "pending":
        del row["id"]
        del row["last_login_time"]
        row["verified"] = 0
    return row


@api(
    "GET",
    "/users",
    category="Medium",
    scopes=(
        "user:read:admin",
        "user:read",
        "user:write:admin",
        "user:write",
        "user:read:list_users:admin",
    ),
)
async def list_users(ctx: ApiContext) -> Response:
    state = ctx.state
    status = ctx.query("status", "active")
    if status not in USER_STATUSES:
        raise invalid_parameter("status")
    role_id = ctx.query("role_id")
    if role_id and role_id not in ROLE_IDS.values():
        raise invalid_parameter("role_id")
    include = ctx.query("include_fields")
    if include and include not in INCLUDE_FIELDS:
        raise invalid_parameter("include_fields")
    license_filter = ctx.query("license")
    if license_filter and license_filter not in LICENSES:
        raise invalid_parameter("license")
    users = [
        user
        for user in state.users.values()
        if user.account_id == ctx.account.id
        and user.status == status
        and (not role_id or ROLE_IDS[user.role] == role_id)
        and not license_filter
    ]
    users.sort(key=lambda user: user.created_at)  # oldest first; the seed's order among equals
    listing = f"users:{ctx.account.id}:{status}:{role_id}:{license_filter}"
    # `page_number` (deprecated in the spec, "no longer supported in a future release") is not
    # read: a client still paging with it gets the first page again, and must move to
    # next_page_token, as it will have to at Zoom.
    page = requested_page(ctx, users, listing=listing, max_page_size=MAX_USERS_PAGE_SIZE)
    rows = [user_list_item(user, state) for user in page.items]
    page_count = math.ceil(page.total_records / page.page_size)
    return ctx.json({"page_count": page_count, **page.body("users", rows)})
