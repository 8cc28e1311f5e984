from __future__ import annotations

import random
from datetime import timedelta

from work.backoff import backoff_delay

BASE = timedelta(seconds=30)
CAP = timedelta(hours=1)


def test_each_retry_waits_half_to_all_of_a_doubling_step() -> None:
    rng = random.Random(7)
    for attempt in range(1, 8):
        step = BASE * 2 ** (attempt - 1)
        delays = [backoff_delay(attempt=attempt, base=BASE, cap=CAP, rng=rng) for _ in range(50)]
        assert all(step / 2 <= delay <= step for delay in delays)
        assert len(set(delays)) > 1  # jittered, so failures together do not return together


def test_the_step_is_capped_even_after_very_many_attempts() -> None:
    rng = random.Random(7)
    for attempt in (8, 20, 1000):
        assert CAP / 2 <= backoff_delay(attempt=attempt, base=BASE, cap=CAP, rng=rng) <= CAP
