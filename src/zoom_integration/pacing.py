"""The one pacer of this process for Zoom calls (zoomclient.pacing), chosen by settings: Redis
when `ZOOM_PACER_REDIS_URL` is set (every worker on every machine shares it), else the SQLite file
`ZOOM_PACER_PATH` under var/ that the processes of this machine share."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from campus.private_files import private_sqlite_file
from zoomclient import Pacer
from zoomclient.pacer_redis import RedisPacer
from zoomclient.pacer_sqlite import SqlitePacer


@cache
def zoom_pacer() -> Pacer:
    if settings.ZOOM_PACER_REDIS_URL:
        return RedisPacer.from_url(settings.ZOOM_PACER_REDIS_URL)
    # Made owner-only before SQLite creates it (its -wal and -shm files follow its mode).
    return SqlitePacer(private_sqlite_file(settings.ZOOM_PACER_PATH))
