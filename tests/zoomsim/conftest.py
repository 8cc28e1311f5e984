from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.zoomsim_fixtures import live_zoomsim, zoomsim_server  # noqa: F401
from tests.support.zoomsim_server import LiveZoomsim


@pytest.fixture
def api(zoomsim: LiveZoomsim) -> Iterator[httpx.Client]:
    """An httpx client for /v2 with a token of acme's admin for the Campus app."""
    # Long-lived: many tests move the clock by hours.
    with zoomsim.client(zoomsim.token("acme-admin", ttl=30 * 24 * 3600)) as client:
        yield client


@pytest.fixture
def control(zoomsim: LiveZoomsim) -> Iterator[httpx.Client]:
    """An httpx client without credentials, for the control API (`/_sim/...`) and the pages."""
    with zoomsim.client() as client:
        yield client


@pytest.fixture
def processed_at_once(control: httpx.Client) -> None:
    """Reports and recordings ready the moment a meeting ends. zoomsim's defaults take minutes,
    as Zoom does; tests about what the data says (not when it comes) ask for this."""
    response = control.patch("/_sim/knobs", json={"report_delay": 0, "recording_delay": 0})
    assert response.status_code == 200
