"""Where Zoom lives and how long to wait for it: configuration, so zoomsim can stand in."""

from __future__ import annotations

import ssl
from dataclasses import dataclass, replace
from functools import cache

import httpx

# Connecting should be quick; Zoom's report endpoints can take a while to answer.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)


@cache
def shared_tls_context() -> ssl.SSLContext:
    """httpx's default verification (the certifi bundle), made once per process. Building it
    reads and parses the whole CA bundle, about 60 ms of CPU, and Campus makes a client per job:
    one context per client was the biggest CPU cost of an attendance fetch after the database
    (docs/benchmarks.md, figure 1). Threads and connections may share one SSLContext."""
    return httpx.create_ssl_context()


@dataclass(frozen=True)
class ZoomEndpoints:
    """zoom.us (OAuth) and api.zoom.us/v2 (REST). For zoomsim both are `http://127.0.0.1:PORT`
    (`api_base` with `/v2`)."""

    oauth_base: str = "https://zoom.us"
    api_base: str = "https://api.zoom.us/v2"

    def __post_init__(self) -> None:
        object.__setattr__(self, "oauth_base", self.oauth_base.rstrip("/"))
        object.__setattr__(self, "api_base", self.api_base.rstrip("/"))

    @classmethod
    def at(cls, base_url: str) -> ZoomEndpoints:
        """Both on one origin, as zoomsim serves them."""
        base = base_url.rstrip("/")
        return cls(oauth_base=base, api_base=base + "/v2")

    def with_api_url(self, api_url: str | None) -> ZoomEndpoints:
        """Use the `api_url` of a token response (e.g. `https://api-eu.zoom.us`): Zoom names the
        regional API host an account's data lives on, and calls should go there."""
        if not api_url:
            return self
        return replace(self, api_base=api_url.rstrip("/") + "/v2")
