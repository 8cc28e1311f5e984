"""The pacer against zoomsim with its rate limits on: several real processes share one budget
and Zoom never answers 429 (while the same processes without the pacer get 429s), the daily cap,
what the headers teach the pacer, and two accounts that do not slow each other down."""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import redis

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.pacing_workers import PacerSpec, StaticToken, WorkerResult, light_calls
from zoomclient import ZoomClient, ZoomEndpoints, ZoomNotFound, ZoomPaced, ZoomRateLimited
from zoomclient.pacer_redis import RedisPacer
from zoomclient.pacer_sqlite import SqlitePacer
from zoomclient.pacing import Pacer, seconds_to_utc_midnight
from zoomclient.ratelimits import RateLimitInfo

PROCESSES = 4
CALLS_EACH = 40  # 160 Light calls against Pro's 30 a second: over five seconds' budget
PRO_LIGHT_PER_SECOND = 30
CALLS_TOTAL = PROCESSES * CALLS_EACH


def run_workers(zoomsim: LiveZoomsim, spec: PacerSpec) -> list[WorkerResult]:
    token = zoomsim.token("acme-admin")
    # spawn: the test process runs zoomsim's server thread, which a fork would not carry over.
    with multiprocessing.get_context("spawn").Pool(PROCESSES) as pool:
        return pool.starmap(light_calls, [(zoomsim.base_url, token, spec, CALLS_EACH)] * PROCESSES)


def spread_over(results: list[WorkerResult]) -> float:
    """Seconds from the first answer to the last: paced calls take at least the budget's time.
    (Zoom's own count is the proof of "under the budget": it answered no 429. Answer times seen
    by the clients bunch up on a busy machine, so they prove nothing about Zoom's seconds.)"""
    times = [t for result in results for t in result.sent_at]
    return max(times) - min(times)


def busiest_second(results: list[WorkerResult]) -> int:
    """The most calls answered in any one second (sliding), over all processes (printed)."""
    times = sorted(t for result in results for t in result.sent_at)
    most, start = 0, 0
    for end, at in enumerate(times):
        while at - times[start] >= 1.0:
            start += 1
        most = max(most, end - start + 1)
    return most


def test_without_a_pacer_the_same_workers_get_429s(zoomsim: LiveZoomsim) -> None:
    # The control for the tests below: the load really is more than Zoom allows.
    results = run_workers(zoomsim, PacerSpec("none"))
    print(
        f"no pacer: {sum(r.rate_limited for r in results)} 429s, busiest second "
        f"{busiest_second(results)} calls"
    )
    assert sum(r.rate_limited for r in results) > 0


def test_processes_sharing_the_embedded_pacer_get_no_429(
    zoomsim: LiveZoomsim, tmp_path: Path
) -> None:
    results = run_workers(zoomsim, PacerSpec("sqlite", str(tmp_path / "pacer.sqlite3")))
    print(
        f"embedded pacer: {sum(r.rate_limited for r in results)} 429s, "
        f"{sum(r.paced for r in results)} paced, busiest second {busiest_second(results)} calls"
    )
    assert sum(len(r.sent_at) for r in results) == PROCESSES * CALLS_EACH
    assert sum(r.rate_limited for r in results) == 0
    assert spread_over(results) >= CALLS_TOTAL / PRO_LIGHT_PER_SECOND - 1


@pytest.fixture
def redis_url() -> str:
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    return url


@pytest.mark.services
def test_processes_sharing_the_redis_pacer_get_no_429(zoomsim: LiveZoomsim, redis_url: str) -> None:
    prefix = f"zoompacer-test-{uuid.uuid4().hex}"
    try:
        results = run_workers(zoomsim, PacerSpec("redis", redis_url, prefix))
        print(
            f"redis pacer: {sum(r.rate_limited for r in results)} 429s, "
            f"{sum(r.paced for r in results)} paced, busiest second {busiest_second(results)}"
        )
    finally:
        connection = redis.Redis.from_url(redis_url)
        for key in connection.scan_iter(f"{prefix}:*"):
            connection.delete(key)
    assert sum(len(r.sent_at) for r in results) == PROCESSES * CALLS_EACH
    assert sum(r.rate_limited for r in results) == 0
    assert spread_over(results) >= CALLS_TOTAL / PRO_LIGHT_PER_SECOND - 1


# --- one process, the pacer's decisions ------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.services)])
def pacer(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Pacer]:
    if request.param == "sqlite":
        yield SqlitePacer(tmp_path / "pacer.sqlite3")
        return
    url = os.environ.get("REDIS_URL")
    if not url:
        pytest.skip("REDIS_URL is not set")
    connection = redis.Redis.from_url(url)
    prefix = f"zoompacer-test-{uuid.uuid4().hex}"
    yield RedisPacer(connection, prefix=prefix)
    for key in connection.scan_iter(f"{prefix}:*"):
        connection.delete(key)


def client_for(zoomsim: LiveZoomsim, pacer: Pacer, user: str, account: str) -> ZoomClient:
    # No waiting in-process: every "not now" shows as ZoomPaced.
    return ZoomClient(
        ZoomEndpoints.at(zoomsim.base_url),
        StaticToken(zoomsim.token(user)),
        pacer=pacer,
        pacing_account=account,
        max_pacing_wait=0,
    )


