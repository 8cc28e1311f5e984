"""Secrets encrypted at rest: a text field whose column holds a Fernet token.

Keys come from settings.FIELD_ENCRYPTION_KEYS, newest first: the first key encrypts, every key
decrypts (MultiFernet). To rotate, put a new key first, run `manage.py rotate_encryption_key`,
then drop the old key.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SecretUnreadable(Exception):
    """A stored secret decrypts with none of the configured keys (a key was dropped too early)."""


def configured_keys() -> list[str]:
    raw: Any = getattr(settings, "FIELD_ENCRYPTION_KEYS", None)
    keys = [k.strip() for k in raw.split(",")] if isinstance(raw, str) else list(raw or [])
    keys = [k for k in keys if k]
    if not keys:
        raise ImproperlyConfigured("FIELD_ENCRYPTION_KEYS must name at least one Fernet key.")
    return keys


def multi_fernet() -> MultiFernet:
    return MultiFernet([Fernet(key) for key in configured_keys()])


def encrypt_secret(plaintext: str) -> str:
    return multi_fernet().encrypt(plaintext.encode()).decode()


def decrypt_secret(ciphertext: str) -> str:
    try:
        return multi_fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken as exc:
        raise SecretUnreadable(
            "A stored secret decrypts with none of FIELD_ENCRYPTION_KEYS."
        ) from exc


if TYPE_CHECKING:
    # django-stubs types fields by what they set and get; at runtime TextField is not generic.
    _TextField = models.TextField[str, str]
else:
    _TextField = models.TextField


class EncryptedTextField(_TextField):
    """Plain text in Python, a Fernet token in the database. "" stays "" (nothing to hide), so
    an empty secret needs no key to read. Not searchable: Fernet tokens differ on every write."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_secret(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_secret(str(value))
