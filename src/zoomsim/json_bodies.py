"""JSON request bodies as Zoom reads them, without Python's extensions that would crash us later.

Python's decoder takes `NaN` and `Infinity` (not JSON), turns `1e999` into infinity, and gives up on
deep nesting with a RecursionError. Any of them reaching a handler ends in a 500 (a clock or an
expiry at infinity cannot be formatted as a time), so here they are all invalid JSON.
"""

from __future__ import annotations

import json
import math
from typing import Any


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise ValueError(f"number out of range: {literal[:40]}")
    return value


def _not_json(literal: str) -> Any:
    raise ValueError(f"not JSON: {literal}")


def parse_json(raw: bytes) -> Any:
    """The JSON value of `raw`; ValueError when it is not valid, finite, reasonably nested JSON."""
    try:
        return json.loads(raw, parse_float=_finite, parse_constant=_not_json)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc


def finite_number(value: object) -> float | None:
    """A JSON number as a finite float (integers too large for a float are not), else None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        converted = float(value)
    except OverflowError:
        return None
    return converted if math.isfinite(converted) else None
