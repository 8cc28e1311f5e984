from __future__ import annotations

import random
from datetime import timedelta


def backoff_delay(
    *, attempt: int, base: timedelta, cap: timedelta, rng: random.Random | None = None
) -> timedelta:
    """Exponential delay before attempt `attempt + 1`, capped, with jitter.

    The jitter keeps the half-to-full range of the exponential step so that work failing together
    (a Zoom outage) does not come back together, while each retry still waits longer than the last.
    """
    # 2**32 steps is past any cap already; the bound keeps timedelta from overflowing.
    doublings = min(max(attempt - 1, 0), 32)
    step = min(base * (1 << doublings), cap)
    draw = rng.random() if rng is not None else random.random()
    return step / 2 + step / 2 * draw
