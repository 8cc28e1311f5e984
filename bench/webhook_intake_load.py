"""Zoom's webhook deliveries against Campus served as in production, on the embedded default.

Sets up a var dir of its own (CAMPUS_VAR_DIR, SQLite), migrates it, creates the ZoomAccount the
deliveries are for, starts gunicorn with Campus's settings
(`python -m gunicorn -c python:campus.gunicorn_config campus.wsgi:application`, bound through
CAMPUS_BIND to a free loopback port), and optionally the Celery worker (beat inside) as `make run`
does, so that the worker's transactions compete for SQLite's write lock. Then:

1. a burst: N deliveries at once, each on a connection of its own (the listen backlog's test);
2. a stream: M deliveries in a row from C keep-alive connections;
3. a replay of some of the same bodies (newly signed): each must be a duplicate, no new row.

Every delivery is a distinct, validly signed `meeting.participant_joined` for the known account.
It counts connection errors (resets, refusals, broken answers), 5xx, and the acknowledgement time
of each delivery (request sent to answer read), then drains the webhook spool (deliveries the
database could not take within the intake's bound) and counts the rows: every event must be
stored exactly once, each with one piece of work. Prints the figures; exits non-zero when a
target is missed (zero resets, zero 5xx, p95 under 1 s, every event stored once).

    .venv/bin/python bench/webhook_intake_load.py [--burst 100] [--stream 1000] [--connections 16]
                                                  [--replays 100] [--with-worker]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
SECRET = "bench-webhook-secret"
ZOOM_ACCOUNT_ID = "acct-bench"
TARGET_P95_SECONDS = 1.0
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "python:campus.gunicorn_config"]
# As `make run` starts it (scripts/run_all.py).
WORKER = [
    *(sys.executable, "-m", "celery", "-A", "campus", "worker", "--beat", "--pool=threads"),
    *("--concurrency=4", "--loglevel=info", "--without-gossip", "--without-mingle"),
    "--without-heartbeat",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        port: int = probe.getsockname()[1]
        return port


def campus_environment(var_dir: Path, port: int) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # The embedded default: no PostgreSQL, no Redis, whatever the shell says.
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL")
    }
    env.update(
        {
            "PYTHONPATH": str(ROOT / "src"),
            "DJANGO_SETTINGS_MODULE": "campus.settings",
            "CAMPUS_VAR_DIR": str(var_dir),
            "CAMPUS_BIND": f"{HOST}:{port}",
            "ZOOM_WEBHOOK_SECRET": SECRET,
        }
    )
    return env


def prepare_database(env: dict[str, str]) -> None:
    """Migrate, and the Zoom account the deliveries are for (as a connection would leave it)."""
    script = (
        "import django; django.setup()\n"
        "from django.core.management import call_command\n"
        "call_command('migrate', verbosity=0)\n"
        "from zoom_integration.models import ZoomAccount\n"
        f"ZoomAccount.objects.get_or_create(zoom_account_id={ZOOM_ACCOUNT_ID!r},"
        " defaults={'connection_kind': 'oauth', 'display_name': 'Bench account'})\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, check=True)


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as output:
        # A session of its own: stopping it stops gunicorn's (or Celery's) children too.
        return subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_until_answering(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited with {process.returncode}")
        try:
            # An unsigned delivery: 400 means Django is up and the intake answers.
            if httpx.post(url, content=b"{}", timeout=2).status_code == 400:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("gunicorn did not answer within 60 s")


def warm_up_body(number: int) -> bytes:
    """A signed delivery for an account Campus does not know: answered "ignored", stores nothing."""
    envelope = {"event": "meeting.started", "payload": {"account_id": "acct-unknown", "n": number}}
    return json.dumps(envelope, separators=(",", ":")).encode()


def delivery_body(number: int) -> bytes:
    envelope = {
        "event": "meeting.participant_joined",
        "event_ts": int(time.time() * 1000),
        "payload": {
            "account_id": ZOOM_ACCOUNT_ID,
            "object": {
                "id": "81000000101",
                "uuid": "bench-meeting==",
                "participant": {"user_name": f"Learner {number}", "participant_uuid": f"p{number}"},
            },
        },
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def signed_headers(body: bytes) -> dict[str, str]:
    # Zoom's algorithm, written out (zoomclient.webhooks.signature computes the same).
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {
        "content-type": "application/json",
        "x-zm-request-timestamp": stamp,
        "x-zm-signature": f"v0={digest}",
    }


@dataclass
class Phase:
    name: str
    seconds: list[float] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    connection_errors: Counter[str] = field(default_factory=Counter)
    elapsed: float = 0.0

    def record(self, started: float, answer: httpx.Response | Exception) -> None:
        if isinstance(answer, Exception):
            self.connection_errors[type(answer).__name__] += 1
            return
        self.seconds.append(time.perf_counter() - started)
        outcome = answer.json().get("status") if answer.status_code == 200 else answer.status_code
        self.statuses[str(outcome)] += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status.startswith("5"))

    def percentile(self, fraction: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0

    def summary(self) -> str:
        sent = len(self.seconds) + sum(self.connection_errors.values())
        errors = dict(self.connection_errors) or 0
        mean = statistics.fmean(self.seconds) if self.seconds else 0.0
        return (
            f"{self.name}: {sent} deliveries in {self.elapsed:.2f} s; "
            f"answers {dict(self.statuses)}; connection errors {errors}; acknowledged "
            f"p50 {self.percentile(0.50) * 1000:.0f} ms, "
            f"p95 {self.percentile(0.95) * 1000:.0f} ms, "
            f"p99 {self.percentile(0.99) * 1000:.0f} ms, "
            f"max {max(self.seconds, default=0) * 1000:.0f} ms, mean {mean * 1000:.0f} ms"
        )


async def post(client: httpx.AsyncClient, url: str, body: bytes, phase: Phase) -> None:
    started = time.perf_counter()
    try:
        answer = await client.post(url, content=body, headers=signed_headers(body))
        await answer.aread()
    except httpx.TransportError as error:  # reset, refused, closed mid-answer, timed out
        phase.record(started, error)
        return
    phase.record(started, answer)


async def burst(url: str, bodies: list[bytes]) -> Phase:
    """All at once, each on a connection of its own: as many connections as deliveries, opened
    together, none reused."""
    phase = Phase(f"burst of {len(bodies)} simultaneous")
    limits = httpx.Limits(max_connections=len(bodies), max_keepalive_connections=0)
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:
        await asyncio.gather(*(post(client, url, body, phase) for body in bodies))
    phase.elapsed = time.perf_counter() - started
    return phase


async def stream(url: str, bodies: list[bytes], connections: int, name: str) -> Phase:
    """One after another on each of `connections` keep-alive connections."""
    phase = Phase(name)
    queue = list(reversed(bodies))
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    started = time.perf_counter()
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def sender() -> None:
            while queue:
                await post(client, url, queue.pop(), phase)

        await asyncio.gather(*(sender() for _ in range(connections)))
    phase.elapsed = time.perf_counter() - started
    return phase


def drain_and_count(env: dict[str, str], var_dir: Path) -> dict[str, int]:
    spooled = len(list((var_dir / "zoom-webhook-spool").glob("*.json")))
    subprocess.run(
        [sys.executable, "manage.py", "drain_zoom_webhook_spool"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    with sqlite3.connect(var_dir / "campus.sqlite3") as db:
        events, distinct = db.execute(
            "SELECT count(*), count(DISTINCT body_sha256) FROM zoom_integration_zoomwebhookevent"
            " WHERE zoom_account_id = ?",
            (ZOOM_ACCOUNT_ID,),
        ).fetchone()
        (work,) = db.execute(
            "SELECT count(*) FROM work_workitem WHERE kind = 'zoom.webhook.process'"
        ).fetchone()
    return {"spooled_then_drained": spooled, "events": events, "distinct": distinct, "work": work}


def server_times(var_dir: Path) -> str:
    """The webhook requests' own time inside gunicorn (from its access lines, which end in
    `"POST /zoom/webhooks/ HTTP/1.1" 200 58 12ms`), for comparison with what the client saw: the
    difference is queueing and the client's share of the CPU."""
    times = []
    access = re.compile(r'"POST /zoom/webhooks/ [^"]*" 200 \S+ (\d+)ms')
    for line in (var_dir / "gunicorn.log").read_text(errors="replace").splitlines():
        if (found := access.search(line)) is not None:
            times.append(int(found.group(1)))
    times.sort()
    if not times:
        return "no requests in the access log"

    def at(fraction: float) -> int:
        return times[min(len(times) - 1, int(fraction * len(times)))]

    return (
        f"in gunicorn ({len(times)} acknowledged): p50 {at(0.5)} ms, p95 {at(0.95)} ms, "
        f"p99 {at(0.99)} ms, max {times[-1]} ms"
    )


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import gunicorn

    return (
        f"{os.cpu_count()} CPUs ({model}), Linux {platform.release()}, Python "
        f"{platform.python_version()}, gunicorn {gunicorn.__version__}, SQLite "
        f"{sqlite3.sqlite_version}; load average before: {os.getloadavg()[0]:.2f}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--stream", type=int, default=1000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--replays", type=int, default=100)
    parser.add_argument("--warm-up", type=int, default=0, help="deliveries before the burst")
    parser.add_argument("--with-worker", action="store_true", help="run the Celery worker too")
    parser.add_argument("--keep", action="store_true", help="keep the var dir (logs, database)")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="campus-webhook-bench-"))
    port = free_port()
    env = campus_environment(var_dir, port)
    url = f"http://{HOST}:{port}/zoom/webhooks/"
    print(f"machine: {machine()}")
    print(f"var dir: {var_dir}; Campus on {HOST}:{port}; worker: {args.with_worker}")
    prepare_database(env)
    web = start(
        [*GUNICORN, "campus.wsgi:application"],
        env,
        var_dir / "gunicorn.log",
    )
    worker = None
    try:
        wait_until_answering(url, web)
        if args.with_worker:
            worker = start(
                [*WORKER, "--schedule", str(var_dir / "celery" / "beat-schedule")],
                env,
                var_dir / "worker.log",
            )
            time.sleep(5)  # let it start before the load, as under `make run`
        if args.warm_up:
            # Each worker process and thread answers once before the measurement (imports,
            # URLconf, first connections), as a server that has been up a while has.
            warm = [warm_up_body(n) for n in range(args.warm_up)]
            print(asyncio.run(stream(url, warm, args.connections, "warm-up")).summary())
        bodies = [delivery_body(n) for n in range(args.burst + args.stream)]
        phases = [
            asyncio.run(burst(url, bodies[: args.burst])),
            asyncio.run(
                stream(
                    url,
                    bodies[args.burst :],
                    args.connections,
                    f"stream of {args.stream} from {args.connections} connections",
                )
            ),
            asyncio.run(
                stream(
                    url,
                    bodies[: args.replays],
                    args.connections,
                    f"replay of {args.replays} already sent",
                )
            ),
        ]
    finally:
        if worker is not None:
            stop(worker)
        stop(web)
    for phase in phases:
        print(phase.summary())
    overall = Phase("all deliveries")
    for phase in phases:
        overall.seconds += phase.seconds
    print(
        f"all {len(overall.seconds)} acknowledged: p50 {overall.percentile(0.5) * 1000:.0f} ms, "
        f"p95 {overall.percentile(0.95) * 1000:.0f} ms, max {max(overall.seconds) * 1000:.0f} ms"
    )
    print(server_times(var_dir))
    counts = drain_and_count(env, var_dir)
    sent = args.burst + args.stream
    print(
        f"stored: {counts['events']} events ({counts['distinct']} distinct bodies) for {sent} "
        f"distinct deliveries, {counts['work']} work rows; {counts['spooled_then_drained']} "
        "had been spooled and were drained afterwards"
    )

    failures = []
    for phase in phases:
        if phase.connection_errors:
            failures.append(f"{phase.name}: connection errors {dict(phase.connection_errors)}")
        if phase.server_errors:
            failures.append(f"{phase.name}: {phase.server_errors} answers 5xx")
        if phase.percentile(0.95) >= TARGET_P95_SECONDS:
            failures.append(f"{phase.name}: p95 {phase.percentile(0.95):.2f} s")
    if not counts["events"] == counts["distinct"] == counts["work"] == sent:
        failures.append(f"stored {counts} for {sent} deliveries")
    # A replay of a body still in the spool may be spooled again or stored now; the row count
    # above is what proves "once".
    if set(phases[2].statuses) - {"duplicate", "accepted", "spooled"}:
        failures.append(f"replays answered {dict(phases[2].statuses)}")
    if not args.keep:
        shutil.rmtree(var_dir, ignore_errors=True)
    print("FAILED: " + "; ".join(failures) if failures else "all targets met")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
