"""The embedded default's email: every message on the console and as a file under var/mail."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.mail import EmailMessage
from django.core.mail.backends.console import EmailBackend as ConsoleEmailBackend
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class ConsoleAndFileEmailBackend(FileEmailBackend):
    """Writes each message to EMAIL_FILE_PATH (one file per connection) and to stdout."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.console = ConsoleEmailBackend(fail_silently=self.fail_silently)

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        self.console.send_messages(email_messages)
        return sent
