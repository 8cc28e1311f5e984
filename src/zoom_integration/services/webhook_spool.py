"""The webhook spool: verified deliveries kept in files while the database cannot take them.

Zoom wants its 2xx within 3 seconds. When the intake cannot write to the database in time (SQLite's
one write lock held by another process, PostgreSQL locked or down), the delivery's raw body is
written here and acknowledged; `zoom_webhook_spool_drain` stores it later. A delivery is
acknowledged only once its file is durable, so an acknowledged event survives a crash:

- the body goes to a temporary file first, is flushed and fsynced, then renamed to its final name
  (a rename within one directory is atomic: a reader sees the whole file or none), and the
  directory is fsynced so the rename itself survives a power cut;
- the final name is the SHA-256 of the body, the same key the database stores events under, so the
  same bytes delivered twice are one file, and a file stored twice is one row.

Files only; the database is the drain's business. Everything is private to its owner (0700 / 0600):
a body names Zoom accounts and people.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SPOOLED_SUFFIX = ".json"
_TEMPORARY_SUFFIX = ".tmp"
_DAMAGED_SUFFIX = ".damaged"
# A temporary file older than this was left by a process that died mid-write, before it answered
# Zoom: Zoom retries that delivery itself, so the file is rubbish.
ABANDONED_AFTER_SECONDS = 3600.0


@dataclass(frozen=True)
class SpooledDelivery:
    path: Path
    raw_body: bytes

    @property
    def body_sha256(self) -> str:
        return self.path.name.removesuffix(SPOOLED_SUFFIX)


def spool_write(*, directory: Path, raw_body: bytes) -> Path:
    """Write `raw_body` durably under its SHA-256 and return its path; OSError if it could not be
    (the caller must then not acknowledge the delivery)."""
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    body_sha256 = hashlib.sha256(raw_body).hexdigest()
    final = directory / f"{body_sha256}{SPOOLED_SUFFIX}"
    temporary = directory / f".{body_sha256}.{uuid.uuid4().hex}{_TEMPORARY_SUFFIX}"
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(raw_body)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, final)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    _fsync_directory(directory)
    return final


def spool_pending(*, directory: Path) -> Iterator[SpooledDelivery]:
    """The spooled deliveries, oldest first (about the order Zoom sent them)."""
    if not directory.is_dir():
        return
    paths = sorted(directory.glob(f"*{SPOOLED_SUFFIX}"), key=_modified_or_now)
    for path in paths:
        try:
            raw_body = path.read_bytes()
        except FileNotFoundError:  # another drain took it meanwhile
            continue
        yield SpooledDelivery(path=path, raw_body=raw_body)


def spool_remove(delivery: SpooledDelivery) -> None:
    with contextlib.suppress(FileNotFoundError):
        delivery.path.unlink()


def spool_quarantine(delivery: SpooledDelivery) -> None:
    """Set a file aside (`<name>.damaged`) where no drain takes it again."""
    with contextlib.suppress(FileNotFoundError):
        delivery.path.rename(delivery.path.with_name(delivery.path.name + _DAMAGED_SUFFIX))


def spool_remove_abandoned(*, directory: Path, now: float | None = None) -> int:
    """Remove temporary files of writes that never finished; how many."""
    if not directory.is_dir():
        return 0
    cutoff = (time.time() if now is None else now) - ABANDONED_AFTER_SECONDS
    removed = 0
    for path in directory.glob(f".*{_TEMPORARY_SUFFIX}"):
        if _modified_or_now(path) < cutoff:
            with contextlib.suppress(FileNotFoundError):
                path.unlink()
                removed += 1
    return removed


def _modified_or_now(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return time.time()


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
