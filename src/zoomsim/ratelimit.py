"""Zoom's rate limits: per account and category per second, daily caps, and per-user limits.

Numbers from Zoom's rate-limit page (reference §4). Counters are keyed by the simulator's clock, so
moving the clock past midnight UTC resets the daily ones, as Zoom does at 00:00 UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Literal

from zoomsim.errors import ZoomErrorResponse
from zoomsim.state import State

Category = Literal["Light", "Medium", "Heavy", "Resource-intensive"]

# Requests per second (Resource-intensive: per minute) by plan.
PER_SECOND: dict[str, dict[str, int]] = {
    "free": {"Light": 4, "Medium": 2, "Heavy": 1, "Resource-intensive": 10},
    "pro": {"Light": 30, "Medium": 20, "Heavy": 10, "Resource-intensive": 10},
    "business": {"Light": 80, "Medium": 60, "Heavy": 40, "Resource-intensive": 20},
}
# Daily caps. On Free each category has its own; on paid plans Heavy and Resource-intensive share
# one cap and Light/Medium have none.
DAILY: dict[str, dict[str, int]] = {
    "free": {"Light": 6000, "Medium": 2000, "Heavy": 1000, "Resource-intensive": 30000},
    "pro": {"Heavy": 30000, "Resource-intensive": 30000},
    "business": {"Heavy": 60000, "Resource-intensive": 60000},
}
HOST_MEETING_WRITES_PER_DAY = 100
REGISTRATIONS_PER_REGISTRANT_PER_DAY = 3

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. Refer to the response header "
    "for details on when you can make another request."
)


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%d")


def next_midnight_iso(ts: float) -> str:
    day = datetime.fromtimestamp(ts, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (day + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _window_seconds(category: str) -> int:
    # Resource-intensive limits count per minute, the others per second.
    return 60 if category == "Resource-intensive" else 1


def _daily_key(plan: str, category: str) -> str:
    # Paid plans count Heavy and Resource-intensive against one shared cap.
    if plan != "free" and category in ("Heavy", "Resource-intensive"):
        return "Heavy+RI"
    return category


def charge(state: State, account_id: str, category: Category) -> dict[str, str]:
    """Count one request; answer the headers Zoom adds, or raise Zoom's 429."""
    account = state.accounts[account_id]
    plan = account.plan
    now = state.now()
    headers: dict[str, str] = {"X-RateLimit-Category": category}
    if not state.knobs.rate_limits:
        return headers

    window = int(now // _window_seconds(category))
    limit = PER_SECOND[plan][category]
    per_second_key = f"qps:{account_id}:{category}:{window}"
    daily_cap = DAILY[plan].get(category)
    daily_key = f"day:{account_id}:{_daily_key(plan, category)}:{_day(now)}"

    if state.counters.get(per_second_key, 0) >= limit:
        _count_refusal(state, account_id, category, now)
        reset = (window + 1) * _window_seconds(category)
        raise ZoomErrorResponse(
            429,
            429,
            QPS_MESSAGE,
            headers={
                **headers,
                "X-RateLimit-Type": "QPS",
                "X-RateLimit-Limit": str(limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": str(reset),
            },
        )
    if daily_cap is not None and state.counters.get(daily_key, 0) >= daily_cap:
        _count_refusal(state, account_id, category, now)
        raise ZoomErrorResponse(
            429,
            429,
            DAILY_MESSAGE,
            headers={
                **headers,
                "X-RateLimit-Type": "Daily-limit",
                "X-RateLimit-Limit": str(daily_cap),
                "X-RateLimit-Remaining": "0",
                "Retry-After": next_midnight_iso(now),
            },
        )
    _prune(state, now)
    state.counters[per_second_key] = state.counters.get(per_second_key, 0) + 1
    if daily_cap is not None:
        used = state.counters.get(daily_key, 0) + 1
        state.counters[daily_key] = used
        headers["X-RateLimit-Limit"] = str(daily_cap)
        headers["X-RateLimit-Remaining"] = str(daily_cap - used)
    return headers


def _count_refusal(state: State, account_id: str, category: str, now: float) -> None:
    """The 429s of the day per account and category (`429:acct:Heavy:2026-12-01` in
    `/_sim/ratelimits`), so a load test can tell how many calls Zoom refused."""
    key = f"429:{account_id}:{category}:{_day(now)}"
    state.counters[key] = state.counters.get(key, 0) + 1


def charge_host_meeting_write(state: State, host_id: str) -> None:
    """Meeting creates + updates: 100 a day per host. Zoom's 429 here has no Retry-After."""
    _charge_per_day(
        state,
        f"host:{host_id}",
        HOST_MEETING_WRITES_PER_DAY,
        "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests "
        "permitted for this particular user. You may resume these requests at GMT 00:00:00.",
    )


def charge_registration(state: State, meeting_id: int, email: str) -> None:
    """The same registrant may be added to the same meeting 3 times a day."""
    _charge_per_day(
        state,
        f"registrant:{meeting_id}:{email.lower()}",
        REGISTRATIONS_PER_REGISTRANT_PER_DAY,
        f'You have exceeded the daily rate limit of "{REGISTRATIONS_PER_REGISTRANT_PER_DAY}" '
        f'for Add meeting registrant API requests for the registrant "{email}". You can '
        "resume these API requests at GMT 00:00:00.",
    )


def _charge_per_day(state: State, counter: str, cap: int, message: str) -> None:
    """Count one use of a per-user daily limit, or raise Zoom's 429 with `message` once `cap`
    uses of `counter` were counted today (UTC)."""
    if not state.knobs.rate_limits:
        return
    key = f"{counter}:{_day(state.now())}"
    if state.counters.get(key, 0) >= cap:
        raise ZoomErrorResponse(429, 429, message)
    state.counters[key] = state.counters.get(key, 0) + 1


def _prune(state: State, now: float) -> None:
    """Drop per-second counters of past windows, at most once a second, so memory stays flat."""
    if now - state.counters_pruned_at < 1.0:
        return
    state.counters_pruned_at = now
    stale = []
    for key in state.counters:
        if key.startswith("qps:"):
            category, window = key.rsplit(":", 2)[-2:]
            if int(window) < int(now // _window_seconds(category)):
                stale.append(key)
    for key in stale:
        del state.counters[key]
