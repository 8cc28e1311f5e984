"""How many trivial work items a second the background work gets through, in both set-ups.

In one run, one after the other:

- the embedded default, as `make run` starts it: SQLite file and the filesystem broker under a
  fresh var/ folder, one worker process started with `make run`'s command line (threads pool, beat
  inside);
- at scale: PostgreSQL (DATABASE_URL) and Redis (CELERY_BROKER_URL), two worker processes (beat in
  one of them).

Each time, with no worker running, a driver process enqueues a backlog of items whose handler
does nothing, each with `work_enqueue` in a transaction of its own and its bell rung on commit
(as the webhook intake enqueues: one message per item waits in the broker); then the workers are
started and the driver waits until every item is done. Items/second is the backlog over the time
from the first item finished to the last (`finished_at`, written by the workers), so neither the
enqueueing nor the workers' start-up is counted.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/h_NAME \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/N \\
        .venv/bin/python bench/work_throughput.py [--items 2000]

The PostgreSQL database is migrated and the bench's rows are deleted afterwards; the Redis
database's Celery queue is purged at the end, so use a database and Redis db of your own.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
READY_TIMEOUT_SECONDS = 60.0


def worker_command(*, name: str, var_dir: Path, beat: bool) -> list[str]:
    """The worker's command line of scripts/run_all.py (`make run`), kept the same here."""
    command = [
        PYTHON, "-m", "celery", "-A", "campus", "worker",
        "--pool=threads", "--concurrency=4", "--loglevel=info",
        "--without-gossip", "--without-mingle", "--without-heartbeat",
        "--hostname", f"{name}@%h",
    ]  # fmt: skip
    if beat:
        command[6:6] = ["--beat", "--schedule", str(var_dir / "celery" / "beat-schedule")]
    return command


class Setup:
    def __init__(self, label: str, directory: Path, extra_env: dict[str, str]) -> None:
        self.label = label
        self.directory = directory
        self.var_dir = directory / "var"
        self.var_dir.mkdir(parents=True)
        self.env = {
            key: value
            for key, value in os.environ.items()
            if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL"}
        }
        self.env.update(
            {
                "DJANGO_SETTINGS_MODULE": "bench.work_settings",
                "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
                "CAMPUS_VAR_DIR": str(self.var_dir),
                "PYTHONUNBUFFERED": "1",
                # The worker logs a line per task at INFO, as in `make run`; the bench's own
                # output stays short.
                **extra_env,
            }
        )

    def run(self, *arguments: str, timeout: float) -> str:
        completed = subprocess.run(
            [PYTHON, *arguments],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if completed.returncode != 0:
            raise SystemExit(f"{self.label}: {' '.join(arguments)} failed:\n{completed.stderr}")
        return completed.stdout

    @contextmanager
    def worker(self, name: str, *, beat: bool) -> Iterator[None]:
        log_path = self.directory / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                worker_command(name=name, var_dir=self.var_dir, beat=beat),
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                deadline = time.monotonic() + READY_TIMEOUT_SECONDS
                while b" ready." not in log_path.read_bytes():
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"{name} did not start:\n{log_path.read_text()}")
                    time.sleep(0.1)
                yield
            finally:
                if process.poll() is None:
                    os.killpg(process.pid, signal.SIGTERM)
                    try:
                        process.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        os.killpg(process.pid, signal.SIGKILL)
                        process.wait()


def measure(setup: Setup, *, workers: int, items: int) -> dict[str, Any]:
    setup.run("manage.py", "migrate", "--noinput", timeout=300)
    enqueued: dict[str, Any] = json.loads(setup.run(__file__, "--enqueue", str(items), timeout=600))
    with ExitStack() as stack:
        for number in range(workers):
            stack.enter_context(setup.worker(f"bench{number + 1}", beat=number == 0))
        output = setup.run(__file__, "--wait-for", enqueued["subject"], timeout=600)
    result: dict[str, Any] = {**enqueued, **json.loads(output)}
    return result


# --- The driver: runs inside a Django process of the set-up being measured ---------------------


def enqueue(items: int) -> dict[str, Any]:
    """The backlog: `items` rows, each enqueued in its own transaction and rung on commit."""
    import django

    django.setup()
    from bench.work_handler import TRIVIAL_KIND

    from work.services import work_enqueue

    subject = f"bench:{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    for _number in range(items):
        work_enqueue(kind=TRIVIAL_KIND, subject=subject, payload={})
    return {"subject": subject, "enqueue_seconds": round(time.monotonic() - started, 2)}


def wait_for(subject: str) -> dict[str, Any]:
    """Wait until the backlog is done; the rate from the first item finished to the last."""
    import django

    django.setup()
    from bench.work_handler import TRIVIAL_KIND
    from django.db.models import Max, Min

    from campus.celery import app
    from work.models import WorkItem, WorkState

    rows = WorkItem.objects.filter(kind=TRIVIAL_KIND, subject=subject)
    deadline = time.monotonic() + 540
    while rows.exclude(state=WorkState.DONE).exists():
        if time.monotonic() > deadline:
            raise SystemExit(f"not done in time: {rows.exclude(state=WorkState.DONE).count()} left")
        time.sleep(0.1)
    items = rows.count()
    span = rows.aggregate(first=Min("finished_at"), last=Max("finished_at"))
    seconds = (span["last"] - span["first"]).total_seconds()
    attempts = sum(rows.values_list("attempts", flat=True))
    rows.delete()
    app.control.purge()  # bells left over for rows already done
    return {
        "items": items,
        "attempts": attempts,
        "seconds": round(seconds, 2),
        "per_second": round((items - 1) / seconds, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=int, default=2000, help="backlog size (default 2000)")
    parser.add_argument("--enqueue", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--wait-for", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.enqueue is not None:
        print(json.dumps(enqueue(args.enqueue)))
        return 0
    if args.wait_for is not None:
        print(json.dumps(wait_for(args.wait_for)))
        return 0

    database_url = os.environ.get("DATABASE_URL", "")
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not database_url.startswith("postgres") or not broker_url.startswith("redis://"):
        raise SystemExit("set DATABASE_URL=postgres://... and CELERY_BROKER_URL=redis://...")

    results = {}
    with tempfile.TemporaryDirectory(prefix="work-bench-") as scratch:
        embedded = Setup("embedded", Path(scratch) / "embedded", {})
        results["SQLite + filesystem broker, 1 worker process"] = measure(
            embedded, workers=1, items=args.items
        )
        services = Setup(
            "services",
            Path(scratch) / "services",
            {
                "DATABASE_URL": database_url,
                "CELERY_BROKER_URL": broker_url,
                "REDIS_URL": os.environ.get("REDIS_URL", broker_url),
            },
        )
        results["PostgreSQL + Redis, 2 worker processes"] = measure(
            services, workers=2, items=args.items
        )
    for label, result in results.items():
        print(
            f"{label:<48} {result['per_second']:>8.1f} items/s  "
            f"({result['items']} items in {result['seconds']} s; "
            f"enqueued in {result['enqueue_seconds']} s; {result['attempts']} attempts)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
