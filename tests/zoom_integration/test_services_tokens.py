"""The token source over the ZoomAccount row, against the live zoomsim: refresh when under 5
minutes remain, once after a 401, reuse of a token another worker stored, and what happens when
Zoom stops accepting the refresh token."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

from organizations.models import Organization, Role, User
from tests.django_conftest import People, make_member
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_account_scenes import (
    Connect,
    access_token_expiring,
    connect_acme_server_to_server,
    status_at_zoom,
    zoom_revokes_the_tokens,
    zoom_work_waiting,
)
from tests.zoomsim.oauth_flow import refresh
from work.models import WorkItem, WorkState
from zoom_integration.models import AuditEntry, ZoomAccount, ZoomAccountStatus
from zoom_integration.services import tokens
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.connection import (
    ZoomConnectRefused,
    zoom_connect_server_to_server,
)
from zoom_integration.services.reauth import zoom_reauth_reminders_send
from zoom_integration.services.tokens import ZoomAccountTokenSource, ZoomAccountUnusable
from zoomclient import ZoomInvalidGrant

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., object]


def expiring_soon(account: ZoomAccount) -> None:
    access_token_expiring(account, in_minutes=4)  # under the 5-minute refresh margin


def refresh_found_dead(account: ZoomAccount, capture_on_commit: CaptureOnCommit) -> None:
    """Zoom has revoked the tokens; the next token request finds the refresh refused (and the
    after-commit work, the email, runs)."""
    expiring_soon(account)
    with capture_on_commit(execute=True), pytest.raises(ZoomAccountUnusable):  # type: ignore[operator]
        ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()


def test_a_token_with_time_left_is_used_as_stored(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    tokens_at_zoom = len(zoomsim.state.tokens)

    token = ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    assert token == account.access_token
    assert len(zoomsim.state.tokens) == tokens_at_zoom  # no refresh


def test_under_five_minutes_left_the_pair_is_refreshed_and_saved_before_use(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    old_refresh = account.refresh_token
    expiring_soon(account)

    token = ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    stored = ZoomAccount.objects.get(pk=account.pk)
    assert token == stored.access_token != account.access_token
    assert stored.refresh_token != old_refresh
    assert stored.access_expires_at is not None
    assert stored.access_expires_at > timezone.now() + timedelta(minutes=50)
    assert status_at_zoom(zoomsim, token) == 200
    # Zoom rotated the refresh token: the old one is spent, the stored one is the live one.
    assert refresh(zoomsim, old_refresh).json()["error"] == "invalid_grant"


def test_a_401_leads_to_one_refresh_and_the_call_succeeds(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    # Zoom stops accepting the access token before its time (as after a password change).
    zoomsim.state.tokens[account.access_token].access_revoked = True

    with zoom_client_for_account(account) as client:
        me = client.get_user("me")

    assert me.account_id == "acct-acme"
    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.access_token != account.access_token
    assert stored.status == ZoomAccountStatus.CONNECTED


def test_a_token_another_worker_already_replaced_is_used_without_refreshing(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    tokens_at_zoom = len(zoomsim.state.tokens)

    token = ZoomAccountTokenSource(zoom_account_pk=account.pk).refreshed_after_unauthorized(
        "a-token-this-worker-read-before-another-refreshed"
    )

    assert token == account.access_token
    assert len(zoomsim.state.tokens) == tokens_at_zoom


def test_a_dead_refresh_token_needs_reauth_pauses_work_and_emails_org_admins_once(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    waiting = zoom_work_waiting(acme, account)
    zoom_revokes_the_tokens(zoomsim)
    expiring_soon(account)
    source = ZoomAccountTokenSource(zoom_account_pk=account.pk)

    with (
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
        pytest.raises(ZoomAccountUnusable) as refused,
    ):
        source.access_token()
    assert isinstance(refused.value.__cause__, ZoomInvalidGrant)  # what Zoom answered
    assert refused.value.pause_group == account.pause_group
    for _ in range(3):  # more failing jobs: no more email
        with (
            django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
            pytest.raises(ZoomAccountUnusable),
        ):
            source.access_token()

    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.NEEDS_REAUTH
    assert stored.reauth_emailed_at is not None
    assert WorkItem.objects.get(pk=waiting.pk).state == WorkState.PAUSED
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [acme_people.org_admin.email]
    assert "http://testserver/admin-tools/integrations/zoom/" in email.body
    assert stored.access_token not in email.body
    assert AuditEntry.objects.filter(organization=acme, action="zoom.needs_reauth").count() == 1


def test_the_reauth_email_goes_again_after_24_hours_only(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    zoom_revokes_the_tokens(zoomsim)
    refresh_found_dead(account, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    first_email_at = ZoomAccount.objects.get(pk=account.pk).reauth_emailed_at
    assert first_email_at is not None

    assert zoom_reauth_reminders_send(now=first_email_at + timedelta(hours=23)) == 0
    assert len(mail.outbox) == 1
    assert zoom_reauth_reminders_send(now=first_email_at + timedelta(hours=24, minutes=1)) == 1
    assert len(mail.outbox) == 2
    assert zoom_reauth_reminders_send(now=first_email_at + timedelta(hours=30)) == 0
    assert len(mail.outbox) == 2


def test_reauthenticating_reconnects_and_resumes_the_paused_work(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    waiting = zoom_work_waiting(acme, account)
    zoom_revokes_the_tokens(zoomsim)
    refresh_found_dead(account, django_capture_on_commit_callbacks)
    assert WorkItem.objects.get(pk=waiting.pk).state == WorkState.PAUSED

    again = connect_acme_account(acme, acme_people.org_admin)

    assert again.pk == account.pk
    assert again.status == ZoomAccountStatus.CONNECTED
    assert again.reauth_emailed_at is None
    assert WorkItem.objects.get(pk=waiting.pk).state == WorkState.PENDING
    token = ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()
    assert status_at_zoom(zoomsim, token) == 200


def test_a_refusal_recorded_after_a_reauthentication_does_not_undo_it(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two workers: one found the refresh token dead and marked the account; the second was
    already refreshing with the same dead token, and the Org Admin re-authenticates between
    Zoom's refusal of it and its record. The new connection must stay connected."""
    account = connect_acme_account(acme, acme_people.org_admin)
    waiting = zoom_work_waiting(acme, account)
    zoom_revokes_the_tokens(zoomsim)
    expiring_soon(account)
    record_refusal = tokens.zoom_account_mark_needs_reauth

    def reauthenticated_just_before(**arguments: Any) -> bool:
        connect_acme_account(acme, acme_people.org_admin)
        return record_refusal(**arguments)

    monkeypatch.setattr(tokens, "zoom_account_mark_needs_reauth", reauthenticated_just_before)
    with (
        django_capture_on_commit_callbacks(execute=True),  # type: ignore[operator]
        pytest.raises(ZoomInvalidGrant),  # this job's call failed; it is retried as usual
    ):
        ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.CONNECTED
    assert WorkItem.objects.get(pk=waiting.pk).state == WorkState.PENDING
    assert not mail.outbox
    token = ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()
    assert status_at_zoom(zoomsim, token) == 200


