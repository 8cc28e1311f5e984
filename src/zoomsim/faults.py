"""Faults the control API can inject: failing the next N matching calls, a random failure rate,
a random timeout rate, added latency with jitter, and dropped connections (before handling the
call, or after it: the answer lost on the way).

They apply to what stands in for Zoom (`/oauth/...`, `/v2/...`, downloads), not to the control API
(`/_sim/...`) nor to the pages for running meetings by hand (`/sim/...`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zoomsim.model import FaultRule
from zoomsim.sim import Simulator

_EXEMPT_PREFIXES = ("/_sim/", "/sim/")


class DroppedOnPurpose(ConnectionAbortedError):
    """Raised after a half-sent response so the server closes the connection."""


class _QuietDrops(logging.Filter):
    """Keep the tracebacks of connections dropped on purpose out of the logs: they are expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, DroppedOnPurpose)


for _logger in ("uvicorn.error", "zoomsim"):
    logging.getLogger(_logger).addFilter(_QuietDrops())


class FaultMiddleware:
    def __init__(self, app: ASGIApp, sim: Simulator) -> None:
        self.app = app
        self.sim = sim

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or path.startswith(_EXEMPT_PREFIXES):
            await self.app(scope, receive, send)
            return
        knobs = self.sim.state.knobs
        if knobs.latency_ms or knobs.jitter_ms:
            delay = knobs.latency_ms + random.uniform(-knobs.jitter_ms, knobs.jitter_ms)
            await asyncio.sleep(max(delay, 0.0) / 1000)
        rule = self._matching_rule(scope["method"], path)
        if rule is not None and rule.drop_after_handling:
            await self._handle_then_drop(scope, receive, send)
            return
        if rule is not None:
            await self._fail(rule, send)
            return
        if knobs.failure_rate and random.random() < knobs.failure_rate:
            await self._fail(FaultRule(id="random", path_pattern=".*"), send)
            return
        if knobs.timeout_rate and random.random() < knobs.timeout_rate:
            await self._time_out(knobs.timeout_seconds, send)
            return
        await self.app(scope, receive, send)

    def _matching_rule(self, method: str, path: str) -> FaultRule | None:
        faults = self.sim.state.faults
        for rule in list(faults.values()):
            if rule.method not in ("*", method) or not re.search(rule.path_pattern, path):
                continue
            if rule.remaining > 0:  # -1 fails every matching call until the rule is removed
                rule.remaining -= 1
                if rule.remaining == 0:
                    faults.pop(rule.id, None)
            self.sim.changed()
            return rule
        return None

    async def _handle_then_drop(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Zoom acts on the call (a meeting is made) but the answer never arrives: the response
        lost on the way that clients must survive without doing the work twice."""

        async def swallow(message: Message) -> None:
            return None

        await self.app(scope, receive, swallow)
        await self._fail(FaultRule(id="drop", path_pattern=".*", drop_connection=True), send)

    @classmethod
    async def _time_out(cls, seconds: float, send: Send) -> None:
        """No answer for `seconds` (a client with a shorter read timeout gives up first), then a
        504 to whoever still waits. The call is never handled: a timed-out call did nothing."""
        await asyncio.sleep(seconds)
        await cls._fail(
            FaultRule(id="timeout", path_pattern=".*", status=504, message="Simulated timeout."),
            send,
        )

    @staticmethod
    async def _fail(rule: FaultRule, send: Send) -> None:
        if rule.drop_connection:
            # Start a response that promises a body and never send it: the server closes the
            # connection and the client sees it dropped mid-response, as on a network fault.
            start: Message = {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-length", b"1000")],
            }
            await send(start)
            raise DroppedOnPurpose("zoomsim: connection dropped on purpose")
        body = json.dumps({"code": rule.code or rule.status, "message": rule.message}).encode()
        headers = [
            (b"content-type", b"application/json;charset=UTF-8"),
            (b"content-length", str(len(body)).encode()),
        ]
        if rule.retry_after:
            headers.append((b"retry-after", rule.retry_after.encode()))
        await send({"type": "http.response.start", "status": rule.status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
