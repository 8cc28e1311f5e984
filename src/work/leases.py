"""The heartbeat that keeps a live worker's claims: renewing the leases of its running handlers.

A lease is short (WORK_LEASE_SECONDS, 15 s), so that the row of a worker that died is taken over
soon; a handler that runs longer (a recording download) keeps its row because one thread per worker
process renews the lease of every claim the process holds, every third of the lease, in one
UPDATE. When the process dies the renewals stop with it and the lease runs out.

Only non-atomic handlers are registered here. An atomic handler runs inside a transaction that
already keeps every other worker off its row for as long as it runs (PostgreSQL: its row lock,
which a claim skips; SQLite: the database's single write lock), and a renewal from another
connection would wait behind that very lock.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone

from work.config import work_config
from work.models import WorkItem, WorkState

logger = logging.getLogger(__name__)


class LeaseKeeper:
    """The claims this process holds, and the daemon thread that renews their leases."""

    def __init__(self) -> None:
        self._claims: dict[str, int] = {}  # claim id → work item id
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pid = 0

    @contextmanager
    def keeping(self, *, item_id: int, claim: str) -> Iterator[None]:
        """Renew the lease of `claim` on row `item_id` while the block runs."""
        with self._lock:
            self._claims[claim] = item_id
            self._start_if_needed()
        try:
            yield
        finally:
            with self._lock:
                self._claims.pop(claim, None)

    def renew_now(self) -> int:
        """Renew every held lease once; how many rows were renewed."""
        with self._lock:
            claims = list(self._claims)
        if not claims:
            return 0
        return WorkItem.objects.filter(state=WorkState.RUNNING, locked_by__in=claims).update(
            lease_expires_at=timezone.now() + work_config().lease
        )

    def _start_if_needed(self) -> None:
        # A forked pool child inherits the object but not the thread.
        if self._thread is not None and self._thread.is_alive() and self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._thread = threading.Thread(target=self._beat, name="work-lease-keeper", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while True:
            time.sleep(work_config().heartbeat.total_seconds())
            try:
                if not self.renew_now():
                    # Nothing held: keep no database connection open meanwhile (an idle worker
                    # need not hold a PostgreSQL connection, and a test database must be droppable).
                    connection.close()
            except Exception:
                # The database went away for a moment: the next beat tries again, on a new
                # connection. A lease that runs out meanwhile is fenced like any other.
                logger.warning("work.lease_renewal_failed", exc_info=True)
                connection.close()


lease_keeper = LeaseKeeper()
