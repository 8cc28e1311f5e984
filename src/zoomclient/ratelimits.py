"""What Zoom says about its rate limits on every response (reference §4), read into data.

Zoom adds `X-RateLimit-Category` to answers, and `X-RateLimit-Limit`/`-Remaining` where a daily cap
counts; the pacer (zoomclient.pacing) uses them, with `zoomclient.catalog`, to budget calls.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

RateLimitCategory = Literal["Light", "Medium", "Heavy", "Resource-intensive"]
RATE_LIMIT_CATEGORIES: tuple[RateLimitCategory, ...] = get_args(RateLimitCategory)

# Requests per second per account (Resource-intensive: per minute), by plan, from Zoom's
# rate-limit page. Shared by every app of the account, so a pacer should stay under them.
PER_SECOND_BY_PLAN: Mapping[str, Mapping[RateLimitCategory, int]] = {
    "free": {"Light": 4, "Medium": 2, "Heavy": 1, "Resource-intensive": 10},
    "pro": {"Light": 30, "Medium": 20, "Heavy": 10, "Resource-intensive": 10},
    "business": {"Light": 80, "Medium": 60, "Heavy": 40, "Resource-intensive": 20},
}


@dataclass(frozen=True)
class RateLimitInfo:
    """The rate-limit headers of one response; fields are None when Zoom did not send them."""

    category: str | None = None
    limit_type: str | None = None
    limit: int | None = None
    remaining: int | None = None


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def rate_limit_info(headers: Mapping[str, str]) -> RateLimitInfo:
    # httpx.Headers is case-insensitive; a plain Mapping is expected to be as well.
    return RateLimitInfo(
        category=headers.get("X-RateLimit-Category"),
        limit_type=headers.get("X-RateLimit-Type"),
        limit=_int_or_none(headers.get("X-RateLimit-Limit")),
        remaining=_int_or_none(headers.get("X-RateLimit-Remaining")),
    )
