"""Pacing calls under Zoom's per-account rate limits (reference §4), before Zoom has to say 429.

Zoom counts per account and category: Light, Medium, Heavy per second, Resource-intensive per
minute, and (paid plans) one daily cap shared by Heavy and Resource-intensive that resets at
00:00 UTC. Every worker process of Campus spends the same budget, so a `Pacer` keeps its counts
where they all see them: `pacer_sqlite.SqlitePacer` (one machine, a file under var/) or
`pacer_redis.RedisPacer` (at scale).

The client asks `reserve(account, category)` before each call: 0 means sent now; a number of
seconds means no slot before then, and the client waits in-process only when that is short (a
per-second window frees within a second, and a reschedule through the work queue costs more than
the wait), else raises ZoomPaced so the work moves to that time and the worker goes on with
other work. Each answer's X-RateLimit-* headers go to `observe`, which keeps the pacer in step
with what Zoom counted: the account's plan, daily use by other apps of the account, and a 429 that
came anyway.

Zoom does not tell apps their account's plan (GET /accounts/{id}/plans is for master accounts),
so the pacer learns it from the headers: a daily X-RateLimit-Limit of 60,000 on Heavy means
Business or higher, 30,000 Pro; a 429's per-second X-RateLimit-Limit names the plan's budget.
Until then it assumes Pro: Campus needs a paid plan (reports, cloud recordings), and Pro is the
smallest of those.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from zoomclient.ratelimits import PER_SECOND_BY_PLAN, RateLimitCategory, RateLimitInfo

DEFAULT_PLAN = "pro"

# Daily caps by plan (reference §4). On paid plans Heavy and Resource-intensive count against one.
DAILY_BY_PLAN: Mapping[str, Mapping[RateLimitCategory, int]] = {
    "free": {"Light": 6000, "Medium": 2000, "Heavy": 1000, "Resource-intensive": 30000},
    "pro": {"Heavy": 30000, "Resource-intensive": 30000},
    "business": {"Heavy": 60000, "Resource-intensive": 60000},
}

# Grants are spread over a window a little longer than Zoom's: network jitter can make two calls
# granted just over a second apart reach Zoom inside one of its one-second windows.
WINDOW_MARGIN_SECONDS = 0.05


@dataclass(frozen=True)
class Budget:
    """At most `calls` grants in any `window` seconds, and `daily_cap` a UTC day on `daily_bucket`
    (None: no daily cap)."""

    calls: int
    window: float
    daily_bucket: str
    daily_cap: int | None


def budget(plan: str, category: RateLimitCategory) -> Budget:
    plan = plan if plan in PER_SECOND_BY_PLAN else DEFAULT_PLAN
    seconds = 60.0 if category == "Resource-intensive" else 1.0
    shared = plan != "free" and category in ("Heavy", "Resource-intensive")
    return Budget(
        calls=PER_SECOND_BY_PLAN[plan][category],
        window=seconds + WINDOW_MARGIN_SECONDS,
        daily_bucket="Heavy+RI" if shared else category,
        daily_cap=DAILY_BY_PLAN[plan].get(category),
    )


def plan_from_headers(category: RateLimitCategory, info: RateLimitInfo) -> str | None:
    """The plan the headers of one answer prove, or None when they fit several."""
    if info.limit is None:
        return None
    if info.limit_type == "QPS":
        fits = [plan for plan, rates in PER_SECOND_BY_PLAN.items() if rates[category] == info.limit]
    else:  # a daily count: on successful answers, or a Daily-limit 429
        fits = [plan for plan, caps in DAILY_BY_PLAN.items() if caps.get(category) == info.limit]
    return fits[0] if len(fits) == 1 else None


def seconds_to_utc_midnight(now: float) -> float:
    """Zoom's daily counters reset at 00:00 UTC."""
    today = datetime.fromtimestamp(now, tz=UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return (today + timedelta(days=1)).timestamp() - now


def utc_day(now: float) -> str:
    return datetime.fromtimestamp(now, tz=UTC).strftime("%Y-%m-%d")


class Pacer(Protocol):
    def reserve(self, account: str, category: RateLimitCategory) -> float:
        """Take a slot for one call of `category` on `account` and return 0, or take nothing and
        return the seconds until a slot frees."""
        ...

    def observe(
        self,
        account: str,
        category: RateLimitCategory,
        info: RateLimitInfo,
        *,
        blocked_for: float | None = None,
    ) -> None:
        """Learn from one answer's rate-limit headers; `blocked_for` after a per-second 429: the
        seconds until Zoom takes calls of `category` again."""
        ...


class NoPacer:
    """Sends every call at once (zoomclient's default outside Campus; tests of other parts)."""

    def reserve(self, account: str, category: RateLimitCategory) -> float:
        return 0.0

    def observe(
        self,
        account: str,
        category: RateLimitCategory,
        info: RateLimitInfo,
        *,
        blocked_for: float | None = None,
    ) -> None:
        return None


def daily_used_by_zoom(info: RateLimitInfo) -> int | None:
    """What Zoom has counted today on the daily cap, from X-RateLimit-Limit/-Remaining (other
    apps of the account spend the same cap, so this can be more than Campus counted)."""
    if info.limit is None or info.remaining is None or info.limit_type == "QPS":
        return None
    return max(info.limit - info.remaining, 0)


class SharedPacer(ABC):
    """What the pacers whose counts every worker process sees (SQLite, Redis) do alike: keeping in
    step with Zoom's X-RateLimit-* headers. A subclass says how its store takes each lesson."""

    clock: Callable[[], float]  # seconds since the epoch: which UTC day a daily count is for

    def observe(
        self,
        account: str,
        category: RateLimitCategory,
        info: RateLimitInfo,
        *,
        blocked_for: float | None = None,
    ) -> None:
        """Learn from one answer's rate-limit headers (see Pacer.observe): the plan they prove,
        what Zoom has counted today on the daily cap, and a per-second 429's block."""
        learned_plan = plan_from_headers(category, info)
        used_by_zoom = daily_used_by_zoom(info)
        if learned_plan is None and used_by_zoom is None and blocked_for is None:
            return  # most answers: nothing new, nothing written
        with self._writing():
            if learned_plan is not None:
                self._save_plan(account, learned_plan)
            if used_by_zoom is not None:
                # The budget of the plan just learned, if the same answer proved one.
                limits = budget(self._plan(account), category)
                if limits.daily_cap is not None:
                    day = utc_day(self.clock())
                    self._raise_daily(account, limits.daily_bucket, day, used_by_zoom)
            if blocked_for is not None:
                self._block(account, category, blocked_for)

    @abstractmethod
    def _writing(self) -> AbstractContextManager[None]:
        """Around one observation's writes: atomic where the store can make it so."""

    @abstractmethod
    def _plan(self, account: str) -> str:
        """The account's learned plan, DEFAULT_PLAN until one is learned."""

    @abstractmethod
    def _save_plan(self, account: str, plan: str) -> None: ...

    @abstractmethod
    def _raise_daily(self, account: str, daily_bucket: str, day: str, used: int) -> None:
        """Count at least `used` on the daily bucket for UTC `day` (never lowered: Campus's own
        grants may be ahead of the headers of an answer sent earlier)."""

    @abstractmethod
    def _block(self, account: str, category: RateLimitCategory, seconds: float) -> None:
        """No grant of `category` for `seconds` from now (never shortening a block)."""
