"""The live-zoomsim fixtures every test folder that talks to zoomsim starts from.

A conftest imports them (`from tests.support.zoomsim_fixtures import live_zoomsim, zoomsim_server`)
and builds its own on top. The `zoomsim` fixture's function has another name so that conftest
fixtures can take a `zoomsim` argument without shadowing the imported name.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support.zoomsim_server import LiveZoomsim


@pytest.fixture(scope="session")
def zoomsim_server() -> Iterator[LiveZoomsim]:
    server = LiveZoomsim().start()
    yield server
    server.stop()


@pytest.fixture(name="zoomsim")
def live_zoomsim(zoomsim_server: LiveZoomsim) -> LiveZoomsim:
    """A running zoomsim, reset to the test seed."""
    zoomsim_server.reset()
    return zoomsim_server
