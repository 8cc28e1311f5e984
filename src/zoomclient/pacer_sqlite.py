"""The pacer of the embedded default: one SQLite file shared by the processes of one machine.

SQLite's own file locking makes each reservation atomic across processes (`BEGIN IMMEDIATE` takes
the write lock before reading the counts), and in WAL mode a reservation is a fraction of a
millisecond, far below the 40-80 calls a second Zoom's budgets allow. A sliding window of grant
times per account and category: a call is granted when fewer than the budget were granted in the
window before it.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from zoomclient.pacing import (
    DEFAULT_PLAN,
    SharedPacer,
    budget,
    seconds_to_utc_midnight,
    utc_day,
)
from zoomclient.ratelimits import RateLimitCategory

_SCHEMA = """
CREATE TABLE IF NOT EXISTS grants (bucket TEXT NOT NULL, at REAL NOT NULL);
CREATE INDEX IF NOT EXISTS grants_bucket_at ON grants (bucket, at);
CREATE TABLE IF NOT EXISTS daily (
    bucket TEXT PRIMARY KEY, day TEXT NOT NULL, used INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS blocks (bucket TEXT PRIMARY KEY, until REAL NOT NULL);
CREATE TABLE IF NOT EXISTS plans (account TEXT PRIMARY KEY, plan TEXT NOT NULL);
"""


class SqlitePacer(SharedPacer):
    def __init__(self, path: Path, *, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.clock = clock  # seconds since the epoch; tests move it past midnight UTC
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        # One connection per process and thread: a connection must not cross a fork.
        pid = os.getpid()
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None or getattr(self._local, "pid", None) != pid:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")  # counts, not records: a crash may lose a few
            db.executescript(_SCHEMA)
            self._local.db, self._local.pid = db, pid
        return db

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One transaction holding the write lock from its start (`BEGIN IMMEDIATE`): what it
        reads cannot change before it writes."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def reserve(self, account: str, category: RateLimitCategory) -> float:
        with self._writing():
            return self._reserve(self._db(), account, category, self.clock())

    def _reserve(
        self, db: sqlite3.Connection, account: str, category: RateLimitCategory, now: float
    ) -> float:
        limits = budget(self._plan(account), category)
        bucket = f"{account}:{category}"
        blocked = db.execute("SELECT until FROM blocks WHERE bucket = ?", (bucket,)).fetchone()
        if blocked and blocked[0] > now:
            return float(blocked[0] - now)
        # One row per account and daily bucket; a row of an earlier UTC day counts as zero.
        daily_key, today = f"{account}:{limits.daily_bucket}", utc_day(now)
        if limits.daily_cap is not None:
            row = db.execute(
                "SELECT used FROM daily WHERE bucket = ? AND day = ?", (daily_key, today)
            ).fetchone()
            if row and row[0] >= limits.daily_cap:
                return seconds_to_utc_midnight(now)
        db.execute("DELETE FROM grants WHERE bucket = ? AND at <= ?", (bucket, now - limits.window))
        count, oldest = db.execute(
            "SELECT count(*), min(at) FROM grants WHERE bucket = ?", (bucket,)
        ).fetchone()
        if count >= limits.calls:
            return max(float(oldest + limits.window - now), 0.001)
        db.execute("INSERT INTO grants (bucket, at) VALUES (?, ?)", (bucket, now))
        if limits.daily_cap is not None:
            db.execute(
                "INSERT INTO daily (bucket, day, used) VALUES (?, ?, 1) ON CONFLICT (bucket)"
                " DO UPDATE SET used = CASE WHEN day = excluded.day THEN used + 1 ELSE 1 END,"
                " day = excluded.day",
                (daily_key, today),
            )
        return 0.0

    def _plan(self, account: str) -> str:
        row = self._db().execute("SELECT plan FROM plans WHERE account = ?", (account,)).fetchone()
        return str(row[0]) if row else DEFAULT_PLAN

    def _save_plan(self, account: str, plan: str) -> None:
        self._db().execute(
            "INSERT INTO plans (account, plan) VALUES (?, ?)"
            " ON CONFLICT (account) DO UPDATE SET plan = excluded.plan",
            (account, plan),
        )

    def _raise_daily(self, account: str, daily_bucket: str, day: str, used: int) -> None:
        self._db().execute(
            "INSERT INTO daily (bucket, day, used) VALUES (?, ?, ?) ON CONFLICT (bucket)"
            " DO UPDATE SET used = CASE WHEN day = excluded.day"
            " THEN max(used, excluded.used) ELSE excluded.used END, day = excluded.day",
            (f"{account}:{daily_bucket}", day, used),
        )

    def _block(self, account: str, category: RateLimitCategory, seconds: float) -> None:
        self._db().execute(
            "INSERT INTO blocks (bucket, until) VALUES (?, ?)"
            " ON CONFLICT (bucket) DO UPDATE SET until = max(until, excluded.until)",
            (f"{account}:{category}", self.clock() + seconds),
        )
