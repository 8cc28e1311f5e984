"""The drills' handlers.

`block_then_mark` (atomic) writes a marker row, then (first attempt only) blocks until it is
killed. The marker is written in the handler's transaction, the same one that marks the work done,
so a marker that survives means a committed attempt: after the drill there must be exactly one.

`call_slowly` (not atomic, like work that calls Zoom) runs outside any transaction: on its first
attempt it takes `payload["seconds"]` (a slow download), then writes its marker.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from work.handlers import register_handler
from work.models import WorkItem, WorkState

DRILL_KIND = "drill.block_then_mark"
MARKER_KIND = "drill.marker"
SLOW_CALL_KIND = "drill.call_slowly"


@register_handler(DRILL_KIND)
def block_then_mark(item: WorkItem) -> None:
    WorkItem.objects.create(
        kind=MARKER_KIND,
        subject=item.subject,
        payload={"attempt": item.attempts},
        state=WorkState.DONE,
    )
    Path(os.environ["WORK_DRILL_DIR"], f"attempt-{item.attempts}-started").touch()
    if item.attempts == 1:
        time.sleep(120)  # the drill kills the worker here, the marker written but not committed


@register_handler(SLOW_CALL_KIND, atomic=False)
def call_slowly(item: WorkItem) -> None:
    Path(os.environ["WORK_DRILL_DIR"], f"slow-attempt-{item.attempts}-started").touch()
    if item.attempts == 1:
        time.sleep(item.payload["seconds"])
    WorkItem.objects.create(
        kind=MARKER_KIND,
        subject=item.subject,
        payload={"attempt": item.attempts},
        state=WorkState.DONE,
    )
