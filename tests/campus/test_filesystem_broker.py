"""The embedded default's broker under a burst: many sender processes and two readers at once.

Kombu's own filesystem transport creates a message file and only then writes it, so a reader could
parse an empty file and the Celery worker died of the JSONDecodeError. Campus's transport
(campus/filesystem_broker.py) writes each file whole; here real processes race it and every message
arrives exactly once, with no reader failing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from queue import Empty

import pytest
from django.conf import settings

from campus.filesystem_broker import UNPARSABLE_GRACE_SECONDS, Channel

PROJECT_DIR = Path(__file__).resolve().parents[2]
TRANSPORT = "campus.filesystem_broker:Transport"
SENDERS = 6
MESSAGES_EACH = 150
READERS = 2


def _party(*arguments: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR / "src"), str(PROJECT_DIR)]),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "tests.campus.broker_party", *arguments],
        cwd=PROJECT_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _folders(root: Path) -> Path:
    for name in ("queue", "processed", "control"):
        (root / name).mkdir(parents=True)
    return root


def test_campus_selects_its_own_filesystem_transport() -> None:
    assert settings.CELERY_BROKER_URL == "filesystem://"
    assert settings.CELERY_BROKER_TRANSPORT == TRANSPORT


@pytest.mark.timeout(180)
def test_a_burst_of_senders_delivers_every_message_once_and_no_reader_fails(
    tmp_path: Path,
) -> None:
    folder = _folders(tmp_path)
    readers = [_party("read", TRANSPORT, str(folder), "1.0") for _reader in range(READERS)]
    senders = [
        _party("send", TRANSPORT, str(folder), f"s{index}", str(MESSAGES_EACH))
        for index in range(SENDERS)
    ]
    for sender in senders:
        _out, errors = sender.communicate(timeout=120)
        assert sender.returncode == 0, errors
    (folder / "done").touch()

    received: Counter[tuple[str, int]] = Counter()
    for reader in readers:
        output, errors = reader.communicate(timeout=120)
        assert reader.returncode == 0, errors
        assert "JSONDecodeError" not in errors
        *messages, summary = output.strip().splitlines()
        assert json.loads(summary) == {"read": len(messages)}
        received.update((m["sender"], m["n"]) for m in map(json.loads, messages))

    expected = {(f"s{index}", n) for index in range(SENDERS) for n in range(MESSAGES_EACH)}
    assert set(received) == expected
    assert max(received.values()) == 1
    assert list((folder / "queue").iterdir()) == []


class _Connection:
    def __init__(self, folder: Path) -> None:
        self.client = self
        self.transport_options = {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
        }


def _channel(folder: Path) -> Channel:
    """The channel's reading half alone, without a connection's machinery."""
    channel = Channel.__new__(Channel)
    channel.connection = _Connection(folder)  # type: ignore[assignment]
    return channel


def test_a_file_still_being_written_is_left_for_the_next_poll(tmp_path: Path) -> None:
    folder = _folders(tmp_path)
    channel = _channel(folder)
    half = folder / "queue" / "1_a.burst.msg"
    half.write_bytes(b'{"body": ')

    with pytest.raises(Empty):
        channel._get("burst")

    assert half.read_bytes() == b'{"body": '
    half.write_bytes(b'{"body": "whole"}')
    assert channel._get("burst") == {"body": "whole"}
    assert not half.exists()


def test_a_file_that_stays_unparsable_is_set_aside_not_retried_forever(tmp_path: Path) -> None:
    folder = _folders(tmp_path)
    channel = _channel(folder)
    broken = folder / "queue" / "1_a.burst.msg"
    broken.write_bytes(b"not json")
    old = time.time() - UNPARSABLE_GRACE_SECONDS - 1
    os.utime(broken, (old, old))
    (folder / "queue" / "2_b.burst.msg").write_bytes(b'{"body": "next"}')

    assert channel._get("burst") == {"body": "next"}
    assert not broken.exists()
    assert (folder / "unparsable" / "1_a.burst.msg").read_bytes() == b"not json"


def test_a_message_being_written_under_its_temporary_name_is_not_seen(tmp_path: Path) -> None:
    folder = _folders(tmp_path)
    channel = _channel(folder)
    (folder / "queue" / "1_a.burst.msg.part").write_bytes(b"")

    assert channel._size("burst") == 0
    with pytest.raises(Empty):
        channel._get("burst")
