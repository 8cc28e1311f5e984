"""Settings of the work throughput bench: Campus's own, plus the bench's trivial handler.

Everything else comes from the environment as in `make run` or at scale: CAMPUS_VAR_DIR (the
SQLite file and the filesystem broker's folders), or DATABASE_URL and CELERY_BROKER_URL.
"""

from campus.settings import *  # noqa: F403

# The worker must know the bench's kind of work.
CELERY_IMPORTS = ["bench.work_handler"]
