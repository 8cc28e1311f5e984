"""The control API under /_sim/: what Zoom does not have, for tests and demos.

Knobs, the clock, reset, injected faults, token and installation trouble (revoke, expire,
uninstall), endpoint URL validation, and read-only ground truth of everything zoomsim holds. Bad
input gets a 400 `{code, message}` and changes nothing.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import asdict, fields
from datetime import UTC, datetime
from typing import Any, TypeVar

import httpx
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from zoomsim import webhooks
from zoomsim.clock import iso
from zoomsim.control_requests import (
    Body,
    flag,
    integer,
    json_object,
    number,
    reject_unknown,
    text,
)
from zoomsim.errors import ZoomErrorResponse, control_bad_request, control_not_found
from zoomsim.json_bodies import finite_number
from zoomsim.model import App, FaultRule, Installation, Token
from zoomsim.portal_edits import portal_delete, portal_update
from zoomsim.seed import apply_seed
from zoomsim.sim import Simulator, sim_of
from zoomsim.state import Knobs, State
from zoomsim.whole_numbers import whole_number

T = TypeVar("T")


def _ok(data: Any, status: int = 200) -> Response:
    return JSONResponse(data, status_code=status)


# --- health, knobs, clock, reset, save, tick -----------------------------------------------------


async def health(request: Request) -> Response:
    now = sim_of(request).state.now()
    return _ok({"status": "ok", "now": iso(now)})


# Allowed ranges of numeric knobs; a knob not listed accepts any value of its type.
_KNOB_RANGES: dict[str, tuple[float, float]] = {
    "access_token_ttl": (1, 10**10),
    "refresh_token_ttl": (1, 10**10),
    "auth_code_ttl": (1, 10**10),
    "page_token_ttl": (1, 10**10),
    "report_delay": (0, 10**10),
    "recording_delay": (0, 10**10),
    "large_recording_bytes": (0, 10**11),
    "webhook_timeout": (0.001, 600),
    "failure_rate": (0, 1),
    "timeout_rate": (0, 1),
    "timeout_seconds": (0.001, 600),
    "latency_ms": (0, 600_000),
    "jitter_ms": (0, 600_000),
    "alt_host_error_status": (400, 599),
}
_KNOB_CHOICES: dict[str, tuple[str, ...]] = {"user_data_retention": ("", "true", "false")}


def _checked_knob(knobs: Knobs, name: str, value: Any) -> Any:
    current = getattr(knobs, name)
    if isinstance(current, bool):
        valid = isinstance(value, bool)
    elif isinstance(current, int):
        valid = isinstance(value, int) and not isinstance(value, bool)
    elif isinstance(current, float):
        converted = finite_number(value)
        valid = converted is not None
        value = converted if valid else value
    else:
        valid = isinstance(value, str)
    if not valid:
        raise control_bad_request(f"Knob {name} must be of type {type(current).__name__}.")
    if name in _KNOB_RANGES:
        low, high = _KNOB_RANGES[name]
        if not low <= value <= high:
            raise control_bad_request(f"Knob {name} must be between {low:g} and {high:g}.")
    if name in _KNOB_CHOICES and value not in _KNOB_CHOICES[name]:
        raise control_bad_request(f"Knob {name} must be one of {list(_KNOB_CHOICES[name])}.")
    return value


async def get_knobs(request: Request) -> Response:
    return _ok(asdict(sim_of(request).state.knobs))


async def patch_knobs(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    reject_unknown(body, {f.name for f in fields(Knobs)})
    # Check every value before changing any: a bad PATCH changes nothing.
    checked = {name: _checked_knob(sim.state.knobs, name, value) for name, value in body.items()}
    for name, value in checked.items():
        setattr(sim.state.knobs, name, value)
    sim.changed()
    return _ok(asdict(sim.state.knobs))


LAST_CLOCK_TIME = datetime(9000, 1, 1, tzinfo=UTC).timestamp()


def _clock_json(state: State) -> Body:
    now = state.now()
    return {"now": now, "iso": iso(now), "frozen": state.clock.frozen_at is not None}


async def get_clock(request: Request) -> Response:
    return _ok(_clock_json(sim_of(request).state))


async def advance_clock(request: Request) -> Response:
    sim = sim_of(request)
    body = await json_object(request)
    reject_unknown(body, {"seconds"})
    if "seconds" not in body:
        raise control_bad_request("seconds is required.")
    seconds = number(body, "seconds", 0)
    # Zoom's time never runs backwards; neither do token expiries and daily counters here.
    if seconds < 0:
        raise control_bad_request("seconds must not be negative.")
    # A clock past year 9999 cannot be written as Zoom's time: every later answer would be a 500.
    # Stopping at 9000 leaves room for meeting durations and token lifetimes on top.
    if sim.state.now() + seconds > LAST_CLOCK_TIME:
        raise control_bad_request("seconds would move the clock past the year 9000.")
    sim.state.clock.advance(seconds)
    sim.changed()
    webhooks.courier(sim).dispatch_due()  # retries that just became due go out now
    return _ok(_clock_json(sim.state))


async def freeze_clock(request: Request) -> Response:
    sim = sim_of(request)
    sim.state.clock.freeze()
    sim.changed()
    return _ok(_clock_json(sim.state))


async def unfreeze_clock(request: Request) -> Response:
    sim = sim_of(request)
    sim.state.clock.unfreeze()
    sim.changed()
    return _ok(_clock_json(sim.state))


async def reset(request: Request) -> Response:
    """Back to the seed zoomsim started with (or empty without one); the base URL stays."""
    sim = sim_of(request)
    fresh = State()
    if sim.seed is not None:
        apply_seed(fresh, sim.seed)
    fresh.knobs.base_url = sim.state.knobs.base_url
    sim.state = fresh
    sim.changed()
    return _ok({"reset": True, "seeded": sim.seed is not None})


async def save(request: Request) -> Response:
    sim = sim_of(request)
    sim.flush()
    path = str(sim.state_path) if sim.state_path else None
    return _ok({"saved": path is not None, "path": path})


async def tick(request: Request) -> Response:
    attempted = await webhooks.deliver_due_now(sim_of(request))
    return _ok({"deliveries_attempted": attempted})


# --- faults --------------------------------------------------------------------------------------

_FAULT_FIELDS = {
    "path",
    "method",
    "count",
    "status",
    "code",
    "message",
    "drop_connection",
    "drop_after_handling",
    "retry_after",
}
_METHODS = {"*", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"}


def _fault_json(rule: FaultRule) -> Body:
    return {
        "id": rule.id,
        "path": rule.path_pattern,
        "method": rule.method,
        "count": rule.remaining,
        "status": rule.status,
        "code": rule.code,
        "message": rule.message,
        "drop_connection": rule.drop_connection,
        "drop_after_handling": rule.drop_after_handling,
        "retry_after": rule.retry_after,
    }


async def add_fault(request: Request) -> Response:
    """Fail the next `count` calls whose path matches the regular expression `path` (count -1:
    until removed)."""
    sim = sim_of(request)
    body = await json_object(request)
    reject_unknown(body, _FAULT_FIELDS)
    path = text(body, "path", "")
    if not path:
        raise control_bad_request(
            "path (a regular expression searched in the request path) is required."
        )
    try:
        re.compile(path)
    except re.error as exc:
        raise control_bad_request(f"path is not a valid regular expression: {exc}.") from exc
    method = text(body, "method", "*").upper()
    if method not in _METHODS:
        raise control_bad_request(f"method must be one of {sorted(_METHODS)}.")
    count = integer(body, "count", 1)
    if count is None or not (count >= 1 or count == -1):
        raise control_bad_request(
            "count must be a positive integer, or -1 for every call until removed."
        )
    status = integer(body, "status", 500)
    if status is None or not 400 <= status <= 599:
        raise control_bad_request("status must be between 400 and 599.")
    retry_after = text(body, "retry_after", "")
    # It goes out as a header: a line break or non-ASCII would break the response itself.
    if not (retry_after.isascii() and retry_after.isprintable()):
        raise control_bad_request("retry_after must be printable ASCII.")
    rule = FaultRule(
        id=uuid.uuid4().hex[:12],
        path_pattern=path,
        method=method,
        remaining=count,
        status=status,
        code=integer(body, "code", None),
        message=text(body, "message", "Simulated failure."),
        drop_connection=flag(body, "drop_connection", False),
        drop_after_handling=flag(body, "drop_after_handling", False),
        retry_after=retry_after,
    )
    sim.state.faults[rule.id] = rule
    sim.changed()
    return _ok(_fault_json(rule), 201)


async def list_faults(request: Request) -> Response:
    rules = sim_of(request).state.faults.values()
    return _ok({"faults": [_fault_json(rule) for rule in rules]})


async def clear_faults(request: Request) -> Response:
    sim = sim_of(request)
    removed = len(sim.state.faults)
    sim.state.faults.clear()
    sim.changed()
    return _ok({"removed": removed})


async def remove_fault(request: Request) -> Response:
    sim = sim_of(request)
    if sim.state.faults.pop(request.path_params["fault_id"], None) is None:
        raise control_not_found("No such fault.")
    sim.changed()
    return _ok({"removed": 1})


# --- apps, installations and tokens --------------------------------------------------------------


def _app(sim: Simulator, request: Request) -> App:
    client_id = request.path_params["client_id"]
    app = sim.state.apps.get(client_id)
    if app is None:
        raise control_not_found(f"No app with client_id {client_id}.")
    return app


def _installation(sim: Simulator, request: Request) -> Installation:
    client_id = _app(sim, request).client_id
    account_id = request.path_params["account_id"]
    if account_id not in sim.state.accounts:
        raise control_not_found(f"No account {account_id}.")
    installation = sim.state.installation(client_id, account_id)
    if installation is None:
        raise control_not_found(f"App {client_id} is not installed on account {account_id}.")
    return installation


def _tokens_of(sim: Simulator, installation: Installation) -> list[Token]:
    return [
        token
        for token in sim.state.tokens.values()
        if token.client_id == installation.client_id and token.account_id == installation.account_id
    ]


def _revoke_all(sim: Simulator, installation: Installation) -> int:
    tokens = _tokens_of(sim, installation)
    for token in tokens:
        token.revoke()
    return len(tokens)


async def revoke_tokens(request: Request) -> Response:
    """Every access and refresh token of the app in the account stops working (401 124 and
    invalid_grant), as after an admin revokes the app's access."""
    sim = sim_of(request)
    revoked = _revoke_all(sim, _installation(sim, request))
    sim.changed()
    return _ok({"tokens_revoked": revoked})


