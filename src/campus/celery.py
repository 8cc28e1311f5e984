"""The Celery app: `celery -A campus worker -B` (beat inside the worker in the embedded default).

Configuration comes from Django settings (the CELERY_* names); every installed app's `tasks`
module is discovered, so `work.sweep` and the Zoom tasks register themselves.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "campus.settings")

app = Celery("campus")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
