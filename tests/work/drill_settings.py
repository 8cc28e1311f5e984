"""Settings of the killed-worker drill: Campus's own, with a private database, broker and clock.

The drill's processes (driver and workers) all read these, so they share one database and one
queue, and nothing of the developer's var/ is touched. Every knob comes from the environment the
test sets: WORK_DRILL_DIR, WORK_DRILL_DATABASE_URL, and CELERY_BROKER_URL when it is Redis.
"""

import os
from pathlib import Path

from campus.database_url import database_from_url
from campus.settings import *  # noqa: F403

DRILL_DIR = Path(os.environ["WORK_DRILL_DIR"])

DATABASES = {"default": database_from_url(os.environ["WORK_DRILL_DATABASE_URL"])}

if os.environ.get("CELERY_BROKER_URL", "").startswith("redis://"):
    # Every key the transport writes (queue, unacked messages, bindings) starts with this prefix,
    # so the drill can purge all of it, including the message the killed worker held unacked.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"global_keyprefix": os.environ["WORK_DRILL_KEY_PREFIX"]}
else:
    CELERY_BROKER_URL = "filesystem://"
    for folder in ("queue", "processed"):
        (DRILL_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(DRILL_DIR / "queue"),
        "data_folder_out": str(DRILL_DIR / "queue"),
        "processed_folder": str(DRILL_DIR / "processed"),
        "control_folder": str(DRILL_DIR / "control"),
        "store_processed": False,
    }

# The handler the drill runs lives in the tests, so the worker is told to import it.
CELERY_IMPORTS = ["tests.work.drill_handler"]
CELERY_BEAT_SCHEDULE_FILENAME = str(DRILL_DIR / "beat-schedule")

# WORK_DRILL_PRODUCTION_TIMING keeps Campus's own lease and sweep interval, for the drill that
# proves how soon a dead worker's row is taken over. Otherwise both are short, so a test waits
# little, and a lease of seconds shows that the heartbeat keeps a live attempt's row.
if not os.environ.get("WORK_DRILL_PRODUCTION_TIMING"):
    CELERY_BEAT_SCHEDULE = {"work-sweep": {"task": "work.sweep", "schedule": 1.0}}
    WORK_LEASE_SECONDS = 3
