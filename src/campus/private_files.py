"""Everything Campus keeps under var/ is its owner's alone: folders 0700, files 0600.

The database and its WAL hold every token and every person, var/mail holds the emails with their
links, the keys decrypt the secrets: on a shared machine none of it is for other local users.
Two layers make it so. Each process Campus starts sets a private umask as early as it can
(settings, which every Django process reads first; gunicorn's config; zoomsim's main), so files
that libraries create (SQLite's -wal and -shm, the Celery broker's messages, beat's schedule,
log files) are private whoever creates them. And where Campus makes a folder or file itself it
says the mode outright, tightening any a previous version left readable, so a umask set too late
or changed by something else cannot open them up.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_umask_set() -> None:
    os.umask(PRIVATE_UMASK)


def private_dir(path: Path) -> Path:
    """The folder, made if missing (with any missing parents), readable by its owner only."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    os.chmod(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """The file, made empty if missing, readable by its owner only."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        os.chmod(path, PRIVATE_FILE_MODE)
    else:
        os.close(descriptor)
    return path


def private_sqlite_file(path: Path) -> Path:
    """The SQLite database file made (empty, which SQLite takes as a new database) before SQLite
    makes it with the umask's mode: SQLite gives its -wal and -shm files the database file's own
    permissions, so they follow. Ones already there are tightened too."""
    if not path.parent.exists():
        private_dir(path.parent)
    private_file(path)
    for suffix in ("-wal", "-shm", "-journal"):
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.chmod(companion, PRIVATE_FILE_MODE)
    return path
