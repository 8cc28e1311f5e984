"""The email that carries a calendar invitation: a plain-text body a person can read (the time in
the learner's own zone, the zone named) and the invitation itself.

The invitation goes twice, as calendars expect it: as a `text/calendar; method=…` alternative of
the body (what Outlook, Gmail and Apple Mail turn into the Accept/Add to calendar panel) and as an
`invite.ics` attachment (for clients that only show attachments). The Message-ID is fixed per
registration and SEQUENCE, so a mail system that sees the same message twice can tell.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from live_events.invitations import Invitation, InvitationMethod, campus_host, campus_join_page
from live_events.selectors import join_opens_before

if TYPE_CHECKING:
    from live_events.models import LiveEventRegistration

# Why a CANCEL is sent, for the body's first sentence.
REASON_MOVED = "moved"
REASON_SESSION_REMOVED = "session_removed"
REASON_EVENT_REMOVED = "event_removed"
REASON_CANCELLED = "cancelled"
# Why a REQUEST after the first is sent, when not (only) for a new time.
REASON_REGISTERED_AGAIN = "registered_again"


def invitation_email_build(
    *,
    registration: LiveEventRegistration,
    invitation: Invitation,
    is_update: bool,
    reason: str = "",
) -> EmailMultiAlternatives:
    """The message to the learner of `registration` (session, event, its organization and the
    learner loaded). `is_update`: a REQUEST after one already sent (a new time, or with `reason`
    REASON_REGISTERED_AGAIN, registered at Zoom again on a new meeting)."""
    session = registration.session
    event = registration.event
    learner = registration.learner
    zone = _zone(learner.time_zone or event.organization.time_zone)
    starts = session.starts_at.astimezone(zone)
    ends = starts + timedelta(minutes=session.duration_minutes)
    # A subject is one header line: a topic saved with a line break must not break it.
    title = " ".join(event.title.split())
    when = _when(starts, ends)
    context = {
        "learner_name": learner.get_full_name() or learner.email,
        "title": title,
        "method": invitation.method.value,
        "is_update": is_update,
        "reason": reason,
        "when": when,
        "zone": f"{zone.key}, {starts:%Z}" if starts.tzname() != zone.key else zone.key,
        "duration_minutes": session.duration_minutes,
        "join_page": campus_join_page(session.pk),
        "join_opens_minutes": int(join_opens_before().total_seconds() // 60),
        "description": event.description.strip(),
    }
    message = EmailMultiAlternatives(
        subject=_subject(
            invitation.method, is_update=is_update, reason=reason, title=title, when=when
        ),
        body=render_to_string("live_events/email/invitation.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[learner.email],
        headers={
            "Message-ID": (f"<invitation-{registration.pk}-{invitation.sequence}@{campus_host()}>")
        },
    )
    calendar_type = f"text/calendar; method={invitation.method.value}"
    message.attach_alternative(invitation.ics, calendar_type)
    message.attach("invite.ics", invitation.ics, calendar_type)
    return message


def _zone(name: str) -> ZoneInfo:
    # Zones are validated on save; one the system no longer knows must not stop the email.
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _subject(
    method: InvitationMethod, *, is_update: bool, reason: str, title: str, when: str
) -> str:
    if method is InvitationMethod.CANCEL:
        return f"Cancelled: {title}, {when}"
    if is_update and reason == REASON_REGISTERED_AGAIN:
        return f"Updated: {title}, {when}"
    if is_update:
        return f"New time: {title}, {when}"
    return f"Registered: {title}, {when}"


def _when(starts: datetime, ends: datetime) -> str:
    day = f"{starts:%A} {starts.day} {starts:%B %Y}"
    if ends.date() == starts.date():
        return f"{day}, {starts:%H:%M} to {ends:%H:%M}"
    return f"{day}, {starts:%H:%M} to {ends:%A} {ends.day} {ends:%B %Y}, {ends:%H:%M}"
