"""The pacer at scale: Redis, shared by every worker process on every machine.

A reservation is one Lua script, so it is atomic on the server; its clock is Redis's TIME, so
workers whose clocks disagree still count in one timeline. Per account and category: a sorted set
of grant times (the sliding window), a daily counter keyed by the UTC day, and a block set after
a per-second 429. The account's learned plan is a plain key.
"""

from __future__ import annotations

import time
import uuid
from contextlib import AbstractContextManager, nullcontext
from typing import cast

import redis

from zoomclient.pacing import DEFAULT_PLAN, SharedPacer, budget, utc_day
from zoomclient.ratelimits import RateLimitCategory

# KEYS: grants zset, daily counter, block. ARGV: calls, window, daily cap (0: none), member.
# Returns the seconds to wait as a string ("0": granted); Lua numbers become integers otherwise.
_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local blocked = tonumber(redis.call('GET', KEYS[3]) or '0')
if blocked > now then return tostring(blocked - now) end
local cap = tonumber(ARGV[3])
if cap > 0 and tonumber(redis.call('GET', KEYS[2]) or '0') >= cap then
  return tostring(86400 - (now % 86400))
end
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[1]) then
  local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
  return tostring(math.max(tonumber(oldest[2]) + window - now, 0.001))
end
redis.call('ZADD', KEYS[1], now, ARGV[4])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000) + 1000)
if cap > 0 then
  redis.call('INCR', KEYS[2])
  redis.call('EXPIRE', KEYS[2], 90000)
end
return '0'
"""

# KEYS: daily counter. ARGV: what Zoom counted. Only ever raises the count.
_RAISE_DAILY = """
local used = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > used then redis.call('SET', KEYS[1], ARGV[1], 'EX', 90000) end
return 0
"""

# KEYS: block. ARGV: seconds. Blocks until Redis's now + seconds, never shortening a block.
_BLOCK = """
local t = redis.call('TIME')
local until_ = tonumber(t[1]) + tonumber(t[2]) / 1000000 + tonumber(ARGV[1])
if until_ > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], tostring(until_), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 0
"""


class RedisPacer(SharedPacer):
    def __init__(self, client: redis.Redis, *, prefix: str = "zoompacer") -> None:
        self.redis = client
        self.prefix = prefix
        # The day in the daily keys is this machine's; around midnight a few seconds of skew
        # only shift which day a handful of calls count against.
        self.clock = time.time
        self._reserve_script = client.register_script(_RESERVE)
        self._raise_daily_script = client.register_script(_RAISE_DAILY)
        self._block_script = client.register_script(_BLOCK)

    @classmethod
    def from_url(cls, url: str) -> RedisPacer:
        return cls(redis.Redis.from_url(url))

    def reserve(self, account: str, category: RateLimitCategory) -> float:
        limits = budget(self._plan(account), category)
        keys = [
            self._key(account, category, "grants"),
            self._daily_key(account, limits.daily_bucket, utc_day(self.clock())),
            self._key(account, category, "block"),
        ]
        args: list[int | float | str] = [
            limits.calls,
            limits.window,
            limits.daily_cap or 0,
            uuid.uuid4().hex,
        ]
        return float(cast(bytes, self._reserve_script(keys=keys, args=args)))

    def _writing(self) -> AbstractContextManager[None]:
        return nullcontext()  # each write is one atomic command or script on the server

    def _plan(self, account: str) -> str:
        stored = cast(bytes | None, self.redis.get(f"{self.prefix}:{account}:plan"))
        return stored.decode() if stored else DEFAULT_PLAN

    def _save_plan(self, account: str, plan: str) -> None:
        self.redis.set(f"{self.prefix}:{account}:plan", plan)

    def _raise_daily(self, account: str, daily_bucket: str, day: str, used: int) -> None:
        self._raise_daily_script(keys=[self._daily_key(account, daily_bucket, day)], args=[used])

    def _block(self, account: str, category: RateLimitCategory, seconds: float) -> None:
        # From Redis's own TIME, as the reservations count.
        self._block_script(keys=[self._key(account, category, "block")], args=[seconds])

    def _key(self, account: str, category: str, what: str) -> str:
        return f"{self.prefix}:{account}:{category}:{what}"

    def _daily_key(self, account: str, daily_bucket: str, day: str) -> str:
        return f"{self.prefix}:{account}:{daily_bucket}:day:{day}"
