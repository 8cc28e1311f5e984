"""Campus settings, all from the environment.

With nothing set, Campus runs as the embedded default (`make run`): SQLite, the filesystem Celery
broker, email to the console and var/mail, keys made on first use under var/, zoomsim as Zoom.
At scale the same code reads DATABASE_URL, CELERY_BROKER_URL, EMAIL_HOST, the Zoom URLs and the keys
from the environment.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.management.utils import get_random_secret_key

from campus.database_url import database_from_url, sqlite_database
from campus.local_keys import key_from_file
from campus.private_files import (
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    private_dir,
    private_sqlite_file,
    private_umask_set,
)

# First, before anything is written: what this process creates is its owner's alone
# (campus/private_files.py). Every Django process of Campus (manage.py, gunicorn's workers, the
# Celery worker and beat) reads these settings before it writes a file.
private_umask_set()


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
VAR_DIR = private_dir(Path(os.environ.get("CAMPUS_VAR_DIR", BASE_DIR / "var")).resolve())

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
    "axes",
    "campus",
    "organizations",
    "courses",
    "work",
    "live_events",
    "zoom_integration",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files before anything else touches the request (WhiteNoise's documented place).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "campus.content_security.CampusCSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Inside SessionMiddleware, which saves what this renews; after the person is known.
    "campus.session_idle.SlidingSessionMiddleware",
    "organizations.middleware.OrganizationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Inside the middleware that sets the person and their organization: the page it renders
    # for a bare 405 has the navigation.
    "campus.error_pages.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as axes asks: it turns a sign-in refused during a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
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
        else sqlite_database(private_sqlite_file(VAR_DIR / "campus.sqlite3"))
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
# A form sent from a stale page gets a page saying so (campus/error_pages.py), not a bare 403.
CSRF_FAILURE_VIEW = "campus.error_pages.csrf_failure"
# axes first: it refuses a locked-out account or address before any password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "sign_in"
LOGIN_REDIRECT_URL = "courses:list"
LOGOUT_REDIRECT_URL = "sign_in"

# --- Security -------------------------------------------------------------------------------------
# Sensible for http://127.0.0.1 in development; the secure-cookie and HSTS settings switch on by
# themselves when CAMPUS_BASE_URL is https.

SESSION_COOKIE_HTTPONLY = True
# A session ends after this long without a request (Django's default, two weeks, is far too long
# for an Org Admin's). Each request pushes the end out again (campus/session_idle.py).
CAMPUS_SESSION_IDLE_SECONDS = int(os.environ.get("CAMPUS_SESSION_IDLE_SECONDS", str(4 * 3600)))
SESSION_COOKIE_AGE = CAMPUS_SESSION_IDLE_SECONDS
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
# Content-Security-Policy (django-csp): scripts, styles, images and fonts from Campus only (the
# stylesheet and htmx are static files), no plugins, no framing, no <base>. Forms post to Campus;
# campus/content_security.py adds Zoom's OAuth origin to form-action (AUTHENTICATE's redirect).
# `style-src-attr 'unsafe-inline'`: a few templates of the Zoom integration pages still carry
# style="" attributes; once they are in campus.css this entry goes. Style attributes cannot run
# script, and url() in them is bound by img-src and font-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if _env_flag("DJANGO_BEHIND_TLS_PROXY", False) else None
)

# Sign-in throttling (django-axes, campus/sign_in_throttle.py): this many failures in a row for
# one account, or from one address, lock it out for the cool-off. Generous enough for a demo where
# everyone signs in from 127.0.0.1; `manage.py axes_reset` lifts every lockout.
AXES_FAILURE_LIMIT = int(os.environ.get("CAMPUS_SIGN_IN_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = timedelta(minutes=float(os.environ.get("CAMPUS_SIGN_IN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, not the pair
AXES_RESET_ON_SUCCESS = True
# Tries during a lockout do not push its end further away: the cool-off ends when it said it would.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "campus.sign_in_throttle.locked_out_response"
AXES_CLIENT_IP_CALLABLE = "campus.sign_in_throttle.client_ip_address"
# Campus logs its own structured lines (sign_in.failed, sign_in.locked_out); no access-log table.
AXES_VERBOSE = False
AXES_DISABLE_ACCESS_LOG = True

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
STATIC_ROOT.mkdir(exist_ok=True)  # WhiteNoise warns at start-up about a missing one
# WhiteNoise serves what `manage.py collectstatic` put in STATIC_ROOT (make run does it before
# starting the web server; a deployment does it at build time): the files it indexed at start-up
# and nothing else, so no path can reach outside STATIC_ROOT. Names carry a hash of the content,
# so browsers cache them for good and a changed stylesheet gets a new URL; gzip and Brotli
# copies are made once, at collection. Not WhiteNoise's autorefresh or use_finders: those look
# files up on every request and are, in WhiteNoise's own words, for development only.
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# Uploaded and imported files (recordings). At scale, a django-storages backend replaces this.
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("CAMPUS_MEDIA_ROOT", VAR_DIR / "media")).resolve()
# Django chmods every stored file to FILE_UPLOAD_PERMISSIONS (0644 by default, whatever the umask):
# recordings and collected static files are Campus's alone too.
FILE_UPLOAD_PERMISSIONS = PRIVATE_FILE_MODE
FILE_UPLOAD_DIRECTORY_PERMISSIONS = PRIVATE_DIR_MODE

# At scale, recordings go to S3-compatible storage through django-storages: set the bucket (and,
# for a server other than AWS's, its endpoint). Credentials come from boto3's usual places
# (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY in the environment, an instance role).
if os.environ.get("CAMPUS_S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["CAMPUS_S3_BUCKET"],
            "endpoint_url": os.environ.get("CAMPUS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("CAMPUS_S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

# Recording imports stream into a private partial file here (resumable with Range), and only the
# whole, size-checked file is saved to the storage above. Pieces: the bytes asked per request.
RECORDING_DOWNLOAD_DIR = Path(
    os.environ.get("CAMPUS_RECORDING_DOWNLOAD_DIR", VAR_DIR / "recording-downloads")
).resolve()
RECORDING_PIECE_BYTES = int(os.environ.get("CAMPUS_RECORDING_PIECE_BYTES", 64 * 1024 * 1024))

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
    EMAIL_FILE_PATH = private_dir(VAR_DIR / "mail")

# --- Celery ---------------------------------------------------------------------------------------
# The queue only rings the bell: the work itself lives in database rows (the `work` app), so a lost
# message costs a sweep interval, never a job.

CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _celery_dir = private_dir(VAR_DIR / "celery")
    _celery_queue_dir = _celery_dir / "queue"
    _celery_processed_dir = _celery_dir / "processed"
    for _folder in (_celery_queue_dir, _celery_processed_dir, _celery_dir / "control"):
        private_dir(_folder)
    # Kombu's own filesystem transport lets a worker read a message file its sender has created
    # but not yet written, and the worker dies of the JSONDecodeError; Campus's writes each file
    # whole (campus/filesystem_broker.py).
    CELERY_BROKER_TRANSPORT = "campus.filesystem_broker:Transport"
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
# Every periodic task, here and not added by the apps at beat's start: beat builds its scheduler
# from this setting before it sends `beat_init`, so entries added then are never run
# (tests/campus/test_beat_schedule.py builds beat's own scheduler and checks each one).
CELERY_BEAT_SCHEDULE = {
    # Often enough that a dead worker's row (lease WORK_LEASE_SECONDS, 15 s) is taken over within
    # 30 s; cheap, because it rings each due row once (docs/work.md).
    "work-sweep": {"task": "work.sweep", "schedule": 5.0},
    # Deliveries the database could not take within Zoom's deadline, stored once it can.
    "zoom-webhook-spool-drain": {"task": "zoom_integration.webhook_spool_drain", "schedule": 15.0},
    # Re-authentication emails again only for connections still broken 24 hours later.
    "zoom-reauth-reminders": {"task": "zoom_integration.reauth_reminders", "schedule": 3600.0},
    # One light check per connected account Zoom has not accepted for a few hours.
    "zoom-credential-checks": {"task": "zoom_integration.credential_checks", "schedule": 3600.0},
    # The safety nets behind meeting.ended and recording.completed.
    "zoom-attendance-poll": {"task": "zoom_integration.attendance_poll", "schedule": 300.0},
    "zoom-recording-polls": {"task": "zoom_integration.recording_polls", "schedule": 300.0},
}

# --- Zoom -----------------------------------------------------------------------------------------

ZOOM_OAUTH_BASE_URL = os.environ.get("ZOOM_OAUTH_BASE_URL", "http://127.0.0.1:8001").rstrip("/")
ZOOM_API_BASE_URL = os.environ.get("ZOOM_API_BASE_URL", "http://127.0.0.1:8001/v2").rstrip("/")
ZOOM_CLIENT_ID = os.environ.get("ZOOM_CLIENT_ID", "campus-client-id")
ZOOM_CLIENT_SECRET = os.environ.get("ZOOM_CLIENT_SECRET", "campus-client-secret")
ZOOM_WEBHOOK_SECRET = os.environ.get("ZOOM_WEBHOOK_SECRET", "campus-webhook-secret")
# A page that calls Zoom (the OAuth callback, the server-to-server form) waits at most this long
# and then tells the person to try again; background work keeps zoomclient's longer timeouts.
ZOOM_INTERACTIVE_TIMEOUT_SECONDS = float(os.environ.get("ZOOM_INTERACTIVE_TIMEOUT_SECONDS", "10"))
# Background work waits this long for each answer (and each chunk of a download) from Zoom; a call
# that times out is retried later like any unreachable Zoom.
ZOOM_READ_TIMEOUT_SECONDS = float(os.environ.get("ZOOM_READ_TIMEOUT_SECONDS", "30"))
# Each connected account's credentials are checked with a light call (GET /users/me) when Zoom
# has not accepted them for this long, so a dead grant is found before a meeting's data is lost;
# the checks of several accounts are spaced apart so they do not reach Zoom together.
ZOOM_CREDENTIAL_CHECK_HOURS = float(os.environ.get("ZOOM_CREDENTIAL_CHECK_HOURS", "4"))
ZOOM_CREDENTIAL_CHECK_SPACING_SECONDS = float(
    os.environ.get("ZOOM_CREDENTIAL_CHECK_SPACING_SECONDS", "10")
)
# Verified webhook deliveries wait here while the database cannot take them in Zoom's 3 seconds
# (docs/zoom-integration.md, "When the database is busy"). At scale: a directory the drain reaches.
ZOOM_WEBHOOK_SPOOL_DIR = Path(
    os.environ.get("ZOOM_WEBHOOK_SPOOL_DIR", VAR_DIR / "zoom-webhook-spool")
).resolve()

# One pacer keeps every worker under each Zoom account's rate limits (docs/pacing.md): Redis at
# scale (`ZOOM_PACER_REDIS_URL`, by default `REDIS_URL`), else a SQLite file the processes of this
# machine share. A call the pacer holds back for longer than the wait below is rescheduled.
ZOOM_PACER_REDIS_URL = os.environ.get("ZOOM_PACER_REDIS_URL", os.environ.get("REDIS_URL", ""))
ZOOM_PACER_PATH = Path(os.environ.get("ZOOM_PACER_PATH", VAR_DIR / "zoom-pacer.sqlite3")).resolve()
ZOOM_PACER_MAX_WAIT_SECONDS = float(os.environ.get("ZOOM_PACER_MAX_WAIT_SECONDS", "0.25"))

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
        # axes narrates every attempt at INFO; campus.sign_in says what matters, structured.
        "axes": {"level": "WARNING"},
    },
}
