"""Settings from the environment: the embedded default, and the at-scale switches.

Each case imports campus.settings in a fresh interpreter with its own environment and var dir.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
SHOW_SETTINGS = """
import json
from django.conf import settings
import django
django.setup()
from campus.celery import app
print(json.dumps({
    "database": {k: str(v) for k, v in settings.DATABASES["default"].items() if k != "OPTIONS"},
    "email_backend": settings.EMAIL_BACKEND,
    "email_host": settings.EMAIL_HOST,
    "broker": app.conf.broker_url,
    "broker_options": app.conf.broker_transport_options,
    "acks_late": app.conf.task_acks_late,
    "reject_on_worker_lost": app.conf.task_reject_on_worker_lost,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "beat": {k: [v["task"], v["schedule"]] for k, v in app.conf.beat_schedule.items()},
    "beat_file": app.conf.beat_schedule_filename,
    "fernet_keys": settings.FIELD_ENCRYPTION_KEYS,
    "secret_key_length": len(settings.SECRET_KEY),
    "secret_key": settings.SECRET_KEY,
    "zoom": [settings.ZOOM_OAUTH_BASE_URL, settings.ZOOM_API_BASE_URL, settings.ZOOM_CLIENT_ID],
    "base_url": settings.CAMPUS_BASE_URL,
    "session_secure": settings.SESSION_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "debug": settings.DEBUG,
    "media_root": str(settings.MEDIA_ROOT),
    "time_zone": [settings.TIME_ZONE, settings.USE_TZ],
}))
"""
CAMPUS_VARIABLES = (
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "EMAIL_HOST",
    "FIELD_ENCRYPTION_KEYS",
    "DJANGO_SECRET_KEY",
    "CAMPUS_BASE_URL",
    "DJANGO_DEBUG",
)


def settings_with(var_dir: Path, **environment: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if k not in CAMPUS_VARIABLES}
    env.update(
        {"CAMPUS_VAR_DIR": str(var_dir), "DJANGO_SETTINGS_MODULE": "campus.settings"},
        **environment,
    )
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    shown: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return shown


def test_embedded_default_needs_no_servers(tmp_path: Path) -> None:
    shown = settings_with(tmp_path)

    assert shown["database"]["ENGINE"] == "django.db.backends.sqlite3"
    assert shown["database"]["NAME"] == str(tmp_path / "campus.sqlite3")
    assert shown["broker"] == "filesystem://"
    queue = str(tmp_path / "celery" / "queue")
    assert shown["broker_options"]["data_folder_in"] == queue
    assert shown["broker_options"]["data_folder_out"] == queue
    assert (tmp_path / "celery" / "queue").is_dir()
    assert shown["email_backend"] == "campus.mail.ConsoleAndFileEmailBackend"
    assert (tmp_path / "mail").is_dir()
    assert shown["zoom"] == [
        "http://127.0.0.1:8001",
        "http://127.0.0.1:8001/v2",
        "campus-client-id",
    ]
    assert shown["base_url"] == "http://127.0.0.1:8000"
    assert (shown["session_secure"], shown["hsts"], shown["debug"]) == (False, 0, False)
    assert shown["time_zone"] == ["UTC", True]
    assert shown["media_root"] == str(tmp_path / "media")


def test_celery_never_loses_work_to_prefetch_or_early_acks(tmp_path: Path) -> None:
    shown = settings_with(tmp_path)

    assert shown["acks_late"] is True
    assert shown["reject_on_worker_lost"] is True
    assert shown["prefetch"] == 1
    assert shown["beat"]["work-sweep"] == ["work.sweep", 5.0]
    assert shown["beat_file"] == str(tmp_path / "celery" / "beat-schedule")


def test_keys_are_made_once_owner_only_and_kept(tmp_path: Path) -> None:
    first = settings_with(tmp_path)
    second = settings_with(tmp_path)

    fernet_file = tmp_path / "fernet.key"
    secret_file = tmp_path / "secret.key"
    assert first["fernet_keys"] == second["fernet_keys"] == [fernet_file.read_text()]
    Fernet(first["fernet_keys"][0])  # a valid Fernet key
    assert first["secret_key"] == second["secret_key"] == secret_file.read_text()
    assert first["secret_key_length"] >= 50
    for key_file in (fernet_file, secret_file):
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_at_scale_everything_comes_from_the_environment(tmp_path: Path) -> None:
    keys = [Fernet.generate_key().decode(), Fernet.generate_key().decode()]

    shown = settings_with(
        tmp_path,
        DATABASE_URL="postgres://campus:pw@db:5432/campus",
        CELERY_BROKER_URL="redis://127.0.0.1:6379/0",
        EMAIL_HOST="smtp.internal",
        FIELD_ENCRYPTION_KEYS=",".join(keys),
        DJANGO_SECRET_KEY="s" * 60,
        CAMPUS_BASE_URL="https://campus.example.edu",
    )

    assert shown["database"]["ENGINE"] == "django.db.backends.postgresql"
    assert (shown["database"]["HOST"], shown["database"]["NAME"]) == ("db", "campus")
    assert shown["broker"] == "redis://127.0.0.1:6379/0"
    assert "data_folder_in" not in shown["broker_options"]
    assert shown["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert shown["fernet_keys"] == keys
    assert shown["secret_key"] == "s" * 60
    assert not (tmp_path / "fernet.key").exists()
    assert not (tmp_path / "secret.key").exists()
    assert shown["session_secure"] is True
    assert shown["hsts"] > 0
