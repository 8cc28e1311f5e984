"""What a session says, and who is told, when Zoom never provided its data: one wording and one
email for attendance and for recordings alike (docs/attendance.md, docs/recordings.md).

After 72 hours of tries the session's attendance reads "data not available from Zoom: <reason>"
and its recording "recording not available from Zoom: <reason>"; the organization's Course
Admins get one email about it.

Nothing lost, nothing twice: the verdict does not send. In the transaction that saves it (and
its "told" mark) it plans one work row per Course Admin (`live_events.not_available.email`,
deduplicated per session, data and admin), as the calendar invitations do; the row's handler
sends that one email after commit and is retried with backoff while the mail server fails. A
verdict rolled back plans nothing; a verdict given again finds the mark and plans nothing more.
"""

from __future__ import annotations

import logging
from enum import Enum

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from live_events.attendance_models import AttendanceSync
from live_events.invitations import campus_host
from live_events.models import LiveEventRecordingSync, LiveEventSession
from organizations.models import Role, User
from work.services import work_enqueue

log = logging.getLogger("live_events.not_available")

NOT_AVAILABLE_EMAIL_KIND = "live_events.not_available.email"
# The backoff is capped at an hour: thirty tries ride out a mail server down for about a day.
EMAIL_MAX_ATTEMPTS = 30


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


def _course_admins(organization_id: int) -> list[User]:
    return list(
        User.objects.filter(
            membership__organization_id=organization_id,
            membership__role=Role.COURSE_ADMIN,
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
    )


def not_available_email_dedupe_key(*, session_id: int, data: SessionData, user_id: int) -> str:
    return f"{NOT_AVAILABLE_EMAIL_KIND}:{data.name.lower()}:session:{session_id}:user:{user_id}"


# How much of Zoom's last answer a sync row keeps (its `last_reason` column).
REASON_LENGTH = 300


def not_available_verdict(
    sync: AttendanceSync | LiveEventRecordingSync,
    *,
    unavailable: str,
    data: SessionData,
    reason: str,
) -> bool:
    """The verdict on a sync row the caller holds locked in its transaction: state `unavailable`,
    no next try, Zoom's last answer kept, and the Course Admins' emails planned with the "told"
    mark the first time only. Returns whether this call planned them."""
    sync.state = unavailable
    sync.next_try_at = None
    sync.last_reason = reason[:REASON_LENGTH]
    tell = sync.admins_told_at is None
    if tell:
        sync.admins_told_at = timezone.now()
        # Planned with the mark, in this transaction: sent after commit, retried until sent.
        course_admins_not_available_emails_plan(
            session_id=sync.session_id, data=data, reason=reason
        )
    sync.save()
    return tell


def course_admins_not_available_emails_plan(
    *, session_id: int, data: SessionData, reason: str
) -> int:
    """Plan the email to each active Course Admin of the session's organization that Zoom did not
    provide `data` within 72 hours. Call it inside the transaction that saves the verdict and its
    "told" mark, so both commit or neither does. Returns how many emails were planned."""
    session = LiveEventSession.objects.select_related("event__organization").get(pk=session_id)
    organization = session.event.organization
    admins = _course_admins(organization.pk)
    for admin in admins:
        work_enqueue(
            kind=NOT_AVAILABLE_EMAIL_KIND,
            subject=f"session:{session_id}:user:{admin.pk}",
            payload={
                "session_id": session_id,
                "user_id": admin.pk,
                "data": data.name,
                "reason": reason,
            },
            organization=organization,
            dedupe_key=not_available_email_dedupe_key(
                session_id=session_id, data=data, user_id=admin.pk
            ),
            max_attempts=EMAIL_MAX_ATTEMPTS,
        )
    log.info(
        "live_events.not_available_planned",
        extra={"session_id": session_id, "data": data.name.lower(), "admins": len(admins)},
    )
    return len(admins)


def course_admin_not_available_email_send(
    *, session_id: int, user_id: int, data: SessionData, reason: str
) -> bool:
    """Send one planned email (the work row's body). False when there is no one to send it to
    any more (the person left the organization's Course Admins, or the session is gone). Raises
    what the mail backend raises: the work retries it."""
    session = LiveEventSession.objects.select_related("event").filter(pk=session_id).first()
    if session is None:
        return False
    event = session.event
    admin = next((a for a in _course_admins(event.organization_id) if a.pk == user_id), None)
    if admin is None:
        return False
    when = session.starts_at.strftime("%Y-%m-%d %H:%M UTC")
    # Titles are single-line when validated; whitespace runs become one space all the same, so
    # an old one cannot become a header the mail library refuses.
    title = " ".join(event.title.split())
    subject = f"{data.subject_noun} of “{title}” ({when}) is not available from Zoom"
    body = (
        f"Campus tried for 72 hours to get {data.body_noun} of “{title}”, session of "
        f"{when}, and Zoom did not provide it.\n\nLast answer: {reason}\n\n"
        f"The session shows “{data.status_words}”."
    )
    if data is SessionData.ATTENDANCE:
        body += " A Course Admin can try again with Fetch now on the lesson page."
    # A worker killed between the SMTP server's "queued" and the row turning done sends the
    # message again on retry (at least once): its fixed Message-ID lets mail systems tell.
    message_id = f"<not-available-{data.name.lower()}-{session_id}-{user_id}@{campus_host()}>"
    EmailMessage(
        subject,
        body,
        settings.DEFAULT_FROM_EMAIL,
        [admin.email],
        headers={"Message-ID": message_id},
    ).send(fail_silently=False)
    log.info(
        "live_events.not_available_told",
        extra={"session_id": session_id, "data": data.name.lower(), "user_id": user_id},
    )
    return True
