"""Re-encrypt every stored Zoom secret with the newest key of FIELD_ENCRYPTION_KEYS: the
accounts' tokens and secrets, and those kept by revocations still waiting for Zoom.

Rotation: put the new key FIRST in FIELD_ENCRYPTION_KEYS (keep the old one after it), restart,
run this command, then remove the old key. Each row is rewritten under its row lock, so a token
refresh running at the same time is neither lost nor overwritten with a stale token.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import models, transaction

from zoom_integration.models import ZoomAccount, ZoomGrantRevocation

ENCRYPTED_COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    ZoomAccount: ("access_token", "refresh_token", "s2s_client_secret"),
    ZoomGrantRevocation: ("token", "s2s_client_secret"),
}


class Command(BaseCommand):
    help = (
        "Re-encrypt the stored Zoom tokens and secrets with the newest FIELD_ENCRYPTION_KEYS key."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        accounts = _reencrypt(ZoomAccount)
        revocations = _reencrypt(ZoomGrantRevocation)
        self.stdout.write(
            f"Re-encrypted the secrets of {accounts} Zoom account(s) and {revocations} pending "
            "revocation(s) with the newest key."
        )


def _reencrypt(model: type[models.Model]) -> int:
    columns = ENCRYPTED_COLUMNS[model]
    rotated = 0
    for pk in model._default_manager.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            rows = model._default_manager.select_for_update().filter(pk=pk)
            # Read through the fields (decrypted with whichever key encrypted them) and written
            # back through them (encrypted with the first key).
            stored = rows.values(*columns).first()
            changes = {name: value for name, value in (stored or {}).items() if value}
            if changes:
                rows.update(**changes)
                rotated += 1
    return rotated
