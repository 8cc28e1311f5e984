"""Reading the invitations Campus sent: run the due work as a worker would, then parse each
email's calendar part with `icalendar`, as a calendar program does."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from email.message import Message

from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from icalendar import Calendar, Component

from work.models import WorkItem, WorkState
from work.services import work_run


def run_due_work() -> None:
    """Run every due work row (tests run inside a transaction, so the bell rung on commit never
    sounds), rounds until none is left."""
    for _round in range(20):
        due = list(
            WorkItem.objects.filter(state=WorkState.PENDING, next_attempt_at__lte=timezone.now())
        )
        if not due:
            return
        for item in due:
            work_run(item_id=item.pk)


@dataclass(frozen=True)
class SentInvitation:
    to: list[str]
    subject: str
    body: str
    content_type: str
    method: str
    uid: str
    sequence: int
    starts_at: datetime
    ends_at: datetime
    status: str
    event: Component


def read_calendar(ics: str | bytes) -> tuple[Calendar, Component]:
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def sent_invitations() -> list[SentInvitation]:
    """Every invitation in Django's locmem outbox, oldest first."""
    return [invitation_of(message) for message in mail.outbox]


def invitation_of(message: object) -> SentInvitation:
    assert isinstance(message, EmailMultiAlternatives)
    calendars = [alt for alt in message.alternatives if alt[1].startswith("text/calendar")]
    assert len(calendars) == 1
    content, _mimetype = calendars[0]
    part = _calendar_part(message.message())
    calendar, event = read_calendar(str(content))
    return SentInvitation(
        to=list(message.to),
        subject=message.subject,
        body=str(message.body),
        content_type=part.get("Content-Type", ""),
        method=str(calendar["METHOD"]),
        uid=str(event["UID"]),
        sequence=int(event["SEQUENCE"]),
        starts_at=event.decoded("DTSTART"),
        ends_at=event.decoded("DTEND"),
        status=str(event["STATUS"]),
        event=event,
    )


def invitation_of_mime(message: Message) -> tuple[str, Component]:
    """The method and VEVENT of a message as it went over SMTP."""
    part = _calendar_part(message)
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    calendar, event = read_calendar(payload)
    return str(calendar["METHOD"]), event


def _calendar_part(message: Message) -> Message:
    parts = [
        part
        for part in message.walk()
        if part.get_content_type() == "text/calendar" and part.get_filename() is None
    ]
    assert len(parts) == 1
    return parts[0]
