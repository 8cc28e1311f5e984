from __future__ import annotations

from django.apps import AppConfig


class WorkConfig(AppConfig):
    name = "work"
    label = "work"
    verbose_name = "Background work"
    default_auto_field = "django.db.models.BigAutoField"
