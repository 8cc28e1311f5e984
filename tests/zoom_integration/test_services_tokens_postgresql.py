"""One refresh at a time, proven on PostgreSQL with real concurrency: threads with their own
database connections race to refresh the same Zoom connection against the live zoomsim, whose
refresh tokens rotate exactly like Zoom's (a second use of one answers invalid_grant).

Why these tests do not run on SQLite: there the row lock cannot be shown, because there is no row
lock. Django drops `FOR UPDATE` on SQLite (it has no such clause), and SQLite has one writer for
the whole database: each renewal opens its transaction with BEGIN IMMEDIATE (Campus's
`transaction_mode`), so a second worker waits at its BEGIN, before it has read the row at all,
for the first to commit. The race the lock exists for never happens, and the SQLite suite stays
green with `select_for_update()` removed from the renewal. On PostgreSQL, rows are locked one by
one and transactions run side by side: without the lock two of these workers spend the same
refresh token (checked by removing it: the first and last tests here fail)."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import pytest
from django.core import mail
from django.db import connection, connections, transaction

from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_account_scenes import (
    Connect,
    access_token_expiring,
    connect_acme_server_to_server,
    status_at_zoom,
    zoom_revokes_the_tokens,
)
from tests.zoomsim.oauth_flow import refresh
from zoom_integration.models import AuditEntry, ZoomAccount, ZoomAccountStatus
from zoom_integration.services.tokens import ZoomAccountTokenSource, ZoomAccountUnusable

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
        reason="needs DATABASE_URL=postgres://... (row locks are real there)",
    ),
]

WORKERS = 6


def race(attempt: Callable[[int], str]) -> list[str | BaseException]:
    """Run `attempt(index)` in WORKERS threads released at the same moment, each on a database
    connection of its own (Django's are per thread); what each returned or raised."""
    start = threading.Barrier(WORKERS)
    outcomes: list[str | BaseException] = []

    def worker(index: int) -> None:
        try:
            start.wait()
            outcomes.append(attempt(index))
        except BaseException as error:  # reported to the test, with the others
            outcomes.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def tokens_and_errors(outcomes: list[str | BaseException]) -> tuple[list[str], list[BaseException]]:
    tokens = [outcome for outcome in outcomes if isinstance(outcome, str)]
    return tokens, [outcome for outcome in outcomes if not isinstance(outcome, str)]


def refreshes_at_zoom(zoomsim: LiveZoomsim) -> int:
    """How many times a refresh token was spent (each refresh marks the old pair replaced)."""
    return sum(1 for token in zoomsim.state.tokens.values() if token.replaced_by is not None)


def test_concurrent_workers_spend_the_refresh_token_once_and_all_get_a_valid_token(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    assert connection.vendor == "postgresql"
    account = connect_acme_account(acme, acme_people.org_admin)
    rejected = account.access_token
    access_token_expiring(account, in_minutes=2)

    def renew(index: int) -> str:
        source = ZoomAccountTokenSource(zoom_account_pk=account.pk)
        # Half find the token expiring, half were just told 401 for the same old token.
        return source.access_token() if index % 2 else source.refreshed_after_unauthorized(rejected)

    tokens, errors = tokens_and_errors(race(renew))

    assert errors == []
    assert len(tokens) == WORKERS
    assert len(set(tokens)) == 1
    assert refreshes_at_zoom(zoomsim) == 1
    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.CONNECTED
    assert stored.access_token == tokens[0]
    assert status_at_zoom(zoomsim, tokens[0]) == 200


class _CallersWorkFailed(Exception):
    pass


def test_a_refresh_inside_a_callers_transaction_is_committed_even_when_the_caller_rolls_back(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    old_refresh = account.refresh_token
    access_token_expiring(account, in_minutes=1)

    # A work handler runs inside the work row's transaction; here its work fails after the
    # refresh, and its transaction rolls back.
    tokens: list[str] = []

    def callers_work() -> None:
        with transaction.atomic():
            tokens.append(ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token())
            raise _CallersWorkFailed

    with pytest.raises(_CallersWorkFailed):
        callers_work()
    token = tokens[0]

    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.access_token == token
    assert stored.refresh_token != old_refresh
    # Zoom spent the old refresh token; the one Campus kept is the live one.
    assert refresh(zoomsim, old_refresh).json()["error"] == "invalid_grant"
    assert refresh(zoomsim, stored.refresh_token).status_code == 200


def test_concurrent_workers_finding_the_refresh_token_dead_email_the_org_admins_once(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    zoom_revokes_the_tokens(zoomsim)
    access_token_expiring(account, in_minutes=2)

    # Every worker is expected to end with ZoomAccountUnusable.
    outcomes = race(lambda _: ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token())

    assert len(outcomes) == WORKERS
    assert all(isinstance(outcome, ZoomAccountUnusable) for outcome in outcomes), outcomes
    assert ZoomAccount.objects.get(pk=account.pk).status == ZoomAccountStatus.NEEDS_REAUTH
    assert len(mail.outbox) == 1
    assert AuditEntry.objects.filter(action="zoom.needs_reauth").count() == 1


def test_concurrent_workers_share_one_new_server_to_server_token(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    """The row is the token cache every worker shares: one fetch at Zoom, one token for all."""
    account = connect_acme_server_to_server(acme, acme_people.org_admin)
    access_token_expiring(account, in_minutes=2)
    issued_before = s2s_tokens_issued(zoomsim)

    tokens, errors = tokens_and_errors(
        race(lambda _: ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token())
    )

    assert errors == []
    assert len(tokens) == WORKERS
    assert len(set(tokens)) == 1
    assert tokens[0] != account.access_token
    assert s2s_tokens_issued(zoomsim) == issued_before + 1
    assert ZoomAccount.objects.get(pk=account.pk).access_token == tokens[0]


def s2s_tokens_issued(zoomsim: LiveZoomsim) -> int:
    return sum(1 for t in zoomsim.state.tokens.values() if t.client_id == "acme-s2s-client-id")
