"""DATABASE_URL parsing."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from campus.database_url import database_from_url


def test_postgres_url_gives_every_part() -> None:
    database = database_from_url("postgres://campus:s%40cret%2F1@db.internal:6543/campus_prod")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["NAME"], database["USER"], database["PASSWORD"]) == (
        "campus_prod",
        "campus",
        "s@cret/1",
    )
    assert (database["HOST"], database["PORT"]) == ("db.internal", "6543")
    assert database["OPTIONS"] == {}


def test_postgres_url_of_the_test_services() -> None:
    database = database_from_url("postgres://postgres@127.0.0.1:5432/test")

    assert (database["USER"], database["PASSWORD"], database["HOST"], database["PORT"]) == (
        "postgres",
        "",
        "127.0.0.1",
        "5432",
    )
    assert database["NAME"] == "test"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "pgsql"])
def test_postgres_scheme_spellings_and_query_options(scheme: str) -> None:
    database = database_from_url(f"{scheme}://u:p@host/name?sslmode=require&connect_timeout=5")

    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert database["PORT"] == ""
    assert database["OPTIONS"] == {"sslmode": "require", "connect_timeout": "5"}


def test_postgres_unix_socket_directory_and_ipv6_hosts() -> None:
    socket_db = database_from_url("postgres://u@%2Fvar%2Frun%2FPostgreSQL/name")
    ipv6_db = database_from_url("postgres://u:p@[::1]:5433/name")

    assert socket_db["HOST"] == "/var/run/PostgreSQL"
    assert (ipv6_db["HOST"], ipv6_db["PORT"]) == ("::1", "5433")


def test_sqlite_url_gives_the_file() -> None:
    database = database_from_url("sqlite:////srv/campus/db.sqlite3")

    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"] == Path("/srv/campus/db.sqlite3")
    assert database["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


@pytest.mark.parametrize(
    "url",
    ["mysql://u:p@host/name", "postgres://u:p@host", "postgres://u:p@host/", "sqlite://"],
)
def test_unsupported_or_incomplete_urls_are_refused(url: str) -> None:
    with pytest.raises(ImproperlyConfigured):
        database_from_url(url)


def test_sqlite_relative_path() -> None:
    assert database_from_url("sqlite:///var/other.sqlite3")["NAME"] == Path("var/other.sqlite3")
