"""Reading whole numbers from paths, query strings and headers.

`str.isdigit()` is not the test: it is true for "²" (which `int()` refuses) and for "١٢" (which
`int()` reads as 12), and `int()` refuses strings of more than 4,300 digits. Either way a request
would end in a 500 instead of Zoom's error.
"""

from __future__ import annotations

# Zoom's meeting ids are int64: at most 19 digits. Nothing zoomsim reads is longer.
MAX_DIGITS = 19


def whole_number(raw: str) -> int | None:
    """`raw` as a non-negative integer if it is 1 to 19 ASCII digits, else None."""
    if not raw or len(raw) > MAX_DIGITS or not raw.isascii() or not raw.isdigit():
        return None
    return int(raw)
