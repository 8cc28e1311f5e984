"""Tokens and secrets never reach a page, an error page, a log line, a stored message (audit
entries, work rows, the account's status) or an email."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import pytest
from django.core import mail
from django.urls import reverse

from campus.log_format import StructuredFormatter
from organizations.models import Organization
from tests.django_conftest import People, signed_in
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.zoom_account_scenes import (
    access_token_expiring,
    zoom_revokes_the_tokens,
)
from tests.zoom_integration.zoom_flow import connect_through_zoom
from work.models import WorkItem, WorkState
from work.services import work_enqueue, work_run
from zoom_integration.models import AuditEntry, ZoomAccount, ZoomGrantRevocation
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.zoom_work import zoom_work_handler

pytestmark = pytest.mark.django_db

LOOKUP_KIND = "zoom.test.look_up_missing_user"


def secrets_of(zoomsim: LiveZoomsim) -> list[str]:
    """Every token zoomsim issued in this test, and the S2S app's secret."""
    values = ["acme-s2s-secret", "campus-client-secret"]
    for token in zoomsim.state.tokens.values():
        values.append(token.access_token)
        if token.refresh_token:
            values.append(token.refresh_token)
    return values


def test_no_token_in_pages_error_pages_or_logs(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    client = signed_in(acme_people.org_admin)
    pages: list[str] = []
    with caplog.at_level(logging.DEBUG):
        connect_through_zoom(client)
        # An error page: re-authenticating with another Zoom account is refused.
        pages.append(connect_through_zoom(client, "admin@globex.test").content.decode())
        # A failed server-to-server attempt shows the form again.
        pages.append(
            client.post(
                reverse("zoom_integration:server_to_server"),
                {
                    "account_id": "acct-acme",
                    "client_id": "acme-s2s-client-id",
                    "client_secret": "acme-s2s-secret-but-wrong",
                },
            ).content.decode()
        )
        for name in ("zoom_integration:configure", "zoom_integration:disable"):
            pages.append(client.get(reverse(name)).content.decode())
        pages.append(client.get(reverse("admin_tools:integrations")).content.decode())
        # The revoke at Zoom runs after commit (a work row), and logs too.
        with django_capture_on_commit_callbacks(execute=True):  # type: ignore[operator]
            client.post(reverse("zoom_integration:disable"))
        pages.append(client.get(reverse("zoom_integration:configure")).content.decode())

    secrets = secrets_of(zoomsim)
    assert len(secrets) > 4
    formatter = StructuredFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    ours = [
        record.getMessage() + repr(vars(record))
        for record in caplog.records
        if record.name.startswith(("zoom_integration", "zoomclient", "work", "live_events"))
    ]
    for secret in secrets:
        assert not any(secret in page for page in pages)
        assert not any(secret in line for line in lines)
        assert not any(secret in text for text in ours)
    assert "acme-s2s-secret-but-wrong" not in pages[1]


@zoom_work_handler(LOOKUP_KIND)
def look_up_a_missing_zoom_user(item: WorkItem) -> None:
    """Zoom work that Zoom answers with an error (404, user does not exist)."""
    account = ZoomAccount.objects.get(pk=item.payload["zoom_account_pk"])
    with zoom_client_for_account(account) as client:
        client.get_user("nobody@acme.test")


def test_no_token_in_audit_entries_work_rows_account_status_emails_or_logs(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    caplog: pytest.LogCaptureFixture,
    django_capture_on_commit_callbacks: Callable[..., object],
) -> None:
    client = signed_in(acme_people.org_admin)
    after_commit = django_capture_on_commit_callbacks
    with caplog.at_level(logging.DEBUG):
        connect_through_zoom(client)
        account = ZoomAccount.objects.get()
        failing = work_enqueue(
            kind=LOOKUP_KIND, subject="lookup", payload={"zoom_account_pk": account.pk}
        )
        work_run(item_id=failing.pk)
        # Zoom stops accepting the tokens: the next job pauses, the Org Admins are emailed.
        zoom_revokes_the_tokens(zoomsim)
        access_token_expiring(account, in_minutes=0)
        paused = work_enqueue(
            kind=LOOKUP_KIND, subject="lookup-2", payload={"zoom_account_pk": account.pk}
        )
        with after_commit(execute=True):  # type: ignore[operator]
            work_run(item_id=paused.pk)
        with after_commit(execute=True):  # type: ignore[operator]
            client.post(reverse("zoom_integration:disable"))

    assert WorkItem.objects.get(pk=failing.pk).last_error.startswith("ZoomNotFound")
    assert WorkItem.objects.get(pk=paused.pk).state == WorkState.PAUSED
    assert len(mail.outbox) == 1
    stored_texts = [
        *(json.dumps(entry.detail) for entry in AuditEntry.objects.all()),
        *(
            f"{row.last_error} {row.paused_reason} {json.dumps(row.payload)}"
            for row in WorkItem.objects.all()
        ),
        *(account.status_reason for account in ZoomAccount.objects.all()),
        *(revocation.outcome for revocation in ZoomGrantRevocation.objects.all()),
        *(f"{email.subject} {email.body}" for email in mail.outbox),
    ]
    formatter = StructuredFormatter()
    lines = [formatter.format(record) for record in caplog.records]
    secrets = secrets_of(zoomsim)
    for secret in secrets:
        assert not any(secret in text for text in stored_texts)
        assert not any(secret in line for line in lines)
