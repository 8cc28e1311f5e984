"""Sending one request to api.zoom.us: bearer token, the single refresh-and-retry after a 401,
timeouts, errors turned into the ZoomError tree, rate-limit headers kept, one log line per call,
and the `next_page_token` loop. Endpoint methods (zoomclient.client) only describe their call.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import timedelta
from typing import Any

import httpx

from zoomclient.catalog import Endpoint
from zoomclient.config import DEFAULT_TIMEOUT, ZoomEndpoints, shared_tls_context
from zoomclient.errors import (
    ZoomPaced,
    ZoomRateLimited,
    api_error_from_response,
    transport_error,
    unexpected_body_error,
)
from zoomclient.json_fields import JsonObject, objects
from zoomclient.oauth import Clock, utc_now
from zoomclient.pacing import NoPacer, Pacer
from zoomclient.ratelimits import (
    RATE_LIMIT_CATEGORIES,
    RateLimitCategory,
    RateLimitInfo,
    rate_limit_info,
)
from zoomclient.tokens import TokenSource

log = logging.getLogger("zoomclient")

QueryParams = Mapping[str, str | int | bool]


class ZoomTransport:
    def __init__(
        self,
        endpoints: ZoomEndpoints,
        token_source: TokenSource,
        *,
        timeout: httpx.Timeout = DEFAULT_TIMEOUT,
        http: httpx.Client | None = None,
        clock: Clock = utc_now,
        pacer: Pacer | None = None,
        pacing_account: str = "",
        max_pacing_wait: float = 0.25,
    ) -> None:
        self.endpoints = endpoints
        self.pacer: Pacer = pacer or NoPacer()
        self.pacing_account = pacing_account
        self.max_pacing_wait = max_pacing_wait
        self.token_source = token_source
        self.clock = clock
        self.http = http or httpx.Client(timeout=timeout, verify=shared_tls_context())
        self._owns_http = http is None
        # The rate-limit headers of the latest answer (success or error), for a pacer to read.
        self.last_rate_limit = RateLimitInfo()

    def close(self) -> None:
        if self._owns_http:
            self.http.close()

    # --- one call ----------------------------------------------------------------------------

    def call(
        self,
        endpoint: Endpoint,
        *,
        path: Mapping[str, str] | None = None,
        params: QueryParams | None = None,
        json: Any = None,
    ) -> httpx.Response:
        """Call `endpoint` with already-encoded `path` values; return the 2xx response."""
        url = self.endpoints.api_base + endpoint.path.format(**(path or {}))
        query = {name: _query_value(value) for name, value in (params or {}).items()}

        def build(token: str) -> httpx.Request:
            return self.http.build_request(
                endpoint.method,
                url,
                params=query,
                json=json,
                headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            )

        return self.send(build, log_as=endpoint.path, category=endpoint.category)

    def json_object(self, response: httpx.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise unexpected_body_error(response)
        return body

    def pages(
        self,
        endpoint: Endpoint,
        *,
        items_key: str,
        page_size: int,
        path: Mapping[str, str] | None = None,
        params: QueryParams | None = None,
    ) -> Iterator[JsonObject]:
        """Every item of every page. Zoom's `next_page_token` expires after 15 minutes, so
        consume the iterator promptly rather than pausing between pages."""
        next_page_token = ""
        while True:
            query: dict[str, str | int | bool] = {**(params or {}), "page_size": page_size}
            if next_page_token:
                query["next_page_token"] = next_page_token
            body = self.json_object(self.call(endpoint, path=path, params=query))
            yield from objects(body, items_key)
            next_page_token = str(body.get("next_page_token") or "")
            if not next_page_token:
                return

    # --- the request cycle, shared with downloads ---------------------------------------------

    def send(
        self,
        build: Callable[[str], httpx.Request],
        *,
        log_as: str,
        stream: bool = False,
        follow_redirects: bool = False,
        token: str | None = None,
        category: RateLimitCategory | None = None,
    ) -> httpx.Response:
        """Send the request `build(token)` makes. After a 401 the token source gives a newer
        token and the request is sent once more, never more. With an explicit `token` (e.g. a
        recording's download_access_token) there is nothing to refresh, so no retry.

        With a `category` (API calls; downloads have none) each send first takes a slot from
        the pacer, and the answer's rate-limit headers go back to it."""
        retry_allowed = token is None
        current = token if token is not None else self.token_source.access_token()
        self._pace(category)
        response = self._send_once(build(current), log_as, stream, follow_redirects)
        if response.status_code == 401 and retry_allowed:
            response.close()
            current = self.token_source.refreshed_after_unauthorized(current)
            self._pace(category)
            response = self._send_once(build(current), log_as, stream, follow_redirects)
        error = None
        if response.is_error:
            if stream:
                response.read()
                response.close()
            error = api_error_from_response(response, self.clock())
        if category is not None:
            self._observe(category, error)
        if error is not None:
            raise error
        return response

    def _pace(self, category: RateLimitCategory | None) -> None:
        """Wait for the pacer's slot when it frees within `max_pacing_wait` (a per-second window
        frees within a second: sleeping a few hundred ms keeps the budget used, where a trip
        through the work queue would leave it idle); otherwise raise ZoomPaced so the work
        moves to the time the slot frees and this worker goes on with other work."""
        if category is None:
            return
        waited = 0.0
        while (wait := self.pacer.reserve(self.pacing_account, category)) > 0:
            if waited + wait > self.max_pacing_wait:
                raise ZoomPaced(category, retry_at=self.clock() + timedelta(seconds=wait))
            time.sleep(wait)
            waited += wait

    def _observe(self, category: RateLimitCategory, error: Exception | None) -> None:
        blocked_for = None
        if isinstance(error, ZoomRateLimited) and error.limit_type == "QPS":
            blocked_for = max((error.retry_at - self.clock()).total_seconds(), 0.0)
        # Zoom's own label wins where it names the category: that is what it counted.
        counted_as = self.last_rate_limit.category
        if counted_as in RATE_LIMIT_CATEGORIES:
            category = counted_as
        self.pacer.observe(
            self.pacing_account, category, self.last_rate_limit, blocked_for=blocked_for
        )

    def _send_once(
        self, request: httpx.Request, log_as: str, stream: bool, follow_redirects: bool
    ) -> httpx.Response:
        started = time.monotonic()
        try:
            response = self.http.send(request, stream=stream, follow_redirects=follow_redirects)
        except httpx.TransportError as exc:
            log.warning(
                "zoomclient.request",
                extra={
                    "method": request.method,
                    "path_template": log_as,
                    "status": None,
                    "error": type(exc).__name__,
                    "duration_ms": _ms_since(started),
                },
            )
            raise transport_error(exc) from exc
        self.last_rate_limit = rate_limit_info(response.headers)
        log.info(
            "zoomclient.request",
            extra={
                "method": request.method,
                "path_template": log_as,
                "status": response.status_code,
                "duration_ms": _ms_since(started),
                "rate_limit_category": self.last_rate_limit.category,
                "rate_limit_remaining": self.last_rate_limit.remaining,
            },
        )
        return response


def _query_value(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"  # Zoom's booleans in queries are lowercase
    return str(value)


def _ms_since(started: float) -> float:
    return round((time.monotonic() - started) * 1000, 1)
