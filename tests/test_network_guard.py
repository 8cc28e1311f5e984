"""The guard in tests/conftest.py: nothing the tests do may leave the machine."""

from __future__ import annotations

import socket

import httpx
import pytest


def test_a_connection_to_an_outside_address_is_refused_before_any_packet() -> None:
    # 192.0.2.1 is TEST-NET-1 (RFC 5737); the guard raises before the real connect is called.
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(OSError, match="outside the machine"),
    ):
        sock.connect(("192.0.2.1", 443))


def test_looking_up_an_outside_name_is_refused() -> None:
    with pytest.raises(OSError, match="look up names outside"):
        socket.getaddrinfo("zoom.us", 443)


def test_an_http_client_cannot_reach_zoom() -> None:
    with pytest.raises(httpx.ConnectError):
        httpx.get("https://api.zoom.us/v2/users/me", timeout=2)


def test_loopback_stays_open() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
    assert socket.getaddrinfo("localhost", 80)
