"""GET /users/{userId}: by id, email, or `me`.

https://developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}
"""

from __future__ import annotations

import hashlib
from typing import Any

from starlette.responses import Response

from zoomsim.clock import iso
from zoomsim.endpoint import ApiContext, api
from zoomsim.errors import invalid_parameter, user_not_found
from zoomsim.model import User
from zoomsim.state import State

ROLE_NAMES = {"owner": "Owner", "admin": "Admin", "member": "Member"}
ROLE_IDS = {"owner": "0", "admin": "1", "member": "2"}


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
