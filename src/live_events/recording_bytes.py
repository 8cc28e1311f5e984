"""Reading a stored recording a range at a time, on any Django storage, for players that seek.

A `<video>` asks for `Range: bytes=N-` when the viewer jumps ahead. Django's FileResponse serves
whole files only, so the range is parsed here (one range; RFC 9110 lets a server ignore a
malformed or multi-range header and send the whole file) and read from the storage: a seek on a
local file; a ranged GET on S3 (django-storages' S3File would first copy the whole object)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.files.storage import Storage

CHUNK = 256 * 1024
_MAX_DIGITS = 19  # a larger number is no byte position of any file


class Unsatisfiable(Exception):
    """416: the range starts at or after the end of the file."""


def _number(value: str) -> int | None:
    value = value.strip()
    if not value or len(value) > _MAX_DIGITS or not (value.isascii() and value.isdigit()):
        return None
    return int(value)


def requested_range(header: str, size: int) -> tuple[int, int] | None:
    """[start, stop) of the one range `header` asks for, or None for the whole file."""
    unit, equals, spec = header.partition("=")
    if not equals or unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash:
        return None
    start, end = _number(first), _number(last)
    if (first.strip() and start is None) or (last.strip() and end is None):
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
