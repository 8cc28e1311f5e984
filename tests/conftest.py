"""Test-wide guards: nothing leaves this machine's loopback.

Every connection the test process opens must go to a loopback address (or a Unix socket), and
only local names may be looked up: a test that would reach the internet fails at once with a
clear error instead of sending a packet. Subprocesses the tests start (zoomsim, Celery workers,
Chromium) are given loopback addresses only.
"""

from __future__ import annotations

import ipaddress
import socket

import pytest

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex
_real_getaddrinfo = socket.getaddrinfo
_LOCAL_NAMES = {"localhost", "localhost.localdomain", socket.gethostname()}


def _is_local(address: object) -> bool:
    if isinstance(address, (str, bytes)):  # a Unix socket path
        return True
    if isinstance(address, tuple) and address:
        host = address[0]
        if host in ("localhost",):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False
    return False


def _guarded_connect(self: socket.socket, address: object) -> None:
    if not _is_local(address):
        raise OSError(f"tests may not reach outside the machine: {address!r}")
    _real_connect(self, address)  # type: ignore[arg-type]


def _guarded_connect_ex(self: socket.socket, address: object) -> int:
    if not _is_local(address):
        raise OSError(f"tests may not reach outside the machine: {address!r}")
    return _real_connect_ex(self, address)  # type: ignore[arg-type]


def _guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
    # A name lookup may itself send a DNS query out: only local names and literal addresses.
    name = host.decode() if isinstance(host, bytes) else host
    if name is not None and name not in _LOCAL_NAMES and not _is_literal_address(name):
        raise OSError(f"tests may not look up names outside the machine: {name!r}")
    return _real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]


def _is_literal_address(name: object) -> bool:
    try:
        ipaddress.ip_address(str(name))
    except ValueError:
        return False
    return True


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]
socket.getaddrinfo = _guarded_getaddrinfo  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    # Campus's Django fixtures (organizations, people in each role) for every test directory.
    config.pluginmanager.import_plugin("tests.django_conftest")
