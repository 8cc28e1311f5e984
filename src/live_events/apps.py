from __future__ import annotations

from django.apps import AppConfig


class LiveEventsConfig(AppConfig):
    name = "live_events"
    label = "live_events"
    verbose_name = "Live events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Imported for what it registers: the invitation work kind.
        from live_events import work_handlers  # noqa: F401
