"""gunicorn's settings for Campus, the same in the embedded default (`make run`) and at scale.

    python -m gunicorn -c python:campus.gunicorn_config campus.wsgi:application

Threads rather than async workers: Campus's views are plain Django, and a thread waiting on the
database or on Zoom costs little. The listen backlog is gunicorn's 2048, not the 10 of Django's
development server that dropped bursts of Zoom's webhook deliveries.
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
accesslog = os.environ.get("CAMPUS_ACCESS_LOG", "-")
errorlog = "-"
