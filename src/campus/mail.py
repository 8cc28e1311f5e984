"""The embedded default's email: every message as a file under var/mail, and in the log.

The log copy is what a person reads in the terminal (`make run` shows the records of
`campus.mail`): who it is to, the subject and the text, with the file that holds the whole message.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend

log = logging.getLogger("campus.mail")


class ConsoleAndFileEmailBackend(FileEmailBackend):
    """Writes each message to EMAIL_FILE_PATH (one file per connection) and logs it."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        sent = super().send_messages(email_messages)
        for message in email_messages:
            log.info(
                "email to %s: %s\n%s",
                ", ".join(message.recipients()),
                message.subject,
                _readable(message, saved_in=self.file_path),
            )
        return sent


def _readable(message: EmailMessage, *, saved_in: str) -> str:
    headers = [
        f"  From: {message.from_email}",
        f"  To: {', '.join(message.to)}",
        *([f"  Cc: {', '.join(message.cc)}"] if message.cc else []),
        f"  Subject: {message.subject}",
        f"  (the whole message is under {saved_in})",
        "",
    ]
    body = [f"  {line}" for line in str(message.body).splitlines()]
    return "\n".join(headers + body)
