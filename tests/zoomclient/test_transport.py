"""The request cycle every endpoint shares: one refresh-and-retry after a 401, transport errors,
timeouts, rate-limit headers, and logs without tokens or personal data."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.conftest import MintingTokenSource
from zoomclient import (
    ZoomClient,
    ZoomEndpoints,
    ZoomServerError,
    ZoomTransportError,
    ZoomUnauthorized,
)
from zoomsim.model import FaultRule


class StuckTokenSource(MintingTokenSource):
    """Its "refreshed" token is rejected too (e.g. the app was uninstalled meanwhile)."""

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        self.refreshes.append(rejected_token)
        return "still-not-valid"


@pytest.fixture
def counted_http() -> Iterator[tuple[httpx.Client, list[str]]]:
    sent: list[str] = []

    def count(request: httpx.Request) -> None:
        sent.append(request.headers["Authorization"])

    with httpx.Client(timeout=10, event_hooks={"request": [count]}) as http:
        yield http, sent


def test_an_expired_token_is_refreshed_once_and_the_call_retried(
    zoomsim: LiveZoomsim,
    endpoints: ZoomEndpoints,
    counted_http: tuple[httpx.Client, list[str]],
) -> None:
    http, sent = counted_http
    expired = zoomsim.token("acme-admin", ttl=-1)
    tokens = MintingTokenSource(zoomsim, token=expired)
    with ZoomClient(endpoints, tokens, http=http) as zoom:
        assert zoom.get_user("me").id == "acme-admin"
    assert tokens.refreshes == [expired]
    assert sent == [f"Bearer {expired}", f"Bearer {tokens.token}"]


def test_a_second_401_is_raised_after_exactly_one_refresh(
    zoomsim: LiveZoomsim,
    endpoints: ZoomEndpoints,
    counted_http: tuple[httpx.Client, list[str]],
) -> None:
    http, sent = counted_http
    tokens = StuckTokenSource(zoomsim, token="revoked-long-ago")
    with (
        ZoomClient(endpoints, tokens, http=http) as zoom,
        pytest.raises(ZoomUnauthorized) as raised,
    ):
        zoom.get_user("me")
    assert len(tokens.refreshes) == 1
    assert len(sent) == 2
    assert (raised.value.status, raised.value.code) == (401, 124)
    assert raised.value.message == "Invalid access token."


def test_a_valid_token_is_not_refreshed(client: ZoomClient, tokens: MintingTokenSource) -> None:
    client.get_user("me")
    client.get_user("acme-host")
    assert tokens.refreshes == []


def test_a_dropped_connection_is_a_transport_error(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    zoomsim.state.faults["drop"] = FaultRule(
        id="drop", path_pattern="^/v2/users/", drop_connection=True
    )
    with pytest.raises(ZoomTransportError) as raised:
        client.get_user("me")
    assert isinstance(raised.value.__cause__, httpx.TransportError)
    # The fault was for one call; the next one goes through.
    assert client.get_user("me").id == "acme-admin"


def test_a_closed_port_is_a_transport_error(
    tokens: MintingTokenSource, closed_port_url: str
) -> None:
    with (
        ZoomClient(ZoomEndpoints.at(closed_port_url), tokens) as zoom,
        pytest.raises(ZoomTransportError) as raised,
    ):
        zoom.get_user("me")
    assert isinstance(raised.value.__cause__, httpx.ConnectError)


def test_a_slow_answer_times_out_as_a_transport_error(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints, tokens: MintingTokenSource
) -> None:
    zoomsim.state.knobs.latency_ms = 500
    timeout = httpx.Timeout(connect=2.0, read=0.1, write=2.0, pool=2.0)
    with (
        ZoomClient(endpoints, tokens, timeout=timeout) as zoom,
        pytest.raises(ZoomTransportError) as raised,
    ):
        zoom.get_user("me")
    assert isinstance(raised.value.__cause__, httpx.ReadTimeout)


def test_a_server_failure_is_a_server_error(zoomsim: LiveZoomsim, client: ZoomClient) -> None:
    zoomsim.state.faults["boom"] = FaultRule(id="boom", path_pattern="^/v2/users/", status=503)
    with pytest.raises(ZoomServerError) as raised:
        client.get_user("me")
    assert raised.value.status == 503


def test_rate_limit_headers_of_the_last_answer_are_kept(client: ZoomClient) -> None:
    client.get_user("me")
    assert client.last_rate_limit.category == "Light"


def test_each_call_logs_method_path_template_status_and_nothing_personal(
    client: ZoomClient, tokens: MintingTokenSource, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="zoomclient"):
        client.get_user("host@acme.test")
    [record] = [r for r in caplog.records if r.getMessage() == "zoomclient.request"]
    assert record.__dict__["method"] == "GET"
    assert record.__dict__["path_template"] == "/users/{userId}"
    assert record.__dict__["status"] == 200
    assert record.__dict__["duration_ms"] >= 0
    everything = repr(record.__dict__)
    assert "host@acme.test" not in everything
    assert tokens.token not in everything
