"""Where Zoom lives and how long to wait for it: configuration, so zoomsim can stand in."""

from __future__ import annotations

from dataclasses import dataclass, replace

import httpx

# Connecting should be quick; Zoom's report endpoints can take a while to answer.
DEFAULT_TIMEOUT = httpx.Timeout(connect=5.0, read=30.0, write=30.0, pool=5.0)


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