def granted_light_calls(client: ZoomClient, most: int) -> int:
    for sent in range(most):
        try:
            client.get_user("me")
        except ZoomPaced:
            return sent
    return most


def heavy_call(client: ZoomClient) -> None:
    """A Heavy call (the participant report); zoomsim counts it before finding no meeting."""
    with pytest.raises(ZoomNotFound):
        client.report_participants("99999999999")


def set_daily_heavy_use(zoomsim: LiveZoomsim, account: str, used: int) -> None:
    """Other apps of the account have spent `used` of today's Heavy cap (setting the scene)."""
    day = datetime.fromtimestamp(zoomsim.sim.state.now(), tz=UTC).strftime("%Y-%m-%d")
    zoomsim.sim.state.counters[f"day:{account}:Heavy+RI:{day}"] = used


def test_a_pro_account_is_held_to_30_light_calls_a_second_until_the_plan_is_known(
    zoomsim: LiveZoomsim, pacer: Pacer
) -> None:
    with client_for(zoomsim, pacer, "acme-admin", "acct-acme") as client:
        assert granted_light_calls(client, 60) == PRO_LIGHT_PER_SECOND


def test_a_business_plan_learned_from_the_daily_header_raises_the_budget(
    zoomsim: LiveZoomsim, pacer: Pacer
) -> None:
    zoomsim.sim.state.accounts["acct-acme"].plan = "business"
    with client_for(zoomsim, pacer, "acme-admin", "acct-acme") as client:
        heavy_call(client)  # X-RateLimit-Limit: 60000 on Heavy: Business or higher
        assert granted_light_calls(client, 100) == 80


def test_the_daily_cap_counts_what_other_apps_spent_and_stops_before_zoom_does(
    zoomsim: LiveZoomsim, pacer: Pacer
) -> None:
    set_daily_heavy_use(zoomsim, "acct-acme", 29_996)
    with client_for(zoomsim, pacer, "acme-admin", "acct-acme") as client:
        heavy_call(client)  # Remaining: 3. The pacer now knows 29,997 are spent.
        heavy_call(client)
        heavy_call(client)
        heavy_call(client)  # the 30,000th
        with pytest.raises(ZoomPaced) as paced:
            client.report_participants("99999999999")
    # Zoom's daily counters reset at 00:00 UTC: that is when the work comes back.
    wait = (paced.value.retry_at - datetime.now(UTC)).total_seconds()
    assert abs(wait - seconds_to_utc_midnight(datetime.now(UTC).timestamp())) < 5
    # And Zoom was never asked a 30,001st time.
    assert (
        zoomsim.sim.state.counters[
            f"day:acct-acme:Heavy+RI:{datetime.now(UTC).strftime('%Y-%m-%d')}"
        ]
        == 30_000
    )


def test_a_429_that_comes_anyway_holds_the_category_back_until_zoom_resets(
    zoomsim: LiveZoomsim, pacer: Pacer
) -> None:
    token = zoomsim.token("acme-admin")
    control = httpx.Client(base_url=zoomsim.base_url)
    # Another app of the account spends this second's whole Light budget (zoomsim's clock is
    # frozen so all of it falls in one of its seconds).
    now = control.post("/_sim/clock/freeze").json()["now"]
    control.post("/_sim/clock/advance", json={"seconds": int(now) + 1 - now})
    for _ in range(PRO_LIGHT_PER_SECOND):
        control.get("/v2/users/me", headers={"Authorization": f"Bearer {token}"})
    with client_for(zoomsim, pacer, "acme-admin", "acct-acme") as client:
        with pytest.raises(ZoomRateLimited) as limited:
            client.get_user("me")
        assert not isinstance(limited.value, ZoomPaced)
        assert limited.value.limit_type == "QPS"
        # Until the time Zoom named, the pacer sends nothing more of this category.
        with pytest.raises(ZoomPaced):
            client.get_user("me")
    control.post("/_sim/clock/unfreeze")
    control.close()


def test_one_accounts_spent_budget_does_not_slow_another_account(
    zoomsim: LiveZoomsim, pacer: Pacer
) -> None:
    with client_for(zoomsim, pacer, "acme-admin", "acct-acme") as acme:
        assert granted_light_calls(acme, 60) == PRO_LIGHT_PER_SECOND
        with pytest.raises(ZoomPaced):
            acme.get_user("me")
    with client_for(zoomsim, pacer, "globex-admin", "acct-globex") as globex:
        globex.get_user("me")


def test_the_embedded_daily_count_starts_again_at_midnight_utc(tmp_path: Path) -> None:
    now = [datetime(2026, 12, 1, 23, 59, 59, tzinfo=UTC).timestamp()]
    pacer = SqlitePacer(tmp_path / "pacer.sqlite3", clock=lambda: now[0])
    # Zoom's daily 429 on Heavy: the cap is spent.
    spent = RateLimitInfo(category="Heavy", limit_type="Daily-limit", limit=30_000, remaining=0)
    pacer.observe("acct-acme", "Heavy", spent)
    assert pacer.reserve("acct-acme", "Heavy") == pytest.approx(1.0)
    # Resource-intensive shares the cap on paid plans; Light has none.
    assert pacer.reserve("acct-acme", "Resource-intensive") > 0
    assert pacer.reserve("acct-acme", "Light") == 0
    now[0] += 2  # 00:00:01 UTC
    assert pacer.reserve("acct-acme", "Heavy") == 0
