"""DATABASE_URL → a Django DATABASES entry.

A dozen lines do what dj-database-url would, for the two engines Campus runs on:
`postgres://user:password@host:port/name?sslmode=require`, and as dj-database-url spells files,
`sqlite:////absolute/path.sqlite3` or `sqlite:///relative/path.sqlite3`.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "pgsql"})


def database_from_url(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    if parts.scheme in POSTGRES_SCHEMES:
        name = unquote(parts.path.removeprefix("/"))
        if not name:
            raise ImproperlyConfigured("DATABASE_URL names no database (postgres://host/NAME)")
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            # `hostname` is lower-cased by urlsplit; a percent-encoded socket directory is not a
            # host name, so it is decoded as written.
            "HOST": unquote(_raw_host(parts.netloc)),
            "PORT": str(parts.port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
            "CONN_HEALTH_CHECKS": True,
        }
    if parts.scheme == "sqlite":
        path = unquote(parts.path.removeprefix("/"))
        if not path:
            raise ImproperlyConfigured("DATABASE_URL names no SQLite file (sqlite:////path)")
        return sqlite_database(Path(path))
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parts.scheme!r} is not supported (use postgres:// or sqlite:////)"
    )


def sqlite_database(path: Path) -> dict[str, Any]:
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": path,
        "OPTIONS": {
            # The web server and the worker write to one file: WAL lets readers run beside a
            # writer, IMMEDIATE takes the write lock at BEGIN so no transaction fails half-way
            # on an upgrade from read to write, and the timeout waits out the other writer.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        # Tests get a file of their own too, not Django's in-memory default: an in-memory database
        # shared between threads (the live server's and the test's) locks whole tables and fails
        # at once ("database table is locked") where the file the platform runs on, with WAL and
        # the timeout above, lets a reader run beside a writer. Tests meet the same locking as
        # `make run`. One file per test process, so two runs side by side do not collide.
        "TEST": {"NAME": Path(tempfile.gettempdir()) / f"campus-test-{os.getpid()}.sqlite3"},
    }


def _raw_host(netloc: str) -> str:
    host_and_port = netloc.rpartition("@")[2]
    if host_and_port.startswith("["):  # IPv6 literal: [::1]:5432
        return host_and_port[1 : host_and_port.index("]")]
    return host_and_port.partition(":")[0]
