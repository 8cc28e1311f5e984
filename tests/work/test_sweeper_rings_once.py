"""The sweeper rings each due row once: a restart (a new beat, sweeping at once) adds no messages.

Issue 6 found a backlog's messages tripled after a restart, because every sweep rang every due
row again while the first bells still waited in the broker. Here, with the real filesystem broker
and no worker, rows are enqueued (each rung on commit: one message each), then the sweeper runs
three times as three restarts would: the broker still holds one message a row.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.work.test_killed_worker import Drill, drill_database

ROWS = 20


@pytest.mark.timeout(180)
def test_sweeping_again_and_again_rings_each_due_row_once(tmp_path: Path) -> None:
    with drill_database(None, tmp_path) as database_url:
        drill = Drill(tmp_path, database_url, None)
        drill.migrate()
        drill.driver("enqueue-many", str(ROWS))
        assert drill.queued_messages() == ROWS

        rung = [drill.driver("sweep")["rung"] for _restart in range(3)]

        assert rung == [0, 0, 0]
        assert drill.queued_messages() == ROWS
