from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim


@pytest.fixture(scope="session")
def zoomsim_server() -> Iterator[LiveZoomsim]:
    server = LiveZoomsim().start()
    yield server
    server.stop()


@pytest.fixture
def zoomsim(zoomsim_server: LiveZoomsim) -> LiveZoomsim:
    """A running zoomsim, reset to the test seed."""
    zoomsim_server.reset()
    return zoomsim_server


@pytest.fixture
def api(zoomsim: LiveZoomsim) -> Iterator[httpx.Client]:
    """An httpx client for /v2 with a token of acme's admin for the Campus app."""
    # Long-lived: many tests move the clock by hours.
    with zoomsim.client(zoomsim.token("acme-admin", ttl=30 * 24 * 3600)) as client:
        yield client
