from __future__ import annotations

from django.apps import AppConfig


class LiveEventsConfig(AppConfig):
    name = "live_events"
    label = "live_events"
    verbose_name = "Live events"
    default_auto_field = "django.db.models.BigAutoField"
