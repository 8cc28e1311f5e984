"""A worker process for the pacing tests: it calls Zoom (zoomsim) as a Campus worker would,
sharing a pacer with the other processes, and when the pacer or a 429 says "later" it waits until
then (what the work queue does with RetryLater), counting each kind of "later"."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import redis

from zoomclient import NoPacer, Pacer, ZoomClient, ZoomEndpoints, ZoomPaced, ZoomRateLimited
from zoomclient.pacer_redis import RedisPacer
from zoomclient.pacer_sqlite import SqlitePacer


class StaticToken:
    def __init__(self, token: str) -> None:
        self.token = token

    def access_token(self) -> str:
        return self.token

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        raise AssertionError("the test token should not expire")


@dataclass(frozen=True)
class PacerSpec:
    kind: str  # "sqlite", "redis" or "none"
    where: str = ""
    prefix: str = "zoompacer"

    def build(self) -> Pacer:
        if self.kind == "sqlite":
            return SqlitePacer(Path(self.where))
        if self.kind == "redis":
            return RedisPacer(redis.Redis.from_url(self.where), prefix=self.prefix)
        return NoPacer()


@dataclass(frozen=True)
class WorkerResult:
    sent_at: list[float]  # when each successful call was answered
    rate_limited: int  # 429s Zoom answered
    paced: int  # calls the pacer moved to later


def _wait_until(instant: datetime) -> None:
    time.sleep(max((instant - datetime.now(UTC)).total_seconds(), 0.0))


def light_calls(base_url: str, token: str, spec: PacerSpec, calls: int) -> WorkerResult:
    """`calls` successful GET /users/me (Light) for acct-acme, however many tries they take."""
    sent_at: list[float] = []
    rate_limited = paced = 0
    with ZoomClient(
        ZoomEndpoints.at(base_url),
        StaticToken(token),
        pacer=spec.build(),
        pacing_account="acct-acme",
    ) as client:
        while len(sent_at) < calls:
            try:
                client.get_user("me")
            except ZoomPaced as later:
                paced += 1
                _wait_until(later.retry_at)
            except ZoomRateLimited as limited:
                rate_limited += 1
                _wait_until(limited.retry_at)
            else:
                sent_at.append(time.time())
    return WorkerResult(sent_at, rate_limited, paced)
