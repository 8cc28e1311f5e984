"""Zoom's list paging: `page_size` (default 30, at most 300; the users list 2000) and an opaque
`next_page_token` that expires 15 minutes after it was issued (knob `page_token_ttl`).

A token remembers what it pages through (`listing`, e.g. the registrants of one meeting with one
status) and where the next page starts; used for another listing, after expiry, or made up, it
gets Zoom's 400/300 "The next page token is invalid or expired."
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from zoomsim.endpoint import ApiContext
from zoomsim.errors import ZoomErrorResponse, invalid_parameter
from zoomsim.state import State
from zoomsim.whole_numbers import whole_number

DEFAULT_PAGE_SIZE = 30
MAX_PAGE_SIZE = 300

T = TypeVar("T")


def invalid_page_token() -> ZoomErrorResponse:
    return ZoomErrorResponse(400, 300, "The next page token is invalid or expired.")


def page_size_from_query(raw: str, maximum: int = MAX_PAGE_SIZE) -> int:
    """Zoom answers a page_size over the list's maximum (300 for most, 2000 for users) with
    that many items rather than an error."""
    if raw == "":
        return DEFAULT_PAGE_SIZE
    size = whole_number(raw)
    if size is None or size < 1:
        raise invalid_parameter("page_size")
    return min(size, maximum)


@dataclass
class Page(Generic[T]):
    items: list[T]
    page_size: int
    total_records: int
    next_page_token: str

    def body(self, items_key: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
        """Zoom's list answer: the paging fields, and this page's `rows` under `items_key`."""
        return {
            "page_size": self.page_size,
            "total_records": self.total_records,
            "next_page_token": self.next_page_token,
            items_key: rows,
        }


def paginate(state: State, items: list[T], *, listing: str, page_size: int, token: str) -> Page[T]:
    """The page of `items` that `token` points at (the first page when it is empty)."""
    offset = 0
    if token:
        entry = state.page_tokens.get(token)
        if entry is None:
            raise invalid_page_token()
        expires_at, cursor = entry
        if expires_at <= state.now() or cursor.get("listing") != listing:
            raise invalid_page_token()
        offset = int(cursor["offset"])
    end = offset + page_size
    next_token = ""
    if end < len(items):
        _forget_expired(state)
        next_token = secrets.token_urlsafe(24)
        expires_at = state.now() + state.knobs.page_token_ttl
        state.page_tokens[next_token] = (expires_at, {"listing": listing, "offset": end})
    return Page(items[offset:end], page_size, len(items), next_token)


def requested_page(
    ctx: ApiContext, items: list[T], *, listing: str, max_page_size: int = MAX_PAGE_SIZE
) -> Page[T]:
    """The page of `items` the request's `page_size` and `next_page_token` ask for."""
    return paginate(
        ctx.state,
        items,
        listing=listing,
        page_size=page_size_from_query(ctx.query("page_size"), max_page_size),
        token=ctx.query("next_page_token"),
    )


def _forget_expired(state: State) -> None:
    now = state.now()
    for token in [key for key, (expires_at, _) in state.page_tokens.items() if expires_at <= now]:
        del state.page_tokens[token]