async def expire_refresh_tokens(request: Request) -> Response:
    """Refresh tokens reach their end of life now; access tokens keep working until they expire."""
    sim = sim_of(request)
    expired_at = sim.state.now() - 1
    tokens = [t for t in _tokens_of(sim, _installation(sim, request)) if t.refresh_token]
    for token in tokens:
        token.refresh_expires_at = expired_at
    sim.changed()
    return _ok({"refresh_tokens_expired": len(tokens)})


async def uninstall(request: Request) -> Response:
    """The account removes the app: installation inactive, tokens dead, `app_deauthorized` sent."""
    sim = sim_of(request)
    installation = _installation(sim, request)
    if not installation.active:
        raise ZoomErrorResponse(409, 409, "The app is already uninstalled from this account.")
    installation.active = False
    revoked = _revoke_all(sim, installation)
    delivery = webhooks.send_app_deauthorized(sim, installation)
    sim.changed()
    return _ok({"tokens_revoked": revoked, "delivery_id": delivery.id if delivery else None})


async def mint_token(request: Request) -> Response:
    """An access token (and optionally a refresh token) as if the app had just been authorized by
    `user_id`: for demos, benchmarks and restart tests that need a token without a browser."""
    sim = sim_of(request)
    state = sim.state
    body = await json_object(request)
    reject_unknown(body, {"client_id", "user_id", "scopes", "ttl", "refresh"})
    client_id = text(body, "client_id", "")
    user_id = text(body, "user_id", "")
    app = state.apps.get(client_id)
    user = state.users.get(user_id)
    if app is None:
        raise control_bad_request(f"No app with client_id {client_id!r}.")
    if user is None:
        raise control_bad_request(f"No user {user_id!r}.")
    if app.kind == "s2s" and app.account_id != user.account_id:
        raise control_bad_request("A server-to-server app only has tokens in its own account.")
    scopes = body.get("scopes", app.scopes)
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise control_bad_request("scopes must be a list of strings.")
    ttl = number(body, "ttl", state.knobs.access_token_ttl)
    low, high = _KNOB_RANGES["access_token_ttl"]
    if not low <= ttl <= high:
        raise control_bad_request(f"ttl must be between {low:g} and {high:g} seconds.")
    with_refresh = flag(body, "refresh", False)
    now = state.now()
    installation = state.installation_or_new(client_id, user.account_id, user.id)
    installation.active = True
    access = "sim-" + secrets.token_urlsafe(32)
    token = Token(
        access_token=access,
        client_id=client_id,
        account_id=user.account_id,
        user_id=user.id,
        scopes=list(scopes),
        access_expires_at=now + ttl,
    )
    answer: Body = {
        "access_token": access,
        "token_type": "bearer",
        "expires_in": int(ttl),
        "scope": " ".join(scopes),
        "api_url": state.knobs.base_url,
    }
    if with_refresh:
        token.refresh_token = "sim-refresh-" + secrets.token_urlsafe(32)
        token.refresh_expires_at = now + state.knobs.refresh_token_ttl
        answer["refresh_token"] = token.refresh_token
    state.tokens[access] = token
    sim.changed()
    return _ok(answer, 201)


