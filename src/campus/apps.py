from __future__ import annotations

from django.apps import AppConfig


class CampusConfig(AppConfig):
    name = "campus"
    verbose_name = "Campus"
