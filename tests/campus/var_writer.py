"""Run inside a Campus process (`manage.py shell -c "import tests.campus.var_writer"`): make every
kind of file Campus keeps under var/, then print the mode of each thing under var/ as JSON while
the database connection is still open (SQLite removes its -wal and -shm on the last close)."""

from __future__ import annotations

import json
import stat
import sys
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.mail import send_mail
from django.db import connection

from campus.celery import app
from organizations.models import Organization

Organization.objects.create(name="Private", slug="private", time_zone="UTC")  # a write: WAL
send_mail("Private", "Only for its owner.", None, ["someone@campus.test"])  # var/mail
default_storage.save("recordings/private.mp4", ContentFile(b"\x00" * 10))  # var/media
app.send_task("work.run", kwargs={})  # a message file in the filesystem broker's queue
assert connection.connection is not None  # still open

var = Path(settings.VAR_DIR)
modes = {
    str(path.relative_to(var)): stat.S_IMODE(path.stat().st_mode) for path in [var, *var.rglob("*")]
}
print(json.dumps(modes))
sys.stdout.flush()