async def validate_endpoint(request: Request) -> Response:
    sim = sim_of(request)
    app = _app(sim, request)
    if not app.webhook_url:
        raise control_bad_request("The app has no webhook URL.")
    result = await webhooks.validate_endpoint(sim, app)
    return _ok(result.to_json())


def _is_http_url(url: str) -> bool:
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return False
    return parsed.scheme in ("http", "https") and bool(parsed.host)


async def patch_app(request: Request) -> Response:
    """Point an app somewhere else: its webhooks and its OAuth redirect URLs (e.g. at a Campus
    running on another port), as an app's developer would in the Zoom Marketplace."""
    sim = sim_of(request)
    app = _app(sim, request)
    body = await json_object(request)
    reject_unknown(body, {"webhook_url", "webhook_secret", "redirect_urls"})
    url = text(body, "webhook_url", app.webhook_url)
    if url and not _is_http_url(url):
        raise control_bad_request("webhook_url must be an http(s) URL with a host.")
    redirect_urls = body.get("redirect_urls", app.redirect_urls)
    if not isinstance(redirect_urls, list) or not all(
        isinstance(item, str) and _is_http_url(item) for item in redirect_urls
    ):
        raise control_bad_request("redirect_urls must be a list of http(s) URLs with a host.")
    # Everything checked: only now does anything change.
    app.webhook_secret = text(body, "webhook_secret", app.webhook_secret)
    app.webhook_url = url
    app.redirect_urls = list(redirect_urls)
    sim.changed()
    return _ok(_app_json(app))


