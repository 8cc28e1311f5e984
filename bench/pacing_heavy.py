"""How much of a Business account's Heavy budget (40 calls a second) the shared pacer uses, and
whether Zoom ever answers 429, with zoomsim adding latency to every call as Zoom's network does.

Starts zoomsim as a subprocess on loopback with its rate limits on and `latency_ms` set, mints a
Campus token for acct-globex (Business plan in the seed), then for `--seconds` seconds:

1. baseline: one process, one Heavy call at a time, no pacer;
2. paced: `--processes` worker processes sharing one pacer (the embedded SQLite file, or Redis
   with `--redis URL`), each calling as fast as the pacer lets it; a ZoomPaced waits until its
   `retry_at`, as the work queue's RetryLater would.

The Heavy call is the participant report (`GET /report/meetings/{id}/participants`) of a meeting
id zoomsim does not know: zoomsim counts it against the budget before answering 404, exactly as
it counts a report that exists. Prints calls/s for both, the share of 40/s, the 429s and the
paced calls; exits non-zero when the paced run has a 429 or uses less than 90% of the budget.

    .venv/bin/python bench/pacing_heavy.py [--seconds 10] [--processes 8] [--latency-ms 100]
                                           [--redis redis://127.0.0.1:6379/15]
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from zoomclient import (  # noqa: E402
    NoPacer,
    Pacer,
    ZoomClient,
    ZoomEndpoints,
    ZoomNotFound,
    ZoomPaced,
    ZoomRateLimited,
)
from zoomclient.pacer_redis import RedisPacer  # noqa: E402
from zoomclient.pacer_sqlite import SqlitePacer  # noqa: E402

SEED = ROOT / "seeds" / "zoomsim-test.json"
HOST = "127.0.0.1"
ACCOUNT = "acct-globex"
BUSINESS_HEAVY_PER_SECOND = 40


class StaticToken:
    def __init__(self, token: str) -> None:
        self.token = token

    def access_token(self) -> str:
        return self.token

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        raise SystemExit("the benchmark's token was refused")


@dataclass(frozen=True)
class Tally:
    answered: int
    rate_limited: int
    paced: int


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def start_zoomsim(port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    command = [sys.executable, "-m", "zoomsim", "--host", HOST, "--port", str(port)]
    process = subprocess.Popen([*command, "--seed", str(SEED)], cwd=ROOT, env=env)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{HOST}:{port}/_sim/health").status_code == 200:
                return process
        except httpx.TransportError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("zoomsim did not start")


def make_pacer(kind: str, where: str, prefix: str) -> Pacer:
    if kind == "sqlite":
        return SqlitePacer(Path(where))
    if kind == "redis":
        import redis

        return RedisPacer(redis.Redis.from_url(where), prefix=prefix)
    return NoPacer()


def heavy_calls(
    base_url: str,
    token: str,
    pacer_kind: str,
    where: str,
    prefix: str,
    ready: Any,
    seconds: float,
) -> Tally:
    answered = rate_limited = paced = 0
    ready.wait()  # every process starts together, once all have started up
    until = time.time() + seconds
    with ZoomClient(
        ZoomEndpoints.at(base_url),
        StaticToken(token),
        pacer=make_pacer(pacer_kind, where, prefix),
        pacing_account=ACCOUNT,
    ) as client:
        while time.time() < until:
            try:
                client.report_participants("99999999999")
            except ZoomNotFound:
                answered += 1
            except ZoomPaced as later:
                paced += 1
                time.sleep(max((later.retry_at - datetime.now(UTC)).total_seconds(), 0))
            except ZoomRateLimited as limited:
                rate_limited += 1
                time.sleep(max((limited.retry_at - datetime.now(UTC)).total_seconds(), 0))
    return Tally(answered, rate_limited, paced)


def run(processes: int, seconds: float, *args: str) -> tuple[Tally, float]:
    context = multiprocessing.get_context("spawn")
    with context.Manager() as manager, context.Pool(processes) as pool:
        # Spawned processes take seconds to import on a busy machine: the measured window
        # opens when the last of them is ready.
        ready = manager.Barrier(processes)
        tallies = pool.starmap(heavy_calls, [(*args, ready, seconds)] * processes)
    elapsed = seconds
    total = Tally(
        sum(t.answered for t in tallies),
        sum(t.rate_limited for t in tallies),
        sum(t.paced for t in tallies),
    )
    return total, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--redis", default="")
    options = parser.parse_args()

    port = free_port()
    base_url = f"http://{HOST}:{port}"
    zoomsim = start_zoomsim(port)
    try:
        httpx.patch(
            f"{base_url}/_sim/knobs",
            json={"rate_limits": True, "latency_ms": options.latency_ms},
        ).raise_for_status()
        minted = httpx.post(
            f"{base_url}/_sim/tokens",
            json={"client_id": "campus-client-id", "user_id": "globex-admin"},
        )
        minted.raise_for_status()
        token: str = minted.json()["access_token"]

        baseline, baseline_s = run(1, options.seconds, base_url, token, "none", "", "")
        with tempfile.TemporaryDirectory() as scratch:
            kind, where = ("redis", options.redis) if options.redis else ("sqlite", "")
            where = where or str(Path(scratch) / "pacer.sqlite3")
            prefix = f"zoompacer-bench-{uuid.uuid4().hex}"
            paced, paced_s = run(
                options.processes, options.seconds, base_url, token, kind, where, prefix
            )
    finally:
        zoomsim.terminate()
        zoomsim.wait(10)

    baseline_rate = baseline.answered / baseline_s
    paced_rate = paced.answered / paced_s
    share = paced_rate / BUSINESS_HEAVY_PER_SECOND
    print(f"zoomsim latency {options.latency_ms:g} ms, {options.seconds:g} s each run")
    print(
        f"baseline (1 process, 1 call at a time): {baseline_rate:.1f} calls/s, "
        f"{baseline.rate_limited} 429s"
    )
    print(
        f"paced ({options.processes} processes, {kind} pacer): {paced_rate:.1f} calls/s "
        f"= {share:.0%} of {BUSINESS_HEAVY_PER_SECOND}/s, {paced.rate_limited} 429s, "
        f"{paced.paced} calls moved by the pacer"
    )
    if paced.rate_limited or share < 0.9:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
