"""The running simulator: its state, where that state is saved, and the hooks handlers share."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from starlette.requests import Request

from zoomsim.state import State

log = logging.getLogger("zoomsim")

# Emitters of webhook events register here (zoomsim.webhooks): (sim, account_id, event, object,
# top-level extras) -> None. Kept as a hook so handlers do not import the delivery machinery.
EventSink = Callable[["Simulator", str, str, dict[str, Any], dict[str, Any]], None]


class Simulator:
    def __init__(self, state: State, state_path: Path | None = None) -> None:
        self.state = state
        self.state_path = state_path
        self._dirty = False
        self._save_task: asyncio.Task[None] | None = None
        self.event_sinks: list[EventSink] = []
        self.background: list[asyncio.Task[None]] = []
        # The seed the simulator started from, so `POST /_sim/reset` can go back to it.
        self.seed: dict[str, Any] | None = None

    # --- persistence: debounced, so a burst of calls costs one write --------------------------

    def changed(self) -> None:
        """Mark the state as changed; it is written to --state FILE shortly after."""
        if self.state_path is None:
            return
        self._dirty = True
        if self._save_task is None or self._save_task.done():
            try:
                self._save_task = asyncio.get_running_loop().create_task(self._save_soon())
            except RuntimeError:  # no loop (a synchronous caller): write now
                self.save()

    async def _save_soon(self) -> None:
        await asyncio.sleep(0.2)
        self.save()

    def save(self) -> None:
        if self.state_path is not None and self._dirty:
            self._dirty = False
            self.state.save(self.state_path)

    def flush(self) -> None:
        self._dirty = True
        self.save()

    # --- webhooks ----------------------------------------------------------------------------

    def emit(self, account_id: str, event: str, obj: dict[str, Any], **top: Any) -> None:
        """Send Zoom event `event` about `obj` to every app installed on `account_id`."""
        for sink in self.event_sinks:
            sink(self, account_id, event, obj, top)


def sim_of(request: Request) -> Simulator:
    """The simulator serving `request` (create_app puts it on the application)."""
    sim: Simulator = request.app.state.sim
    return sim