# --- ground truth --------------------------------------------------------------------------------


def _app_json(app: App) -> Body:
    data = asdict(app)
    # Good hygiene even in a simulator: secrets are not echoed back.
    data.pop("client_secret", None)
    data.pop("webhook_secret", None)
    return data


def _prefix(secret: str | None) -> str | None:
    return None if secret is None else secret[:10] + "…"


def _token_json(token: Token, now: float) -> Body:
    return {
        "access_token_prefix": _prefix(token.access_token),
        "refresh_token_prefix": _prefix(token.refresh_token),
        "client_id": token.client_id,
        "account_id": token.account_id,
        "user_id": token.user_id,
        "scopes": token.scopes,
        "access_expires_at": iso(token.access_expires_at),
        "access_expired": token.access_expires_at <= now,
        "access_revoked": token.access_revoked,
        "refresh_expires_at": (
            iso(token.refresh_expires_at) if token.refresh_expires_at is not None else None
        ),
        "refresh_revoked": token.refresh_revoked,
        "replaced": token.replaced_by is not None,
    }


def _listing(name: str, items: list[Any]) -> Response:
    return _ok({name: [asdict(item) for item in items]})


def _where(items: Iterable[T], **wanted: object) -> list[T]:
    """The items whose attributes equal every value in `wanted`; None means "not filtered"."""
    return [
        item
        for item in items
        if all(value is None or getattr(item, name) == value for name, value in wanted.items())
    ]


async def accounts(request: Request) -> Response:
    return _listing("accounts", list(sim_of(request).state.accounts.values()))


async def users(request: Request) -> Response:
    account_id = request.query_params.get("account_id")
    found = _where(sim_of(request).state.users.values(), account_id=account_id)
    return _ok({"users": [{**asdict(user), "password": "…"} for user in found]})


async def apps(request: Request) -> Response:
    return _ok({"apps": [_app_json(app) for app in sim_of(request).state.apps.values()]})


async def installations(request: Request) -> Response:
    return _listing("installations", list(sim_of(request).state.installations.values()))


async def tokens(request: Request) -> Response:
    state = sim_of(request).state
    now = state.now()
    return _ok({"tokens": [_token_json(token, now) for token in state.tokens.values()]})


async def meetings(request: Request) -> Response:
    """Every meeting, deleted ones included (`deleted: true`)."""
    account_id = request.query_params.get("account_id")
    found = _where(sim_of(request).state.meetings.values(), account_id=account_id)
    return _listing("meetings", found)


def _meeting_id(request: Request) -> int:
    meeting_id = whole_number(request.path_params["meeting_id"])
    if meeting_id is None:
        raise control_bad_request("The meeting id is a number.")
    if str(meeting_id) not in sim_of(request).state.meetings:
        raise control_not_found(f"No meeting {meeting_id}.")
    return meeting_id


