"""Writes for a session's meeting changing under Campus: rescheduled or deleted at Zoom (a host
editing it in Zoom's own pages), recreated by a builder, or replaced by a new meeting when Zoom
will not move it to a new host. Learners are told whenever their time or link changes.

How learners are told is a hook: `session_rescheduled` and `session_link_changes` are Django
signals. The invitations module (Campus's own emails with iCalendar invitations) connects to them;
while nothing is connected, a plain email is sent from here, so no learner is left with a dead
link and no word.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.dispatch import Signal
from django.http import Http404
from django.utils import timezone

from live_events.models import (
    ACTIVE_REGISTRATION_STATES,
    LiveEvent,
    LiveEventProvider,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
    ZoomMeetingState,
)
from live_events.providers import scheduling_provider_get
from organizations.models import Organization

log = logging.getLogger("live_events.meeting_changes")

# Sent after commit with `session` (LiveEventSession) and `registrations` (the active ones):
# the session's time changed; each learner's link stays the same.
session_rescheduled = Signal()
# Sent after commit with `session` and `registrations`: the session gets a new meeting, so each
# learner's personal link changes (the new one comes once Zoom registered them again).
session_link_changes = Signal()

DELETED_AT_ZOOM_NOTE = (
    "The meeting was deleted at Zoom. Recreate it to give learners a new link; until then they "
    "cannot join."
)
REGISTRATION_DELETED_NOTE = (
    "The Zoom meeting was deleted at Zoom; a new link comes when it is scheduled again."
)


def _new_marker() -> str:
    return "campus-" + secrets.token_hex(8)


# --- what Zoom changed ----------------------------------------------------------------------------


@transaction.atomic
def session_zoom_changed_at_zoom(
    *,
    session_id: int,
    sent: dict[str, object],
    starts_at: datetime | None = None,
    time_zone: str | None = None,
    duration_minutes: int | None = None,
    topic: str | None = None,
) -> None:
    """The meeting was changed at Zoom: take over the given fields (None: not changed there) and
    record `sent` as what Zoom now holds, so the next sync does not send the old values back.

    A new topic is the event's (one topic for all its meetings): the other sessions' meetings
    are brought in line. A new time is told to the registered learners."""
    session = (
        LiveEventSession.objects.select_for_update()
        .select_related("event")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return
    fields = ["zoom_sent", "zoom_synced_at"]
    session.zoom_sent = sent
    session.zoom_synced_at = timezone.now()
    if starts_at is not None:
        session.starts_at = starts_at
        fields.append("starts_at")
    if time_zone is not None:
        session.time_zone = time_zone
        fields.append("time_zone")
    if duration_minutes is not None:
        session.duration_minutes = duration_minutes
        fields.append("duration_minutes")
    session.save(update_fields=fields)
    event = session.event
    if topic is not None and topic != event.title:
        LiveEvent.objects.filter(pk=event.pk).update(title=topic, updated_at=timezone.now())
        provider = scheduling_provider_get(LiveEventProvider.ZOOM.value)
        others = event.sessions.filter(
            removed_at__isnull=True, zoom_meeting_id__isnull=False
        ).exclude(zoom_state=ZoomMeetingState.DELETED_AT_ZOOM)
        for other in others.exclude(pk=session.pk):
            if provider is not None:
                provider.session_sync_request(session=other)
    if starts_at is not None or duration_minutes is not None:
        _tell_learners_after_commit(session, rescheduled=True)
    log.info(
        "live_events.session_changed_at_zoom",
        extra={
            "session_id": session.pk,
            "fields": ",".join(fields[2:]),
            "topic": topic is not None,
        },
    )


@transaction.atomic
def session_zoom_deleted_at_zoom_noted(*, session_id: int) -> int:
    """The meeting was deleted at Zoom: the session is marked (builders see it and may recreate
    it), and its registrations lose the personal links that died with the meeting; they wait for
    the new meeting. Returns how many registrations were affected."""
    session = LiveEventSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None or session.removed_at is not None:
        return 0
    session.zoom_state = ZoomMeetingState.DELETED_AT_ZOOM
    session.zoom_problem = DELETED_AT_ZOOM_NOTE
    session.zoom_synced_at = timezone.now()
    session.save(update_fields=["zoom_state", "zoom_problem", "zoom_synced_at"])
    return _registrations_wait_for_new_meeting(session, note=REGISTRATION_DELETED_NOTE)


def _registrations_wait_for_new_meeting(session: LiveEventSession, *, note: str) -> int:
    # Zoom's registrants went with the meeting: each registration waits to be registered again on
    # the next meeting (meeting work registers every waiting registration once it exists).
    return LiveEventRegistration.objects.filter(
        session=session, status__in=ACTIVE_REGISTRATION_STATES
    ).update(
        status=RegistrationStatus.WAITING,
        zoom_registrant_id="",
        join_url="",
        zoom_registered_at=None,
        problem=note,
        updated_at=timezone.now(),
    )


# --- a new meeting for the session ----------------------------------------------------------------


def live_event_session_recreate(*, organization: Organization, session: LiveEventSession) -> int:
    """Schedule a new meeting for a session whose meeting was deleted at Zoom: a new marker (so a
    lost create answer is adopted, never made twice), the registrations put on the new meeting,
    and the learners told their link changes. Returns how many learners are registered.

    Raises Http404 for another organization's or a removed session, ValidationError when the
    meeting was not deleted at Zoom (a second click finds it being recreated)."""
    event = session.event
    if (
        event.organization_id != organization.pk
        or event.removed_at is not None
        or session.removed_at is not None
    ):
        raise Http404("No such session.")
    provider = scheduling_provider_get(LiveEventProvider.ZOOM.value)
    if provider is None or event.provider != LiveEventProvider.ZOOM:
        raise ValidationError({"__all__": ["Only Zoom sessions have a meeting to recreate."]})
    if session.starts_at + timedelta(minutes=session.duration_minutes) <= timezone.now():
        raise ValidationError({"__all__": ["This session is over: there is nothing to recreate."]})
    if not provider.is_available(organization=organization):
        reason = provider.unavailable_reason(organization=organization)
        raise ValidationError({"__all__": [reason or "Zoom is not connected."]})
    with transaction.atomic():
        locked = LiveEventSession.objects.select_for_update().get(pk=session.pk)
        if locked.zoom_state != ZoomMeetingState.DELETED_AT_ZOOM:
            raise ValidationError(
                {"__all__": ["This session's meeting is not deleted at Zoom; nothing to recreate."]}
            )
        registered = session_meeting_replace(session=locked, note="")
        provider.session_sync_request(session=locked)
    log.info(
        "live_events.session_recreated", extra={"session_id": session.pk, "registered": registered}
    )
    return registered


def session_meeting_replace(*, session: LiveEventSession, note: str) -> int:
    """Make the session wait for a brand-new meeting (inside the caller's transaction, the
    session row locked): new marker, nothing sent yet, registrations waiting to be registered on
    it, learners told after commit that their link changes. The caller asks for the meeting
    work. Returns how many learners are registered."""
    session.zoom_marker = _new_marker()
    session.zoom_meeting_id = None
    session.zoom_join_url = ""
    session.zoom_create_sent_at = None
    session.zoom_sent = {}
    session.zoom_state = ZoomMeetingState.WAITING
    session.zoom_problem = note
    session.save(
        update_fields=[
            "zoom_marker",
            "zoom_meeting_id",
            "zoom_join_url",
            "zoom_create_sent_at",
            "zoom_sent",
            "zoom_state",
            "zoom_problem",
        ]
    )
    registered = _registrations_wait_for_new_meeting(
        session, note="The meeting is being scheduled again; your new link comes shortly."
    )
    _tell_learners_after_commit(session, rescheduled=False)
    return registered


# --- telling learners -----------------------------------------------------------------------------


def _tell_learners_after_commit(session: LiveEventSession, *, rescheduled: bool) -> None:
    session_id = session.pk

    def tell() -> None:
        fresh = LiveEventSession.objects.select_related("event").get(pk=session_id)
        registrations = list(
            LiveEventRegistration.objects.filter(
                session=fresh, status__in=ACTIVE_REGISTRATION_STATES
            ).select_related("learner")
        )
        if not registrations:
            return
        signal = session_rescheduled if rescheduled else session_link_changes
        receivers = signal.send(sender=LiveEventSession, session=fresh, registrations=registrations)
        if not receivers:
            _plain_emails(fresh, registrations, rescheduled=rescheduled)

    transaction.on_commit(tell)


def _plain_emails(
    session: LiveEventSession,
    registrations: Sequence[LiveEventRegistration],
    *,
    rescheduled: bool,
) -> None:
    event = session.event
    when = session.starts_at.astimezone(timezone.get_default_timezone())
    local = session.starts_at.astimezone(ZoneInfo(session.time_zone))
    moment = f"{local:%A %d %B %Y, %H:%M} {session.time_zone} ({when:%H:%M %Z})"
    if rescheduled:
        subject = f"New time: {event.title}"
        body = (
            f"The session of “{event.title}” you registered for was moved at Zoom. It now "
            f"starts {moment} and lasts {session.duration_minutes} minutes.\n\n"
            "Your personal join link stays the same."
        )
    else:
        subject = f"New join link coming: {event.title}"
        body = (
            f"The Zoom meeting of the session of “{event.title}” you registered for "
            f"({moment}) is being scheduled again. Your previous join link no longer works.\n\n"
            "You stay registered: your new personal link appears on the lesson page (the Join "
            "button) as soon as Zoom has registered you again."
        )
    messages = [
        EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [registration.learner.email])
        for registration in registrations
        if registration.learner.email
    ]
    try:
        with get_connection() as connection:
            sent = connection.send_messages(messages) or 0
    except OSError:
        log.exception("live_events.learner_emails_failed", extra={"session_id": session.pk})
        return
    log.info(
        "live_events.learners_emailed",
        extra={"session_id": session.pk, "emails": sent, "rescheduled": rescheduled},
    )


MOVE_REFUSED_NOTE = (
    "Zoom would not move the meeting to the new host, so a new meeting is being made for them; "
    "learners get new links and are emailed."
)


@transaction.atomic
def session_meeting_replaced_for_new_host(*, session_id: int) -> int:
    """Zoom refused to move the session's meeting to the event's new host (the old one is
    deleted): the session waits for a new meeting, as in `session_meeting_replace`."""
    session = LiveEventSession.objects.select_for_update().get(pk=session_id)
    return session_meeting_replace(session=session, note=MOVE_REFUSED_NOTE)


def host_move_note(*, old_host: str, new_host: str) -> str:
    """What a builder is told when the host changes: Zoom's rule for moving a meeting, and what
    happens where it does not apply."""
    return (
        f"The meetings move from {old_host} to {new_host} at Zoom, keeping every learner's link, "
        f"if {new_host} has given {old_host} scheduling privilege in Zoom (Settings → Schedule "
        "Privilege; both Licensed users), which is what Zoom requires. Where Zoom refuses the "
        f"move, Campus makes a new meeting for {new_host} instead: learners' links change, they "
        "are registered on the new meeting and emailed."
    )


@transaction.atomic
def session_meeting_replace_if_deleted(*, session_id: int) -> bool:
    """Meeting work found the session's meeting deleted at Zoom while bringing it in line (an
    edit of a session marked deleted): it gets a new meeting the same safe way as a builder's
    recreate (new marker, learners told). False when it is no longer marked deleted."""
    session = LiveEventSession.objects.select_for_update().get(pk=session_id)
    if session.zoom_state != ZoomMeetingState.DELETED_AT_ZOOM or session.removed_at is not None:
        return False
    session_meeting_replace(session=session, note="")
    return True
