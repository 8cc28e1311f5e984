"""Five guards that no test protected until each was broken on purpose and the suite stayed green.
Every test here fails when its guard is removed (each was checked so once):

- a stored webhook event is processed once, even when its work runs again (`processed_at`);
- `app_deauthorized` does not revoke the grant at Zoom (the app is gone there already);
- the 24-hour re-authentication email guard holds inside the locked send itself, not only in
  the reminder task's query;
- an account that needs re-authentication makes no call to Zoom, even with an unexpired token;
- a server-to-server app whose secret is regenerated later counts as dead credentials (Zoom's
  4xx from the token endpoint), not as a passing error.
"""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from django.core import mail

from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import fault
from tests.zoom_integration.test_webhooks import deauthorized, post_webhook
from tests.zoom_integration.zoom_account_scenes import (
    CaptureOnCommit,
    Connect,
    access_token_expiring,
    connect_acme_server_to_server,
    needing_reauthentication,
    status_at_zoom,
)
from work.models import WorkItem
from zoom_integration.models import (
    AuditEntry,
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomAccountStatus,
    ZoomGrantRevocation,
    ZoomWebhookEvent,
)
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.reauth import zoom_reauth_email_send
from zoom_integration.services.revocation import REVOKE_WORK_KIND
from zoom_integration.services.tokens import ZoomAccountTokenSource, ZoomAccountUnusable
from zoom_integration.services.webhooks import zoom_webhook_event_process

pytestmark = pytest.mark.django_db


def test_a_stored_event_whose_work_runs_again_is_not_processed_twice(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(deauthorized())
    event = ZoomWebhookEvent.objects.get()
    assert event.processed_at is not None
    # The organization connects again; then the old event's work runs once more (a bell rung
    # twice, a worker that lost its lease after processing).
    connect_acme_account(acme, acme_people.org_admin)

    with django_capture_on_commit_callbacks(execute=True):
        zoom_webhook_event_process(webhook_event_id=event.pk)

    assert OrganizationZoomLink.objects.get(organization=acme).status == LinkStatus.ACTIVE
    assert ZoomAccount.objects.get().status == ZoomAccountStatus.CONNECTED
    assert AuditEntry.objects.filter(organization=acme, action="zoom.app_deauthorized").count() == 1
    assert ZoomWebhookEvent.objects.get().processed_at == event.processed_at


def test_app_deauthorized_does_not_revoke_the_grant_at_zoom(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    token = account.access_token
    # zoomsim's own uninstall kills the tokens too, which would hide a revoke call; so the event
    # arrives here while the token still works at Zoom: it still works afterwards only if Campus
    # did not revoke it.
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook(deauthorized())

    assert OrganizationZoomLink.objects.get(organization=acme).status == LinkStatus.DISABLED
    assert ZoomAccount.objects.get(pk=account.pk).status == ZoomAccountStatus.REVOKED
    assert not ZoomGrantRevocation.objects.exists()
    assert not WorkItem.objects.filter(kind=REVOKE_WORK_KIND).exists()
    assert status_at_zoom(zoomsim, token) == 200
    disabled = AuditEntry.objects.get(organization=acme, action="zoom.disabled")
    assert disabled.detail["grant_revoked_at_zoom"] is False


def test_the_locked_email_send_itself_waits_24_hours_between_emails(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    needing_reauthentication(account, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    first = ZoomAccount.objects.get(pk=account.pk).reauth_emailed_at
    assert first is not None

    # A caller that decided to send before the claim was written (a reminder run that read the
    # account as due, a retried job) reaches the send: the check under the lock stops it.
    assert zoom_reauth_email_send(zoom_account_pk=account.pk, now=first + timedelta(hours=1)) == 0
    assert zoom_reauth_email_send(zoom_account_pk=account.pk, now=first + timedelta(hours=23)) == 0

    assert len(mail.outbox) == 1
    assert ZoomAccount.objects.get(pk=account.pk).reauth_emailed_at == first
    later = first + timedelta(hours=24, minutes=1)
    assert zoom_reauth_email_send(zoom_account_pk=account.pk, now=later) == 1
    assert len(mail.outbox) == 2


def test_an_account_needing_reauthentication_calls_zoom_no_more_even_with_a_live_token(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    connect_acme_account: Connect,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_account(acme, acme_people.org_admin)
    needing_reauthentication(account, django_capture_on_commit_callbacks)
    assert status_at_zoom(zoomsim, account.access_token) == 200  # not expired, still accepted
    # A tripwire at Zoom: the first call to /users/me would use up this rule.
    fault(zoomsim, path="^/v2/users/me$", count=1, status=500)

    with (
        zoom_client_for_account(account) as client,
        pytest.raises(ZoomAccountUnusable) as unusable,
    ):
        client.get_user("me")

    assert unusable.value.pause_group == account.pause_group
    assert unusable.value.status == ZoomAccountStatus.NEEDS_REAUTH
    assert len(httpx.get(f"{zoomsim.base_url}/_sim/faults").json()["faults"]) == 1  # unused


def test_a_server_to_server_secret_regenerated_later_counts_as_dead_credentials(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    django_capture_on_commit_callbacks: CaptureOnCommit,
) -> None:
    account = connect_acme_server_to_server(acme, acme_people.org_admin)
    # The organization's Zoom admin regenerates the app's secret in the Marketplace: the token
    # endpoint now answers the old one with a 4xx (invalid_client).
    zoomsim.state.apps["acme-s2s-client-id"].client_secret = "regenerated-secret"
    access_token_expiring(account, in_minutes=1)

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(ZoomAccountUnusable) as unusable,
    ):
        ZoomAccountTokenSource(zoom_account_pk=account.pk).access_token()

    assert unusable.value.pause_group == account.pause_group
    stored = ZoomAccount.objects.get(pk=account.pk)
    assert stored.status == ZoomAccountStatus.NEEDS_REAUTH
    assert "invalid_client" in stored.status_reason
    assert [email.to for email in mail.outbox] == [[acme_people.org_admin.email]]
