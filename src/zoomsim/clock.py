"""An injectable clock: real time plus an offset that the control API can move, or frozen.

Tests move it forward to reach token expiry, the daily rate-limit reset or webhook retry times in
seconds instead of hours.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime


class Clock:
    def __init__(self, offset: float = 0.0, frozen_at: float | None = None) -> None:
        self.offset = offset
        self.frozen_at = frozen_at

    def timestamp(self) -> float:
        if self.frozen_at is not None:
            return self.frozen_at
        return time.time() + self.offset

    def now(self) -> datetime:
        return datetime.fromtimestamp(self.timestamp(), tz=UTC)

    def advance(self, seconds: float) -> None:
        if self.frozen_at is not None:
            self.frozen_at += seconds
        else:
            self.offset += seconds

    def freeze(self) -> None:
        self.frozen_at = self.timestamp()

    def unfreeze(self) -> None:
        if self.frozen_at is not None:
            self.offset = self.frozen_at - time.time()
            self.frozen_at = None

    def snapshot(self) -> dict[str, object]:
        return {"offset": self.offset, "frozen_at": self.frozen_at}


def iso(ts: float) -> str:
    """Zoom's UTC format: `2026-11-27T06:00:00Z` (seconds, always `Z`)."""
    return datetime.fromtimestamp(ts, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
