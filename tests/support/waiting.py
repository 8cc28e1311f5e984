"""Waiting in tests for something another process or thread does: poll, never sleep blindly."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def eventually(
    probe: Callable[[], T],
    *,
    timeout: float,
    interval: float = 0.05,
    explain: Callable[[], str] = lambda: "",
) -> T:
    """Call `probe` until it returns something truthy and return that; after `timeout` seconds
    fail with `explain()`, which is asked only then (it may read logs or state)."""
    deadline = time.monotonic() + timeout
    while True:
        found = probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:g} s: {explain()}")
        time.sleep(interval)


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port
