"""Keys made on first use under var/."""

from __future__ import annotations

import itertools
import stat
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from campus.local_keys import key_from_file


def test_key_is_made_once_then_read(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "fernet.key"
    made = iter(["first", "second"])

    assert key_from_file(path, lambda: next(made)) == "first"
    assert key_from_file(path, lambda: next(made)) == "first"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_processes_racing_on_first_use_all_get_the_one_key(tmp_path: Path) -> None:
    path = tmp_path / "secret.key"
    counter = itertools.count()  # unlike a generator, safe to advance from many threads

    with ThreadPoolExecutor(max_workers=16) as pool:
        keys = set(
            pool.map(lambda _: key_from_file(path, lambda: f"key-{next(counter)}"), range(64))
        )

    assert keys == {path.read_text()}
    assert [p.name for p in tmp_path.iterdir()] == ["secret.key"]  # no drafts left behind
