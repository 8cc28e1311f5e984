"""The learner's calendar invitation of a registration, as iCalendar (RFC 5545, iTIP RFC 5546).

One registration is one calendar event in the learner's calendar: its UID is the registration's
(`registration-<id>@<campus host>`), so every later message about it (a new time, a cancellation)
updates that same entry instead of adding another. Calendars apply a message only when its
SEQUENCE is higher than the one they hold, which is why the registration row keeps it and every
change sent raises it. A move to another session is a new registration, hence a new UID: a CANCEL
for the old one and a REQUEST for the new.

Times are written in UTC (a trailing Z): no VTIMEZONE needed, and every calendar shows them in the
reader's own zone. The description links to Campus's join page, never to Zoom's personal link,
which Campus keeps behind that page (it opens only shortly before the start).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from enum import StrEnum
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import reverse
from icalendar import Calendar, Event, vCalAddress, vText

if TYPE_CHECKING:
    from live_events.models import LiveEventRegistration

PRODUCT_ID = "-//Campus//Live Events//EN"


class InvitationMethod(StrEnum):
    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


@dataclass(frozen=True)
class Invitation:
    method: InvitationMethod
    uid: str
    sequence: int
    ics: str


def invitation_uid(registration_id: int) -> str:
    return f"registration-{registration_id}@{campus_host()}"


def campus_host() -> str:
    return urlsplit(settings.CAMPUS_BASE_URL).hostname or "campus"


def campus_join_page(session_id: int) -> str:
    return settings.CAMPUS_BASE_URL + reverse("live_events:join", args=[session_id])


def invitation_build(
    *,
    registration: LiveEventRegistration,
    method: InvitationMethod,
    sequence: int,
    now: datetime | None = None,
) -> Invitation:
    """The VCALENDAR of one message about `registration` (its session, event and learner
    loaded): METHOD `method`, one VEVENT with SEQUENCE `sequence`."""
    session = registration.session
    event = registration.event
    learner = registration.learner
    starts_at = session.starts_at.astimezone(UTC)
    join_page = campus_join_page(session.pk)
    uid = invitation_uid(registration.pk)

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method.value)

    vevent = Event()
    vevent.add("uid", uid)
    vevent.add("sequence", sequence)
    vevent.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    vevent.add("dtstart", starts_at)
    vevent.add("dtend", starts_at + timedelta(minutes=session.duration_minutes))
    vevent.add("summary", event.title)
    description = "\n\n".join(
        part for part in (event.description.strip(), f"Join from Campus: {join_page}") if part
    )
    vevent.add("description", description)
    vevent.add("url", join_page)
    vevent.add("location", join_page)
    vevent.add("status", "CONFIRMED" if method is InvitationMethod.REQUEST else "CANCELLED")
    vevent.add("transp", "OPAQUE")
    vevent.add("organizer", _organizer())
    vevent.add("attendee", _attendee(learner.email, learner.get_full_name()))
    calendar.add_component(vevent)
    return Invitation(method=method, uid=uid, sequence=sequence, ics=calendar.to_ical().decode())


def _organizer() -> vCalAddress:
    # The from-address: replies (accept/decline) reach Campus's mailbox, not the host's.
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    organizer = vCalAddress(f"mailto:{address or settings.DEFAULT_FROM_EMAIL}")
    if name:
        organizer.params["cn"] = vText(name)
    return organizer


def _attendee(email: str, name: str) -> vCalAddress:
    attendee = vCalAddress(f"mailto:{email}")
    if name:
        attendee.params["cn"] = vText(name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    # Registering already said yes: no reply is asked of the learner.
    attendee.params["partstat"] = vText("ACCEPTED")
    attendee.params["rsvp"] = vText("FALSE")
    return attendee
