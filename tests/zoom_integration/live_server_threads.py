"""Ending a live-server test cleanly: a client's keep-alive connection keeps one of the live
server's request threads alive, and when it finally closes, that thread closes its database
connection, racing the test database's teardown. Close the clients, then let the threads end."""

from __future__ import annotations

import asyncio
import threading
import time

from tests.support.zoomsim_server import LiveZoomsim
from zoomsim import webhooks


def close_zoomsim_webhook_connections(zoomsim: LiveZoomsim) -> None:
    """zoomsim's webhook sender keeps its HTTP connections to Campus open between deliveries."""
    running = [task for task in zoomsim.sim.background if not task.done()]
    if running:
        loop = running[0].get_loop()
        asyncio.run_coroutine_threadsafe(webhooks.courier(zoomsim.sim).close(), loop).result(5)


def let_request_threads_finish(timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if "process_request_thread" not in thread.name:
            continue
        while True:
            try:
                thread.join(max(0.0, deadline - time.monotonic()))
                break
            except RuntimeError:
                # enumerate() lists a thread whose start() has not finished yet: joining it is
                # refused until it has; it is about to run, so wait for that, then join it.
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.01)