def test_server_to_server_credentials_connect_and_their_token_is_fetched_again_when_expiring(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    account = connect_acme_server_to_server(acme, acme_people.org_admin)
    assert account.connection_kind == "s2s"
    assert account.refresh_token == ""
    expiring_soon(account)

    token = ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    assert token != account.access_token
    assert ZoomAccount.objects.get(pk=account.pk).access_token == token
    assert status_at_zoom(zoomsim, token) == 200


def test_wrong_server_to_server_credentials_are_refused_and_nothing_is_stored(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People
) -> None:
    with pytest.raises(ZoomConnectRefused, match="did not accept these server-to-server"):
        zoom_connect_server_to_server(
            organization=acme,
            actor=acme_people.org_admin,
            account_id="acct-acme",
            client_id="acme-s2s-client-id",
            client_secret="wrong",
        )

    assert not ZoomAccount.objects.exists()


def test_every_org_admin_of_every_organization_using_the_account_is_emailed(
    zoomsim: LiveZoomsim,
    two_orgs_on_one_account: ZoomAccount,
    acme: Organization,
    acme_people: People,
    globex_admin: User,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    second_acme_admin = make_member(acme, "second-admin@acme.example", Role.ORG_ADMIN)
    gone_admin = make_member(acme, "gone-admin@acme.example", Role.ORG_ADMIN)
    gone_admin.is_active = False
    gone_admin.save(update_fields=["is_active"])
    zoom_revokes_the_tokens(zoomsim)

    refresh_found_dead(two_orgs_on_one_account, django_capture_on_commit_callbacks)

    recipients = sorted(address for email in mail.outbox for address in email.to)
    assert recipients == sorted(
        [acme_people.org_admin.email, second_acme_admin.email, globex_admin.email]
    )
    # Only Org Admins, each told about their own organization.
    globex_email = next(email for email in mail.outbox if email.to == [globex_admin.email])
    assert "Globex Institute" in globex_email.subject
    assert "http://testserver/admin-tools/integrations/zoom/" in globex_email.body


def test_a_renewal_outside_any_callers_transaction_commits_on_its_own_quietly(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The test's own wrapping transaction is not a caller's: Django's durable block opens."""
    account = connect_acme_account(acme, acme_people.org_admin)
    expiring_soon(account)

    with caplog.at_level(logging.WARNING, logger="zoom_integration.tokens"):
        token = ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    assert ZoomAccount.objects.get(pk=account.pk).access_token == token
    assert "zoom.token.write_nested_in_transaction" not in caplog.messages


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's one-writer path")
def test_on_sqlite_a_renewal_inside_a_callers_transaction_joins_it_and_says_so(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    caplog: pytest.LogCaptureFixture,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    expiring_soon(account)

    with (
        caplog.at_level(logging.WARNING, logger="zoom_integration.tokens"),
        transaction.atomic(),
    ):
        token = ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    assert ZoomAccount.objects.get(pk=account.pk).access_token == token
    assert "zoom.token.write_nested_in_transaction" in caplog.messages
