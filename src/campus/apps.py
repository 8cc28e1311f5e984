from __future__ import annotations

from django.apps import AppConfig


class CampusConfig(AppConfig):
    name = "campus"
    verbose_name = "Campus"

    def ready(self) -> None:
        # Connects the sign-in log lines to Django's and axes's signals.
        from campus import sign_in_throttle  # noqa: F401
