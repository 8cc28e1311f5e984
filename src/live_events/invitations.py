"""Campus's own invitations: an email per registration with an iCalendar (RFC 5545) event built
with the `icalendar` library, so learners' calendars follow the session.

The UID is stable per registration (`registration-<id>@<host>`): every later message about it
updates the same calendar entry. SEQUENCE counts the messages sent, so a reschedule (a new
REQUEST) outranks the invitation it replaces, and a CANCEL (on cancelling, moving to another
session, or removal) outranks both. Messages go out from background work (`work` rows), so a
failed send is retried and none is lost; the handler decides REQUEST or CANCEL from the
registration as it is when it runs.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone

from live_events.models import ACTIVE_REGISTRATION_STATES, LiveEventRegistration, RegistrationStatus

log = logging.getLogger("live_events.invitations")

INVITATION_WORK_KIND = "live_events.invitation.send"
PRODUCT_ID = "-//Campus//Live events//EN"


def invitation_uid(registration: LiveEventRegistration) -> str:
    host = urlsplit(settings.CAMPUS_BASE_URL).hostname or "campus"
    return f"registration-{registration.pk}@{host}"


def invitation_ics(registration: LiveEventRegistration, *, method: str, sequence: int) -> bytes:
    """The calendar object for `registration`: `method` REQUEST (add or update) or CANCEL."""
    session = registration.session
    event = registration.event
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = icalendar.Event()
    entry.add("uid", invitation_uid(registration))
    entry.add("sequence", sequence)
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", session.starts_at)
    entry.add("dtend", session.starts_at + timedelta(minutes=session.duration_minutes))
    entry.add("summary", event.title)
    description = event.description
    if registration.join_url and method == "REQUEST":
        entry.add("location", registration.join_url)
        entry.add("url", registration.join_url)
        description = f"{description}\n\nJoin: {registration.join_url}".strip()
    if description:
        entry.add("description", description)
    entry.add("status", "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    organizer = icalendar.vCalAddress(f"mailto:{_from_address()}")
    organizer.params["cn"] = icalendar.vText("Campus")
    entry.add("organizer", organizer)
    attendee = icalendar.vCalAddress(f"mailto:{registration.learner.email}")
    attendee.params["cn"] = icalendar.vText(registration.learner.get_full_name() or "")
    attendee.params["role"] = icalendar.vText("REQ-PARTICIPANT")
    entry.add("attendee", attendee)
    calendar.add_component(entry)
    return bytes(calendar.to_ical())


def _from_address() -> str:
    sender = str(settings.DEFAULT_FROM_EMAIL)
    return sender.split("<")[-1].rstrip(">").strip() if "<" in sender else sender


def invitation_enqueue(*, registration: LiveEventRegistration) -> None:
    """Send (or update, or cancel) the learner's invitation in the background, after commit."""
    # Imported here: the work app is infrastructure that live_events uses only to send mail.
    from work.services import work_enqueue

    work_enqueue(
        kind=INVITATION_WORK_KIND,
        subject=f"registration:{registration.pk}",
        payload={"registration_id": registration.pk},
        organization=registration.event.organization,
        dedupe_key=f"{INVITATION_WORK_KIND}:registration:{registration.pk}",
    )


def invitation_send(*, registration_id: int) -> str:
    """Send what the registration needs now: REQUEST while registered, CANCEL once cancelled
    (if an invitation went out). Returns the method sent, or "" when nothing was due."""
    registration = (
        LiveEventRegistration.objects.select_for_update()
        .select_related("session", "event", "learner")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return ""
    if registration.status == RegistrationStatus.REGISTERED and registration.join_url:
        method = "REQUEST"
    elif (
        registration.status not in ACTIVE_REGISTRATION_STATES
        and registration.invitations_sent
        and registration.cancellation_sent_at is None
    ):
        method = "CANCEL"
    else:
        return ""
    sequence = registration.invitations_sent
    message = EmailMessage(
        subject=_subject(registration, method),
        body=_body(registration, method),
        to=[registration.learner.email],
    )
    message.attach(
        "invitation.ics",
        invitation_ics(registration, method=method, sequence=sequence),
        f"text/calendar; method={method}; charset=utf-8",
    )
    now = timezone.now()
    registration.invitations_sent = sequence + 1
    registration.invitation_sent_at = now
    if method == "CANCEL":
        registration.cancellation_sent_at = now
    registration.save(
        update_fields=["invitations_sent", "invitation_sent_at", "cancellation_sent_at"]
    )
    # Inside the work's transaction: a failed send rolls the count back and the work retries.
    message.send()
    log.info(
        "live_events.invitation.sent",
        extra={"registration_id": registration.pk, "method": method, "sequence": sequence},
    )
    return method


def _subject(registration: LiveEventRegistration, method: str) -> str:
    if method == "CANCEL":
        return f"Cancelled: {registration.event.title}"
    return f"Invitation: {registration.event.title}"


def _body(registration: LiveEventRegistration, method: str) -> str:
    session = registration.session
    when = session.starts_at.strftime("%d %B %Y, %H:%M UTC")
    if method == "CANCEL":
        return (
            f"Your place in “{registration.event.title}” on {when} is cancelled. The attached "
            "invitation removes it from your calendar."
        )
    return (
        f"You are registered for “{registration.event.title}” on {when} "
        f"({session.duration_minutes} minutes, {session.time_zone}).\n\n"
        f"Your personal Zoom link: {registration.join_url}\n\n"
        "The attached invitation adds it to your calendar and keeps it up to date."
    )


def invitations_for_session_enqueue(*, session_id: int) -> None:
    """A session moved or was removed: every registration that was sent an invitation gets an
    updated one (or its CANCEL)."""
    for registration in LiveEventRegistration.objects.filter(
        session_id=session_id, invitations_sent__gt=0
    ).select_related("event", "event__organization"):
        invitation_enqueue(registration=registration)
