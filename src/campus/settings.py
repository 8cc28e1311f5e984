"""Campus settings, all from the environment.

With nothing set, Campus runs as the embedded default (`make run`): SQLite, the filesystem Celery
broker, email to the console and var/mail, keys made on first use under var/, zoomsim as Zoom.
At scale the same code reads DATABASE_URL, CELERY_BROKER_URL, EMAIL_HOST, the Zoom URLs and the keys
from the environment.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from django.core.management.utils import get_random_secret_key

from campus.database_url import database_from_url, sqlite_database
from campus.local_keys import key_from_file


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = Path(os.environ.get("CAMPUS_VAR_DIR", BASE_DIR / "var")).resolve()
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = _env_flag("DJANGO_DEBUG", default=False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY") or key_from_file(
    VAR_DIR / "secret.key", get_random_secret_key
)

CAMPUS_BASE_URL = os.environ.get("CAMPUS_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
_campus_url = urlsplit(CAMPUS_BASE_URL)
_served_over_https = _campus_url.scheme == "https"

ALLOWED_HOSTS = _env_list(
    "DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", _campus_url.hostname or "127.0.0.1"]
)
CSRF_TRUSTED_ORIGINS = [f"{_campus_url.scheme}://{_campus_url.netloc}"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "campus",
    "organizations",
    "courses",
    "work",
    "live_events",
    "zoom_integration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "organizations.middleware.OrganizationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "campus.urls"
WSGI_APPLICATION = "campus.wsgi.application"
ASGI_APPLICATION = "campus.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "organizations.context_processors.membership",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------

DATABASES: dict[str, dict[str, Any]] = {
    "default": (
        database_from_url(os.environ["DATABASE_URL"])
        if os.environ.get("DATABASE_URL")
        else sqlite_database(VAR_DIR / "campus.sqlite3")
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- People ---------------------------------------------------------------------------------------

AUTH_USER_MODEL = "organizations.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "sign_in"
LOGIN_REDIRECT_URL = "courses:list"
LOGOUT_REDIRECT_URL = "sign_in"

# --- Security -------------------------------------------------------------------------------------
# Sensible for http://127.0.0.1 in development; the secure-cookie and HSTS settings switch on by
# themselves when CAMPUS_BASE_URL is https.

SESSION_COOKIE_HTTPONLY = True
# Lax, not Strict: the browser comes back from Zoom's consent page with a top-level GET, and the
# OAuth callback must see the session that holds the state and PKCE verifier.
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = _served_over_https
CSRF_COOKIE_SECURE = _served_over_https
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = _env_flag("DJANGO_SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = 31_536_000 if _served_over_https else 0
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env_flag("DJANGO_BEHIND_TLS_PROXY", False) else None
)

# --- Time and language ----------------------------------------------------------------------------

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
# Django's English formats, with the time zone named after every time (campus/formats/en).
FORMAT_MODULE_PATH = ["campus.formats"]
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

# Uploaded and imported files (recordings). At scale, a django-storages backend replaces this.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("CAMPUS_MEDIA_ROOT", VAR_DIR / "media")).resolve()

# --- Email ----------------------------------------------------------------------------------------

DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Campus <campus@campus.test>")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = _env_flag("EMAIL_USE_TLS", default=False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = "campus.mail.ConsoleAndFileEmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"
    EMAIL_FILE_PATH.mkdir(exist_ok=True)

# --- Celery ---------------------------------------------------------------------------------------
# The queue only rings the bell: the work itself lives in database rows (the `work` app), so a lost
# message costs a sweep interval, never a job.

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = VAR_DIR / "celery"
    _celery_queue_dir = _celery_dir / "queue"
    _celery_processed_dir = _celery_dir / "processed"
    for _folder in (_celery_queue_dir, _celery_processed_dir):
        _folder.mkdir(parents=True, exist_ok=True)
    # Producers write and consumers read the same folder.
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "data_folder_in": str(_celery_queue_dir),
        "data_folder_out": str(_celery_queue_dir),
        "processed_folder": str(_celery_processed_dir),
        # Where the transport keeps its exchange table; its default is ./control in the
        # current directory, which would litter wherever a process happens to start.
        "control_folder": str(_celery_dir / "control"),
        "store_processed": False,
        # The transport polls the folder (1 s by default, Redis needs none): the bell must wake an
        # idle worker at once. A listing of an empty folder ten times a second costs nothing.
        "polling_interval": 0.1,
    }
    # The filesystem transport has no broadcast exchange, so no remote control either.
    CELERY_WORKER_ENABLE_REMOTE_CONTROL = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    # Often enough that a dead worker's row (lease WORK_LEASE_SECONDS, 15 s) is taken over within
    # 30 s; cheap, because it rings each due row once (docs/work.md).
    "work-sweep": {"task": "work.sweep", "schedule": 5.0},
}

# --- Zoom -----------------------------------------------------------------------------------------

ZOOM_OAUTH_BASE_URL = os.environ.get("ZOOM_OAUTH_BASE_URL", "http://127.0.0.1:8001").rstrip("/")
ZOOM_API_BASE_URL = os.environ.get("ZOOM_API_BASE_URL", "http://127.0.0.1:8001/v2").rstrip("/")
ZOOM_CLIENT_ID = os.environ.get("ZOOM_CLIENT_ID", "campus-client-id")
ZOOM_CLIENT_SECRET = os.environ.get("ZOOM_CLIENT_SECRET", "campus-client-secret")
ZOOM_WEBHOOK_SECRET = os.environ.get("ZOOM_WEBHOOK_SECRET", "campus-webhook-secret")

# Fernet keys for the secrets stored in the database, newest first (MultiFernet encrypts with the
# first and decrypts with any, which is what makes rotation possible).
FIELD_ENCRYPTION_KEYS = _env_list("FIELD_ENCRYPTION_KEYS", []) or [
    key_from_file(VAR_DIR / "fernet.key", lambda: Fernet.generate_key().decode())
]

# --- Logging --------------------------------------------------------------------------------------

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"()": "campus.log_format.StructuredFormatter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": os.environ.get("CAMPUS_LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own handlers would print a second copy of every request line.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
