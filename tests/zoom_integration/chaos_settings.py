"""Settings of the chaos test's worker and beat processes: Campus's own at scale (PostgreSQL,
Celery on Redis, the Redis pacer, all from the environment), on the test's database, with a short
lease and sweep so a SIGKILLed worker's row is taken over within seconds, and short backoff so
the retries the faults cause fit in the test's minutes.

The test sets CHAOS_DATABASE_URL (the test process's own PostgreSQL test database, so the live
server's webhook intake, the workers and the test read the same rows) and CHAOS_DIR.
"""

import os
from pathlib import Path

from campus.database_url import database_from_url
from campus.settings import *  # noqa: F403

CHAOS_DIR = Path(os.environ["CHAOS_DIR"])

DATABASES = {"default": database_from_url(os.environ["CHAOS_DATABASE_URL"])}

CELERY_BEAT_SCHEDULE_FILENAME = str(CHAOS_DIR / "beat-schedule")
CELERY_BEAT_SCHEDULE = {
    **CELERY_BEAT_SCHEDULE,  # noqa: F405
    "work-sweep": {"task": "work.sweep", "schedule": 1.0},
}
WORK_LEASE_SECONDS = 5
WORK_BACKOFF_BASE_SECONDS = 0.5
WORK_BACKOFF_CAP_SECONDS = 2
WORK_RING_AGAIN_SECONDS = 3
