"""Kombu's filesystem transport, made safe for several processes sending at once.

The embedded default's Celery broker is a folder of message files (kombu.transport.filesystem).
Kombu's sender creates the file under its final name in the queue folder, and only then locks and
writes it; a worker listing the folder in between moves and parses an empty file, and its
JSONDecodeError kills the worker ("Unrecoverable error"). The lock does not help: the reader never
takes it.

Here a sender writes its message under a temporary name that no reader looks at and renames it into
place, so a message file appears whole or not at all (rename is atomic within a folder on POSIX).
The reader reads a file before it claims it, and leaves one it cannot parse (a sender of kombu's
own, still writing) for the next poll; a file that stays unparsable for a minute is set aside with
an error in the log rather than blocking the queue or the worker. Claiming is a single unlink or
rename, which only one reader can win, so a message is delivered once however many workers read.

The exchange table in the control folder, read on every publish, is likewise replaced whole.

Selected in campus.settings with CELERY_BROKER_TRANSPORT; the URL stays `filesystem://`.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from queue import Empty
from typing import Any, cast

from kombu.exceptions import ChannelError
from kombu.transport import filesystem, virtual
from kombu.utils import json as kombu_json

logger = logging.getLogger(__name__)

# Kombu's JSON (it knows datetimes, UUIDs and the like), typed: kombu leaves it untyped.
_dumps = cast(Callable[[Any], str], kombu_json.dumps)
_loads = cast(Callable[[str], Any], kombu_json.loads)

# A message's file name: `<ms>_<uuid>.<queue>.msg`, as kombu's own sender names it, so the two can
# share a folder. The temporary name ends in `.part`, which no queue's filter matches.
MESSAGE_SUFFIX = ".msg"
PARTIAL_SUFFIX = ".part"
# Past this age an unparsable message file is no sender's work in progress: it is set aside.
UNPARSABLE_GRACE_SECONDS = 60.0
UNPARSABLE_FOLDER = "unparsable"


class Channel(filesystem.Channel):
    """Writes each message whole (temporary name, then rename); reads before it claims."""

    # Kombu's two base classes name the second argument differently (message, payload).
    def _put(self, queue: str, message: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(time.monotonic() * 1000)}_{uuid.uuid4()}.{queue}{MESSAGE_SUFFIX}"
        final = os.path.join(self.data_folder_out, name)
        partial = final + PARTIAL_SUFFIX
        try:
            with open(partial, "wb") as file:
                file.write(_dumps(message).encode())
            # No fsync: a message only rings the bell for a database row, and the sweeper rings
            # again for one lost in a crash (docs/work.md).
            os.replace(partial, final)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(partial)
            raise ChannelError(f"Cannot add file {final!r} to directory") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        wanted = f"{queue}{MESSAGE_SUFFIX}"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.partition(".")[2] != wanted:
                continue
            path = os.path.join(self.data_folder_in, name)
            try:
                with open(path, "rb") as file:
                    raw = file.read()
            except FileNotFoundError:
                continue  # another reader claimed it after the listing
            except OSError as exc:
                raise ChannelError(f"Cannot read file {path!r} from queue.") from exc
            try:
                payload = _loads(raw.decode())
            except (json.JSONDecodeError, UnicodeDecodeError):
                self._set_aside_if_stale(path, name)
                continue
            if self._claim(path, name):
                return payload
        raise Empty()

    def _claim(self, path: str, name: str) -> bool:
        """Takes the file out of the queue; False when another reader took it first."""
        try:
            if self.store_processed:
                os.replace(path, os.path.join(self.processed_folder, name))
            else:
                os.unlink(path)
        except FileNotFoundError:
            return False
        return True

    def _set_aside_if_stale(self, path: str, name: str) -> None:
        """Leaves a file still being written for the next poll; moves away one that stays broken."""
        try:
            age = time.time() - os.stat(path).st_mtime
        except FileNotFoundError:
            return
        if age < UNPARSABLE_GRACE_SECONDS:
            return
        aside = os.path.join(self.data_folder_in, os.pardir, UNPARSABLE_FOLDER)
        try:
            os.makedirs(aside, mode=0o700, exist_ok=True)
            os.replace(path, os.path.join(aside, name))
        except FileNotFoundError:
            return
        logger.error(
            "celery.filesystem_broker.unparsable_message",
            extra={"message_file": name, "age_seconds": round(age)},
        )

    # The exchange table (which queues an exchange routes to) is read on every publish and written
    # when a process first declares its queue. Kombu's writer creates the file empty and then locks
    # it, so a publisher could read an empty table file; here it too is replaced whole, under a lock
    # of its own so two declaring processes cannot lose each other's binding.

    def get_table(self, exchange: str) -> list[filesystem.exchange_queue_t]:
        try:
            raw = self._table_file(exchange).read_bytes()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise ChannelError(f"Cannot open the table of exchange {exchange!r}") from exc
        return [filesystem.exchange_queue_t(*row) for row in _loads(raw.decode())]

    def _queue_bind(
        self, exchange: str, routing_key: str, pattern: str, queue: str, *args: Any
    ) -> None:
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            table = self.get_table(exchange)
            if binding not in table:
                self._write_table(exchange, [binding, *table])

    def _delete(
        self, queue: str, exchange: str, routing_key: str, pattern: str, *args: Any, **kwargs: Any
    ) -> None:
        # Kombu's filesystem _delete rewrites the table in place; only the virtual base's is kept.
        virtual.Channel._delete(self, queue, exchange, routing_key, pattern, *args, **kwargs)  # type: ignore[no-untyped-call]
        binding = filesystem.exchange_queue_t(routing_key or "", pattern or "", queue or "")
        with self._table_lock(exchange):
            table = self.get_table(exchange)
            if binding in table:
                self._write_table(exchange, [row for row in table if row != binding])

    def _table_file(self, exchange: str) -> Path:
        """The exchange's table file, its name checked by kombu (no path tricks)."""
        return cast(Path, self._exchange_file(exchange))  # type: ignore[no-untyped-call]

    @contextmanager
    def _table_lock(self, exchange: str) -> Iterator[None]:
        self.control_folder.mkdir(exist_ok=True)
        path = self._table_file(exchange).with_suffix(".lock")
        with open(path, "ab") as lock_file:
            fcntl.flock(lock_file.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock_file.fileno(), fcntl.LOCK_UN)

    def _write_table(self, exchange: str, table: list[filesystem.exchange_queue_t]) -> None:
        path = self._table_file(exchange)
        partial = path.with_name(f"{path.name}.{uuid.uuid4().hex}{PARTIAL_SUFFIX}")
        try:
            partial.write_bytes(_dumps(table).encode())
            os.replace(partial, path)
        except OSError as exc:
            partial.unlink(missing_ok=True)
            raise ChannelError(f"Cannot write the table of exchange {exchange!r}") from exc


class Transport(filesystem.Transport):
    """Kombu's filesystem transport with the Channel above."""

    Channel = Channel
