"""The embedded default's email backend: a file under var/mail, and a log record to read."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from django.core.mail import EmailMessage

from campus.mail import ConsoleAndFileEmailBackend


def test_message_is_written_to_a_file_and_logged_readably(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    backend = ConsoleAndFileEmailBackend(file_path=str(tmp_path))
    message = EmailMessage(
        "Zoom needs you",
        "Re-authenticate here:\nhttp://127.0.0.1:8000/admin-tools/integrations/zoom/",
        "campus@campus.test",
        ["admin@campus.test"],
    )

    with caplog.at_level(logging.INFO, logger="campus.mail"):
        sent = backend.send_messages([message])

    assert sent == 1
    [written] = list(tmp_path.iterdir())
    assert "Subject: Zoom needs you" in written.read_text()
    [record] = caplog.records
    assert record.name == "campus.mail"
    first_line, *rest = record.getMessage().splitlines()
    assert first_line == "email to admin@campus.test: Zoom needs you"
    assert "  Subject: Zoom needs you" in rest
    assert "  http://127.0.0.1:8000/admin-tools/integrations/zoom/" in rest
    assert f"  (the whole message is under {tmp_path})" in rest