async def registrants(request: Request) -> Response:
    found = _where(sim_of(request).state.registrants.values(), meeting_id=_meeting_id(request))
    return _listing("registrants", found)


def _meeting_filter(request: Request) -> int | None:
    """`?meeting=ID`, or None when the listing is not filtered by meeting."""
    raw = request.query_params.get("meeting")
    if raw is None:
        return None
    meeting_id = whole_number(raw)
    if meeting_id is None:
        raise control_bad_request("meeting must be a meeting id (a number).")
    return meeting_id


async def instances(request: Request) -> Response:
    meeting_id = _meeting_filter(request)
    found = _where(sim_of(request).state.instances.values(), meeting_id=meeting_id)
    return _listing("instances", found)


async def segments(request: Request) -> Response:
    instance_uuid = request.query_params.get("instance")
    found = _where(sim_of(request).state.segments.values(), instance_uuid=instance_uuid)
    return _listing("segments", found)


async def recordings(request: Request) -> Response:
    found = _where(
        sim_of(request).state.recordings.values(),
        meeting_id=_meeting_filter(request),
        instance_uuid=request.query_params.get("instance"),
    )
    # The text of transcripts and chats can be long; the listing shows its size only.
    return _ok({"recordings": [{**asdict(r), "text": f"{len(r.text)} chars"} for r in found]})


async def deliveries(request: Request) -> Response:
    """Webhook deliveries with every attempt, filterable by event, state and client_id."""
    wanted = {
        name: request.query_params[name]
        for name in ("event", "state", "client_id", "account_id")
        if name in request.query_params
    }
    found = []
    for delivery in sim_of(request).state.deliveries.values():
        data = asdict(delivery)
        if all(data[name] == value for name, value in wanted.items()):
            found.append({**data, "payload": json.loads(delivery.body)})
    found.sort(key=lambda item: item["created_at"])
    return _ok({"deliveries": found})


async def ratelimits(request: Request) -> Response:
    state = sim_of(request).state
    return _ok({"now": iso(state.now()), "counters": dict(state.counters)})


Handler = Callable[[Request], Awaitable[Response]]


def _route(path: str, handler: Handler, method: str) -> Route:
    return Route("/_sim" + path, handler, methods=[method])


APP_PATH = "/apps/{client_id}"
INSTALLATION_PATH = APP_PATH + "/accounts/{account_id}"

routes: list[BaseRoute] = [
    _route("/health", health, "GET"),
    _route("/knobs", get_knobs, "GET"),
    _route("/knobs", patch_knobs, "PATCH"),
    _route("/clock", get_clock, "GET"),
    _route("/clock/advance", advance_clock, "POST"),
    _route("/clock/freeze", freeze_clock, "POST"),
    _route("/clock/unfreeze", unfreeze_clock, "POST"),
    _route("/reset", reset, "POST"),
    _route("/save", save, "POST"),
    _route("/tick", tick, "POST"),
    _route("/faults", add_fault, "POST"),
    _route("/faults", list_faults, "GET"),
    _route("/faults", clear_faults, "DELETE"),
    _route("/faults/{fault_id}", remove_fault, "DELETE"),
    _route("/tokens", mint_token, "POST"),
    _route("/tokens", tokens, "GET"),
    _route("/apps", apps, "GET"),
    _route(APP_PATH, patch_app, "PATCH"),
    _route(APP_PATH + "/validate-endpoint", validate_endpoint, "POST"),
    _route(INSTALLATION_PATH + "/revoke-tokens", revoke_tokens, "POST"),
    _route(INSTALLATION_PATH + "/expire-refresh-tokens", expire_refresh_tokens, "POST"),
    _route(INSTALLATION_PATH + "/uninstall", uninstall, "POST"),
    _route("/accounts", accounts, "GET"),
    _route("/users", users, "GET"),
    _route("/installations", installations, "GET"),
    _route("/meetings", meetings, "GET"),
    _route("/meetings/{meeting_id}/registrants", registrants, "GET"),
    # The host editing or deleting the meeting in Zoom's web portal (zoomsim/portal_edits.py).
    _route("/meetings/{meeting_id}", portal_update, "PATCH"),
    _route("/meetings/{meeting_id}", portal_delete, "DELETE"),
    _route("/instances", instances, "GET"),
    _route("/segments", segments, "GET"),
    _route("/recordings", recordings, "GET"),
    _route("/deliveries", deliveries, "GET"),
    _route("/ratelimits", ratelimits, "GET"),
]
