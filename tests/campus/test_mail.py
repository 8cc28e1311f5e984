"""The embedded default's email backend: console and var/mail."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.mail import EmailMessage

from campus.mail import ConsoleAndFileEmailBackend


def test_message_is_printed_and_written_to_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backend = ConsoleAndFileEmailBackend(file_path=str(tmp_path))
    message = EmailMessage(
        "Zoom needs you", "Re-authenticate here.", "campus@campus.test", ["admin@campus.test"]
    )

    sent = backend.send_messages([message])

    assert sent == 1
    [written] = list(tmp_path.iterdir())
    assert "Subject: Zoom needs you" in written.read_text()
    assert "Subject: Zoom needs you" in capsys.readouterr().out
