"""Keys the embedded default keeps under var/ so that `make run` needs no configuration.

Each key is made once, on first use, and written readable by its owner only. The web server and the
worker may start at the same moment: the file appears whole or not at all (written aside, then
hard-linked into place, which fails if another process got there first), so both read one key.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def key_from_file(path: Path, make_key: Callable[[], str]) -> str:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(make_key())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()
