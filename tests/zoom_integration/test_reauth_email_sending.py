"""The re-authentication email is sent to each Org Admin on its own: one that cannot be sent is
logged and the others still go; an organization name cannot break the email's headers."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from django.core import mail

from organizations.models import Organization, User
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from zoom_integration.models import ZoomAccount, ZoomAccountStatus
from zoom_integration.services.reauth import (
    ReauthEmailsNotSent,
    zoom_account_mark_needs_reauth,
    zoom_reauth_email_send,
)

pytestmark = pytest.mark.django_db

CaptureOnCommit = Callable[..., object]


def needs_reauth(account: ZoomAccount) -> None:
    """The connection is found broken (the email itself is sent by each test)."""
    assert zoom_account_mark_needs_reauth(zoom_account_pk=account.pk, reason="invalid_grant")


def test_a_name_saved_with_a_line_break_before_validation_still_gets_its_email(
    zoomsim: LiveZoomsim,
    two_orgs_on_one_account: ZoomAccount,
    acme: Organization,
    acme_people: People,
    globex_admin: User,
) -> None:
    # Saved before names were validated (a queryset update skips validation, as old data did).
    Organization.objects.filter(pk=acme.pk).update(name="Acme\r\nBcc: everyone@evil.example")
    needs_reauth(two_orgs_on_one_account)

    sent = zoom_reauth_email_send(zoom_account_pk=two_orgs_on_one_account.pk)

    assert sent == 2
    acme_email = next(email for email in mail.outbox if email.to == [acme_people.org_admin.email])
    assert acme_email.subject == "Action needed: reconnect Zoom for Acme Bcc: everyone@evil.example"
    headers = acme_email.message()
    assert headers["Bcc"] is None
    assert sorted(a for email in mail.outbox for a in email.recipients()) == sorted(
        [acme_people.org_admin.email, globex_admin.email]
    )


def test_one_admin_whose_email_cannot_be_sent_does_not_silence_the_others(
    zoomsim: LiveZoomsim,
    two_orgs_on_one_account: ZoomAccount,
    acme_people: People,
    globex_admin: User,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # An address the mail library refuses (it would be a header injection), saved past validation.
    User.objects.filter(pk=acme_people.org_admin.pk).update(email="admin@acme.example\nBcc: x@y.z")
    needs_reauth(two_orgs_on_one_account)

    with caplog.at_level(logging.INFO, logger="zoom_integration.reauth"):
        sent = zoom_reauth_email_send(zoom_account_pk=two_orgs_on_one_account.pk)

    assert sent == 1
    assert [email.to for email in mail.outbox] == [[globex_admin.email]]
    failures = [r for r in caplog.records if r.getMessage() == "zoom.reauth_email.recipient_failed"]
    assert len(failures) == 1
    assert getattr(failures[0], "zoom_account_pk", None) == two_orgs_on_one_account.pk
    summary = next(r for r in caplog.records if r.getMessage() == "zoom.reauth_email.sent")
    assert (getattr(summary, "count", None), getattr(summary, "failed", None)) == (1, 1)
    # The round counts: the others are not emailed again within the day.
    stored = ZoomAccount.objects.get(pk=two_orgs_on_one_account.pk)
    assert stored.reauth_emailed_at is not None
    assert zoom_reauth_email_send(zoom_account_pk=stored.pk) == 0


def test_when_no_email_can_be_sent_the_round_is_given_back_for_the_next_try(
    zoomsim: LiveZoomsim,
    two_orgs_on_one_account: ZoomAccount,
    acme_people: People,
    globex_admin: User,
) -> None:
    for user in (acme_people.org_admin, globex_admin):
        User.objects.filter(pk=user.pk).update(email=f"{user.email}\nBcc: x@y.z")
    needs_reauth(two_orgs_on_one_account)

    with pytest.raises(ReauthEmailsNotSent):
        zoom_reauth_email_send(zoom_account_pk=two_orgs_on_one_account.pk)

    stored = ZoomAccount.objects.get(pk=two_orgs_on_one_account.pk)
    assert stored.status == ZoomAccountStatus.NEEDS_REAUTH
    assert stored.reauth_emailed_at is None
    assert mail.outbox == []
