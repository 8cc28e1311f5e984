"""gunicorn's settings for Campus, the same in the embedded default (`make run`) and at scale.

    CAMPUS_BIND=127.0.0.1:8000 python -m gunicorn -c python:campus.gunicorn_config \
        campus.wsgi:application

Threads rather than async workers: Campus's views are plain Django, and a thread waiting on the
database or on Zoom costs little. The listen backlog is gunicorn's 2048, not the 10 of Django's
development server that dropped bursts of Zoom's webhook deliveries. Static files are served by
WhiteNoise inside the app (settings.py), from what `collectstatic` put in STATIC_ROOT.
"""

from __future__ import annotations

import os

from campus.private_files import PRIVATE_UMASK

# gunicorn reads this file before it loads Campus: files its master opens (log files) are private
# too, as everything under var/ is (campus/private_files.py). Its `umask` setting is only for the
# socket and its own temporary files.
os.umask(PRIVATE_UMASK)

bind = [os.environ.get("CAMPUS_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("CAMPUS_WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("CAMPUS_WEB_THREADS", "8"))
backlog = 2048
# A request is cut off after this long; Zoom calls from a page time out well before it.
timeout = 30
graceful_timeout = 10
keepalive = 5
# gunicorn's control socket (for `gunicornc`) defaults to one path per user, which two Campus
# servers on one machine would fight over; nothing here uses it.
control_socket_disable = True

# Request and server lines go through Campus's own formatter, like every other log line: one
# format to read, and the OAuth `code`/`state` in a callback's query string are redacted
# (campus/log_format.py). No referrer or user agent: the referrer can carry those values too.
accesslog = None  # the access logger is configured below; "-" would add a second, raw handler
errorlog = "-"
access_log_format = '"%(r)s" %(s)s %(b)s %(M)sms'
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"structured": {"()": "campus.log_format.StructuredFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "structured",
            "stream": "ext://sys.stderr",
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
