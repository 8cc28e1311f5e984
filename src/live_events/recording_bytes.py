"""Reading a stored recording a range at a time, on any Django storage, for players that seek.

A `<video>` asks for `Range: bytes=N-` when the viewer jumps ahead. Django's FileResponse serves
whole files only, so the range is parsed here and read from the storage: a seek on a local file; a
ranged GET on S3 (django-storages' S3File would first copy the whole object).

How a Range header is read (RFC 9110 §14.1.1-§14.2):
- Positions may have any number of digits: a last position past the end is clipped to the end
  (`bytes=1-<23 digits>` is byte 1 to the end), a first position past the end is unsatisfiable
  (416), and a suffix longer than the file is the whole file as a range.
- Empty list elements are dropped, as §5.6.1 tells every recipient of a list to do, so
  `bytes=0-1,` is the range 0-1.
- A header that is not a valid byte range set (another unit, letters, a last before a first) is
  ignored and the whole file sent, which §14.2 allows; so is a set of more than one range, since a
  multipart answer buys a player nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.files.storage import Storage

CHUNK = 256 * 1024
# More significant digits than this name a position past the end of any file; such a number is
# not converted (Python refuses to turn thousands of digits into an int, and it would be waste).
_MAX_DIGITS = 19
BEYOND_ANY_FILE: int = 10**_MAX_DIGITS
# §5.6.1 asks a recipient to ignore "a reasonable number" of empty elements; past this the header
# is taken for garbage rather than scanned.
_MAX_ELEMENTS = 16


class Unsatisfiable(Exception):
    """416: the range starts at or after the end of the file."""


def _number(value: str) -> int | None:
    """A position (digits only, any length), or None when `value` is not one."""
    if not value or not (value.isascii() and value.isdigit()):
        return None
    significant = value.lstrip("0") or "0"
    if len(significant) > _MAX_DIGITS:
        return BEYOND_ANY_FILE
    return int(significant)


def requested_range(header: str, size: int) -> tuple[int, int] | None:
    """[start, stop) of the one range `header` asks for, or None for the whole file."""
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes":
        return None
    elements = spec.split(",")
    if len(elements) > _MAX_ELEMENTS:
        return None
    ranges = [element.strip() for element in elements if element.strip()]
    if len(ranges) != 1:
        return None
    first, dash, last = ranges[0].partition("-")
    first, last = first.strip(), last.strip()
    if not dash:
        return None
    start, end = _number(first), _number(last)
    if (first and start is None) or (last and end is None):
        return None
    if start is None:
        if end is None:
            return None
        if end == 0 or size == 0:
            raise Unsatisfiable
        return max(size - end, 0), size  # a suffix: the last `end` bytes
    if end is not None and end < start:
        return None
    if start >= size:
        raise Unsatisfiable
    return start, size if end is None else min(end + 1, size)


def _s3_client_and_key(storage: Storage, name: str) -> tuple[Any, str, str] | None:
    bucket = getattr(storage, "bucket", None)
    normalize = getattr(storage, "_normalize_name", None)
    if bucket is None or normalize is None:
        return None
    return bucket.meta.client, bucket.name, normalize(name)


def stored_bytes(storage: Storage, name: str, start: int, stop: int) -> Iterator[bytes]:
    """Bytes [start, stop) of the stored file `name`, in chunks, never the whole at once."""
    if stop <= start:
        return
    s3 = _s3_client_and_key(storage, name)
    if s3 is not None:
        client, bucket, key = s3
        answer = client.get_object(Bucket=bucket, Key=key, Range=f"bytes={start}-{stop - 1}")
        body = answer["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()
        return
    with storage.open(name, "rb") as stored:
        stored.seek(start)
        left = stop - start
        while left > 0:
            chunk = stored.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk
