"""What a session says, and who is told, when Zoom never provided its data: one wording and one
email for attendance and for recordings alike (docs/attendance.md, docs/recordings.md).

After 72 hours of tries the session's attendance reads "data not available from Zoom: <reason>"
and its recording "recording not available from Zoom: <reason>"; the organization's Course
Admins get one email about it (the caller keeps the "told" mark, so a second verdict is silent).
"""

from __future__ import annotations

import logging
from enum import Enum

from django.conf import settings
from django.core.mail import EmailMessage, get_connection

from live_events.models import LiveEventSession
from organizations.models import Role, User

log = logging.getLogger("live_events.not_available")


class SessionData(Enum):
    """What Zoom did not provide, with its words on the page and in the email."""

    ATTENDANCE = ("data not available from Zoom", "Attendance", "the attendance")
    RECORDING = ("recording not available from Zoom", "The recording", "the recording")

    def __init__(self, status_words: str, subject_noun: str, body_noun: str) -> None:
        self.status_words = status_words
        self.subject_noun = subject_noun
        self.body_noun = body_noun


def not_available_words(*, data: SessionData, reason: str) -> str:
    """The session's status once given up: "… not available from Zoom: <the last reason>"."""
    return f"{data.status_words}: {reason}" if reason else data.status_words


def course_admins_tell_not_available(*, session_id: int, data: SessionData, reason: str) -> int:
    """Email each active Course Admin of the session's organization that Zoom did not provide
    `data` within 72 hours, with Zoom's last answer. Returns how many were emailed."""
    session = LiveEventSession.objects.select_related("event").get(pk=session_id)
    event = session.event
    admins = User.objects.filter(
        membership__organization_id=event.organization_id,
        membership__role=Role.COURSE_ADMIN,
        is_active=True,
    ).exclude(email="")
    when = session.starts_at.strftime("%Y-%m-%d %H:%M UTC")
    subject = f"{data.subject_noun} of “{event.title}” ({when}) is not available from Zoom"
    body = (
        f"Campus tried for 72 hours to get {data.body_noun} of “{event.title}”, session of "
        f"{when}, and Zoom did not provide it.\n\nLast answer: {reason}\n\n"
        f"The session shows “{data.status_words}”."
    )
    if data is SessionData.ATTENDANCE:
        body += " A Course Admin can try again with Fetch now on the lesson page."
    messages = [
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [admin.email]) for admin in admins
    ]
    if messages:
        with get_connection() as connection:
            connection.send_messages(messages)
    log.info(
        "live_events.not_available_told",
        extra={"session_id": session_id, "data": data.name.lower(), "admins": len(messages)},
    )
    return len(messages)
