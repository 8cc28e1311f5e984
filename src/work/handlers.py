"""The registry of work handlers, and the two ways a handler says "not now".

A handler is a function of the WorkItem. It re-reads whatever state it needs from the ids in the
payload and makes external effects idempotent (a marker a retry can find), because a handler may
run more than once.

Two kinds of handler:
- atomic (the default): its database writes commit together with the row turning done, so a
  worker killed half-way leaves neither. For work that only touches the database.
- not atomic (`atomic=False`): for work that talks to another service (Zoom). A call to Zoom must
  never sit inside a database transaction: a rollback cannot take the call back (Zoom rotates
  refresh tokens: a rolled-back refresh loses the only valid token), and on SQLite the
  transaction would hold the database's single write lock for the whole network round trip. Such a
  handler commits its own writes in short transactions of its own, and the claim's lease keeps a
  second worker away while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from work.models import WorkItem

Handler = Callable[["WorkItem"], None]


@dataclass(frozen=True)
class RegisteredHandler:
    run: Handler
    atomic: bool


_handlers: dict[str, RegisteredHandler] = {}


class RetryLater(Exception):
    """Run again at `at`; not a failure (e.g. Zoom's 429 names the time its budget returns)."""

    def __init__(self, at: datetime, reason: str = "") -> None:
        super().__init__(reason or f"retry at {at.isoformat()}")
        self.at = at
        self.reason = reason


class PauseWork(Exception):
    """Stop all work of `group` until someone resumes it (e.g. the Zoom credentials are dead)."""

    def __init__(self, group: str, reason: str) -> None:
        super().__init__(reason)
        self.group = group
        self.reason = reason


class UnknownWorkKind(LookupError):
    pass


def register_handler(kind: str, *, atomic: bool = True) -> Callable[[Handler], Handler]:
    """Register the decorated function as the handler of `kind` work (see the module docstring
    for `atomic`)."""

    def register(handler: Handler) -> Handler:
        existing = _handlers.get(kind)
        # The same function imported again (a reload) is fine; two different handlers are a bug.
        if existing is not None and _identity(existing.run) != _identity(handler):
            raise ValueError(f"work kind {kind!r} already has a handler: {existing.run!r}")
        _handlers[kind] = RegisteredHandler(run=handler, atomic=atomic)
        return handler

    return register


def _identity(handler: Handler) -> tuple[str, str]:
    return (handler.__module__, handler.__qualname__)


def handler_for(kind: str) -> RegisteredHandler:
    try:
        return _handlers[kind]
    except KeyError:
        raise UnknownWorkKind(f"no handler registered for work kind {kind!r}") from None
