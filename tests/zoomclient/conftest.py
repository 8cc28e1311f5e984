"""zoomclient against a live zoomsim over HTTP on loopback.

Every response of /v2 the client receives is checked against Zoom's OpenAPI spec on the way in
(an httpx response hook), so the client is only ever shown answers Zoom documents.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterator

import httpx
import pytest

from tests.support.zoomsim_fixtures import live_zoomsim, zoomsim_server  # noqa: F401
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.openapi_check import assert_matches_spec
from zoomclient import ENDPOINTS, ZoomClient, ZoomEndpoints

_TEMPLATES = [
    (
        endpoint.method,
        re.compile("^/v2" + re.sub(r"\{[^}]+\}", "[^/]+", endpoint.path) + "$"),
        endpoint.path,
    )
    for endpoint in ENDPOINTS.values()
]


class MintingTokenSource:
    """A token source over tokens zoomsim mints directly (as if OAuth had just run), counting
    how often the client asks for a refresh."""

    def __init__(self, zoomsim: LiveZoomsim, user_id: str = "acme-admin", token: str = "") -> None:
        self.zoomsim = zoomsim
        self.user_id = user_id
        self.token = token or zoomsim.token(user_id)
        self.refreshes: list[str] = []

    def access_token(self) -> str:
        return self.token

    def refreshed_after_unauthorized(self, rejected_token: str) -> str:
        self.refreshes.append(rejected_token)
        self.token = self.zoomsim.token(self.user_id)
        return self.token


def check_against_spec(response: httpx.Response) -> None:
    """Zoom documents its 2xx/4xx answers; 5xx here only come from injected faults."""
    if response.status_code >= 500:
        return
    path = response.request.url.raw_path.decode("ascii").split("?")[0]
    method = response.request.method
    for template_method, pattern, template in _TEMPLATES:
        if template_method == method and pattern.match(path):
            response.read()
            assert_matches_spec(response, method, template)
            return


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL nobody listens on: the port was bound, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def endpoints(zoomsim: LiveZoomsim) -> ZoomEndpoints:
    return ZoomEndpoints.at(zoomsim.base_url)


@pytest.fixture
def spec_checked_http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, event_hooks={"response": [check_against_spec]}) as http:
        yield http


@pytest.fixture
def tokens(zoomsim: LiveZoomsim) -> MintingTokenSource:
    return MintingTokenSource(zoomsim)


@pytest.fixture
def client(
    endpoints: ZoomEndpoints, tokens: MintingTokenSource, spec_checked_http: httpx.Client
) -> Iterator[ZoomClient]:
    """A client acting with a token of acme's admin for the Campus app."""
    with ZoomClient(endpoints, tokens, http=spec_checked_http) as zoom:
        yield zoom
