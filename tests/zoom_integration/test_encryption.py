"""Tokens and secrets are encrypted at rest, and `rotate_encryption_key` moves them to a new key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from pytest_django.fixtures import Settings

from zoom_integration.encryption import SecretUnreadable
from zoom_integration.models import ConnectionKind, ZoomAccount, ZoomGrantRevocation

pytestmark = pytest.mark.django_db

ACCESS = "eyJ0eXAiOiJhY2Nlc3MifQ.access-token-of-several-hundred-characters"
REFRESH = "eyJ0eXAiOiJyZWZyZXNoIn0.refresh-token"
SECRET = "s2s-client-secret"


def raw_columns(pk: int) -> tuple[str, str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_token, refresh_token, s2s_client_secret "
            "FROM zoom_integration_zoomaccount WHERE id = %s",
            [pk],
        )
        row = cursor.fetchone()
    assert row is not None
    return row[0], row[1], row[2]


def make_account() -> ZoomAccount:
    return ZoomAccount.objects.create(
        zoom_account_id="acct-acme",
        connection_kind=ConnectionKind.S2S,
        access_token=ACCESS,
        refresh_token=REFRESH,
        s2s_client_secret=SECRET,
    )


def test_the_columns_hold_fernet_tokens_not_the_secrets(settings: Settings) -> None:
    key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [key]

    account = make_account()

    stored = raw_columns(account.pk)
    for plaintext, column in zip((ACCESS, REFRESH, SECRET), stored, strict=True):
        assert plaintext not in column
        assert Fernet(key).decrypt(column.encode()).decode() == plaintext
    reread = ZoomAccount.objects.get(pk=account.pk)
    assert (reread.access_token, reread.refresh_token, reread.s2s_client_secret) == (
        ACCESS,
        REFRESH,
        SECRET,
    )


def test_rotation_reencrypts_every_secret_with_the_newest_key(settings: Settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    account = make_account()
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    call_command("rotate_encryption_key")

    for plaintext, column in zip((ACCESS, REFRESH, SECRET), raw_columns(account.pk), strict=True):
        assert Fernet(new.encode()).decrypt(column.encode()).decode() == plaintext
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can go now
    assert ZoomAccount.objects.get(pk=account.pk).access_token == ACCESS


def test_a_secret_under_a_dropped_key_is_unreadable_not_garbage(settings: Settings) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    account = make_account()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    with pytest.raises(SecretUnreadable):
        ZoomAccount.objects.get(pk=account.pk)


def test_rotation_reencrypts_the_secrets_a_pending_revocation_keeps(settings: Settings) -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    revocation = ZoomGrantRevocation.objects.create(
        zoom_account=make_account(), token=ACCESS, s2s_client_id="c", s2s_client_secret=SECRET
    )
    settings.FIELD_ENCRYPTION_KEYS = [new, old]

    call_command("rotate_encryption_key")

    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can go now
    reread = ZoomGrantRevocation.objects.get(pk=revocation.pk)
    assert (reread.token, reread.s2s_client_secret) == (ACCESS, SECRET)
