"""The proof the issue asks for: kill a worker mid-job, purge the broker, the job completes once.

Real processes all the way: Celery workers (with beat inside, as in the embedded default) are
started as subprocesses on a private database and queue; the first is SIGKILLed, process group and
all, while its handler sits inside its transaction; every message is then purged, so only the
database remembers the job. A second worker's sweeper finds the abandoned row once its lease has
expired, and runs it to done. The handler writes a marker row in its transaction: exactly one
survives.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.support.waiting import eventually

PROJECT_DIR = Path(__file__).resolve().parents[2]


class Drill:
    def __init__(
        self,
        directory: Path,
        database_url: str,
        broker_url: str | None,
        *,
        production_timing: bool = False,
    ) -> None:
        self.directory = directory
        self.broker_url = broker_url
        self.key_prefix = f"work-drill-{uuid.uuid4().hex[:10]}:"
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.work.drill_settings",
            "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR / "src"), str(PROJECT_DIR)]),
            "CAMPUS_VAR_DIR": str(directory / "var"),
            "WORK_DRILL_DIR": str(directory),
            "WORK_DRILL_DATABASE_URL": database_url,
            "WORK_DRILL_KEY_PREFIX": self.key_prefix,
        }
        self.env.pop("CELERY_BROKER_URL", None)
        if production_timing:  # Campus's own lease and sweep interval (drill_settings.py)
            self.env["WORK_DRILL_PRODUCTION_TIMING"] = "1"
        if broker_url:
            self.env["CELERY_BROKER_URL"] = broker_url

    def driver(self, *arguments: str) -> dict[str, Any]:
        output = self._run_module("tests.work.drill", *arguments, timeout=60)
        return json.loads(output.strip().splitlines()[-1])

    def migrate(self) -> None:
        self._run_module("django", "migrate", "--noinput", timeout=120)

    def _run_module(self, module: str, *arguments: str, timeout: float) -> str:
        """`python -m module arguments` in the drill's environment; its stdout if it succeeded."""
        completed = subprocess.run(
            [sys.executable, "-m", module, *arguments],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        return completed.stdout

    @contextmanager
    def worker(self, name: str) -> Iterator[subprocess.Popen[bytes]]:
        log = (self.directory / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable, "-m", "celery", "-A", "campus", "worker", "--beat",
                "--concurrency=1", "--loglevel=INFO", f"--hostname={name}@drill",
            ],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            # Its own process group: the kill takes the pool child and beat with it, as when a
            # machine or container dies.
            start_new_session=True,
        )  # fmt: skip
        try:
            yield process
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
            log.close()

    def log_of(self, name: str) -> str:
        return (self.directory / f"{name}.log").read_text(errors="replace")

    def wait_for(self, path: Path, *, timeout: float, worker: str) -> None:
        eventually(
            path.exists,
            timeout=timeout,
            interval=0.1,
            explain=lambda: f"{path.name} never appeared:\n{self.log_of(worker)}",
        )

    def queued_messages(self) -> int:
        if self.broker_url:
            with self._redis() as redis:
                return sum(1 for _key in redis.scan_iter(match=f"{self.key_prefix}*"))
        return sum(1 for _file in (self.directory / "queue").glob("*"))

    def purge_broker(self) -> None:
        """Forget every message: queued ones, and on Redis the one the dead worker held unacked."""
        if self.broker_url:
            with self._redis() as redis:
                for key in list(redis.scan_iter(match=f"{self.key_prefix}*")):
                    redis.delete(key)
        else:
            for message in (self.directory / "queue").glob("*"):
                message.unlink()

    @contextmanager
    def _redis(self) -> Iterator[Any]:
        import redis

        client = redis.Redis.from_url(self.broker_url or "")
        try:
            yield client
        finally:
            client.close()


@contextmanager
def drill_database(base_url: str | None, directory: Path) -> Iterator[str]:
    """A database of the drill's own: a SQLite file, or a fresh PostgreSQL database."""
    if not base_url or not base_url.startswith(("postgres://", "postgresql://")):
        yield f"sqlite:///{directory / 'drill.sqlite3'}"
        return
    import psycopg

    name = f"work_drill_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(_maintenance_dsn(base_url), autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        parts = urlsplit(base_url)
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        with psycopg.connect(_maintenance_dsn(base_url), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _maintenance_dsn(url: str) -> str:
    """The server's `postgres` database to create and drop the drill's from: the database
    DATABASE_URL names need not exist (pytest-django only ever creates `test_<name>`)."""
    return urlunsplit(urlsplit(url)._replace(scheme="postgresql", path="/postgres"))


def run_drill(directory: Path, *, database_url: str, broker_url: str | None) -> None:
    drill = Drill(directory, database_url, broker_url)
    drill.migrate()

    with drill.worker("first") as first:
        drill.driver("enqueue")
        drill.wait_for(directory / "attempt-1-started", timeout=60, worker="first")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)

    report = drill.driver("report")
    assert report["state"] == "running"  # the claim committed; the attempt did not
    assert report["markers"] == 0, "the killed attempt's writes were rolled back"

    drill.purge_broker()
    assert drill.queued_messages() == 0

    with drill.worker("second"):

        def done_report() -> dict[str, Any] | None:
            found = drill.driver("report")
            return found if found["state"] == "done" else None

        report = eventually(
            done_report,
            timeout=60,
            interval=0.5,
            explain=lambda: f"{drill.driver('report')}\n{drill.log_of('second')}",
        )

    assert report == {
        "state": "done",
        "attempts": 2,
        "last_error": "",
        "markers": 1,
        "marker_attempts": [2],
    }
    assert "work.run" in drill.log_of("second")


@pytest.mark.timeout(240)
def test_killed_worker_and_purged_broker_the_job_still_completes_once(tmp_path: Path) -> None:
    """The embedded default: SQLite file and the filesystem broker."""
    with drill_database(None, tmp_path) as database_url:
        run_drill(tmp_path, database_url=database_url, broker_url=None)


@pytest.mark.services
@pytest.mark.timeout(240)
def test_killed_worker_and_purged_broker_on_services(tmp_path: Path) -> None:
    """At scale: Redis as the broker, PostgreSQL as the database, as the environment names them."""
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    database_url = os.environ.get("DATABASE_URL", "")
    if not broker_url.startswith("redis://") and not database_url.startswith("postgres"):
        pytest.skip("needs CELERY_BROKER_URL=redis://... and/or DATABASE_URL=postgres://...")
    with drill_database(database_url, tmp_path) as drill_database_url:
        run_drill(
            tmp_path,
            database_url=drill_database_url,
            broker_url=broker_url if broker_url.startswith("redis://") else None,
        )
