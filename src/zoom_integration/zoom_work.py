"""Registering background work that calls Zoom.

Such work runs outside any transaction (`atomic=False`, docs/work.md: a rollback cannot take a Zoom
call back). And it pauses rather than fails when the Zoom connection's credentials are dead: the
token source raises ZoomAccountUnusable (on the refresh Zoom refused, and on every call after it),
which becomes PauseWork for the account's pause group. The job then waits, with the rest of the
account's work, until an Org Admin re-authenticates and `work_resume` makes it due again; retried
with backoff instead, it would use up its attempts and fail while nobody could help it.

A 429 from Zoom (ZoomRateLimited) becomes RetryLater at the time Zoom names: the work waits for the
budget to come back without sleeping in a worker and without counting as a failed attempt. So does
ZoomPaced, the pacer's "no slot before then" (docs/pacing.md), which is a ZoomRateLimited.

    @zoom_work_handler("zoom.meeting.create")
    def meeting_create(item: WorkItem) -> None:
        ...
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from work.handlers import Handler, PauseWork, RetryLater, register_handler
from work.models import WorkItem
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoomclient import ZoomRateLimited

PAUSED_REASON = "The Zoom connection needs re-authentication by an Org Admin."


def zoom_work_handler(kind: str) -> Callable[[Handler], Handler]:
    """Register the decorated function as the (non-atomic) handler of `kind` Zoom work."""

    def register(handler: Handler) -> Handler:
        @wraps(handler)
        def run(item: WorkItem) -> None:
            try:
                handler(item)
            except ZoomAccountUnusable as unusable:
                raise PauseWork(unusable.pause_group, PAUSED_REASON) from unusable
            except ZoomRateLimited as limited:
                reason = _rate_limit_reason(limited)
                raise RetryLater(limited.retry_at, reason) from limited

        register_handler(kind, atomic=False)(run)
        return handler

    return register


def _rate_limit_reason(limited: ZoomRateLimited) -> str:
    if limited.limit_type == "paced":
        return "Zoom rate limit: this account's budget is used up for now; retrying when it frees."
    return f"Zoom rate limit ({limited.limit_type}); retrying when it resets."
