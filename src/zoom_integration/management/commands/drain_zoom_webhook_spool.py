"""Store the webhook deliveries waiting in the spool (ZOOM_WEBHOOK_SPOOL_DIR), each exactly once.

The worker's beat does this every 15 seconds. Run it by hand, or from a timer on each web host
whose spool directory the workers cannot reach (see docs/zoom-integration.md).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zoom_integration.services.webhooks import zoom_webhook_spool_drain


class Command(BaseCommand):
    help = "Store the Zoom webhook deliveries waiting in the spool, each exactly once."

    def handle(self, *args: Any, **options: Any) -> None:
        stored = zoom_webhook_spool_drain()
        self.stdout.write(f"{stored} new webhook event(s) stored from the spool.")
