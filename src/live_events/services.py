"""Writes of live events: creating, editing and removing Zoom events and their sessions,
registering learners (one by one, or a cohort in batches), and what the Zoom side records back
(meetings made, registrants added, problems in words, each host's daily budget).

Every write saves Campus's rows first, in one transaction, and then asks the scheduling provider
(`live_events.providers.SchedulingProvider`, Zoom's lives in zoom_integration) to bring Zoom in
line in the background: a durable work row per session or registration, rung after commit. Bad
input raises `django.core.exceptions.ValidationError` with messages per field
(`live_events.inputs`), before anything is saved or sent.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils import timezone

from courses.models import ComponentKind
from courses.services import lesson_component_create
from live_events.inputs import (
    CheckedSession,
    EventInput,
    FieldErrors,
    check_host_emails,
    check_options,
    check_sessions,
    check_text,
)
from live_events.invitation_services import (
    registrations_invitation_plan,
    session_invitations_plan,
)
from live_events.models import (
    ACTIVE_REGISTRATION_STATES,
    HostMeetingWrites,
    LiveEvent,
    LiveEventProvider,
    LiveEventRecording,
    LiveEventRecordingSource,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
    ZoomMeetingState,
)
from live_events.providers import (
    HostCheck,
    HostRequirements,
    SchedulingProvider,
    scheduling_provider_get,
)
from live_events.selectors import (
    HOST_DAILY_MEETING_WRITES,
    host_meeting_writes_remaining,
    live_event_host_overlaps,
    zoom_day,
)
from organizations.models import Membership

if TYPE_CHECKING:
    from courses.models import Lesson
    from organizations.models import Organization, User

log = logging.getLogger("live_events")

PROBLEM_LENGTH = 500


class NewLinksNeedConfirmation(Exception):
    """The edit makes new meetings at Zoom (a new host): learners' links change. `message` says
    how many are registered; call again with `confirm_new_links=True`."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class OverlapsNeedConfirmation(Exception):
    """Sessions overlap other sessions of the same host: the builder must confirm (and call
    again with `confirm_overlaps=True`). `warnings` are sentences to show."""

    def __init__(self, warnings: list[str]) -> None:
        super().__init__(" ".join(warnings))
        self.warnings = warnings


# --- creating and editing -------------------------------------------------------------------------


def live_event_create(
    *,
    organization: Organization,
    actor: User,
    lesson: Lesson,
    data: EventInput,
    confirm_overlaps: bool = False,
    position: int | None = None,
) -> LiveEvent:
    """Put a Zoom event on `lesson` (at `position` on the page, else at the end): the event and
    its sessions saved, then one meeting per
    session created at Zoom in the background ("waiting for Zoom" until then).

    Raises ValidationError (per field; nothing saved, nothing sent), OverlapsNeedConfirmation,
    or Http404 when the lesson is another organization's."""
    if lesson.course.organization_id != organization.pk:
        raise Http404("No such lesson.")
    provider = _zoom_provider(organization)
    checked = _checked_input(organization=organization, provider=provider, data=data)
    _confirm_overlaps(
        organization=organization,
        host_email=checked.host_email,
        sessions=checked.sessions,
        confirmed=confirm_overlaps,
    )
    with transaction.atomic():
        component = lesson_component_create(
            lesson=lesson, kind=ComponentKind.LIVE_EVENT, position=position
        )
        event = LiveEvent.objects.create(
            organization=organization,
            lesson_component=component,
            provider=LiveEventProvider.ZOOM,
            created_by=actor,
            time_zone=checked.sessions[0].time_zone,
            **_event_fields(checked),
        )
        for session in checked.sessions:
            created = LiveEventSession.objects.create(
                event=event,
                starts_at=session.starts_at,
                time_zone=session.time_zone,
                duration_minutes=session.duration_minutes,
                zoom_marker=_new_marker(),
            )
            provider.session_sync_request(session=created)
    log.info(
        "live_events.created",
        extra={"event_id": event.pk, "sessions": len(checked.sessions)},
    )
    return event


def live_event_update(
    *,
    organization: Organization,
    actor: User,
    event: LiveEvent,
    data: EventInput,
    confirm_overlaps: bool = False,
    confirm_new_links: bool = False,
) -> LiveEvent:
    """Edit topic, description, hosts, options and sessions. Sessions with a `session_id` are
    edited, sessions without one are added; sessions not named stay as they are (removing one is
    `live_event_session_remove`). Only sessions whose meeting Zoom would see change get work, and
    the work sends only the fields that changed: an edit that changes nothing sends nothing.

    A new host (once meetings exist) means new meetings at Zoom and new links for the learners:
    NewLinksNeedConfirmation says so until called with `confirm_new_links=True`.

    Raises ValidationError (per field), OverlapsNeedConfirmation, NewLinksNeedConfirmation, or
    Http404 for a session id of another event or an event of another organization."""
    if event.organization_id != organization.pk or event.removed_at is not None:
        raise Http404("No such live event.")
    existing = {s.pk: s for s in event.sessions.filter(removed_at__isnull=True)}
    for session_input in data.sessions:
        if session_input.session_id is not None and session_input.session_id not in existing:
            raise Http404("No such session in this event.")
    provider = _zoom_provider(organization)
    checked = _checked_input(organization=organization, provider=provider, data=data)
    errors = FieldErrors()
    # A new host: the meeting work first asks Zoom to move each meeting (PATCH with
    # `schedule_for`: the same meeting, every learner's link kept), which Zoom allows only when the
    # new host has given the current one scheduling privilege; where Zoom refuses, a new meeting
    # replaces it (`live_event_session_host_move_refused`) and the learners' links change. Campus
    # cannot know beforehand which, so the builder confirms knowing both.
    old_host = event.host_zoom_user_id or event.host_email
    host_changed = checked.host_email != event.host_email.lower() and any(
        s.zoom_meeting_id or s.zoom_create_sent_at for s in existing.values()
    )
    if host_changed and not confirm_new_links:
        registered = LiveEventRegistration.objects.filter(
            event=event, status__in=ACTIVE_REGISTRATION_STATES
        ).count()
        raise NewLinksNeedConfirmation(
            host_change_note(
                old_host=event.host_email, new_host=checked.host_email, registered=registered
            )
        )
    event_changed = _zoom_visible_event_change(event, checked) or host_changed
    to_sync = [
        session
        for session in checked.sessions
        if session.session_id is None
        or event_changed
        or _session_changed(existing[session.session_id], session)
    ]
    named = {s.session_id for s in checked.sessions}
    # Sessions the form did not name still carry the event's topic, agenda and settings.
    untouched = [row for pk, row in existing.items() if pk not in named] if event_changed else []
    writes = len(to_sync) + len(untouched)
    remaining = host_meeting_writes_remaining(host_zoom_user_id=checked.host_user_id)
    if writes > remaining:
        errors.add(
            "__all__",
            f"This edit would change {writes} Zoom meetings, but {checked.host_email} has "
            f"only {remaining} of Zoom's {HOST_DAILY_MEETING_WRITES} meeting changes a day left "
            "(the count starts again at 00:00 UTC). Change fewer sessions, or save again after "
            "midnight UTC.",
        )
    errors.raise_if_any()
    _confirm_overlaps(
        organization=organization,
        host_email=checked.host_email,
        sessions=checked.sessions,
        confirmed=confirm_overlaps,
    )
    with transaction.atomic():
        if host_changed:
            _record_meeting_hosts(existing.values(), host=old_host)
        LiveEvent.objects.filter(pk=event.pk).update(
            updated_at=timezone.now(), **_event_fields(checked)
        )
        event.refresh_from_db()
        for session in to_sync:
            if session.session_id is None:
                row = LiveEventSession.objects.create(
                    event=event,
                    starts_at=session.starts_at,
                    time_zone=session.time_zone,
                    duration_minutes=session.duration_minutes,
                    zoom_marker=_new_marker(),
                )
            else:
                row = existing[session.session_id]
                if row.zoom_state == ZoomMeetingState.DELETED_AT_ZOOM:
                    # Deleted at Zoom: the edit schedules it again, as a recreate does.
                    _meeting_replace(row, old_meeting_gone=True)
                moved_in_time = (row.starts_at, row.duration_minutes) != (
                    session.starts_at,
                    session.duration_minutes,
                )
                row.starts_at = session.starts_at
                row.time_zone = session.time_zone
                row.duration_minutes = session.duration_minutes
                row.save(update_fields=["starts_at", "time_zone", "duration_minutes"])
                if moved_in_time:
                    # Calendar invitations: a new REQUEST to everyone registered in it.
                    session_invitations_plan(session_id=row.pk)
            provider.session_sync_request(session=row)
        for row in untouched:
            provider.session_sync_request(session=row)
    log.info(
        "live_events.updated",
        extra={"event_id": event.pk, "sessions_to_sync": writes, "actor_id": actor.pk},
    )
    return event


def _record_meeting_hosts(sessions: Iterable[LiveEventSession], *, host: str) -> None:
    """Before the host changes: note on each session whose meeting Zoom has (or may have) which
    host it is under there, unless noted already, so the meeting work knows to move it."""
    for session in sessions:
        if (session.zoom_meeting_id or session.zoom_create_sent_at) and (
            "host_id" not in session.zoom_sent
        ):
            session.zoom_sent = {**session.zoom_sent, "host_id": host}
            session.save(update_fields=["zoom_sent"])


def live_event_session_remove(
    *, organization: Organization, session: LiveEventSession, notify_registrants: bool
) -> int:
    """Remove a session: its meeting is deleted at Zoom in the background (with Zoom's
    cancellation email to registrants when `notify_registrants`), its registrations cancelled.
    Returns how many learners were registered (the confirmation states it beforehand)."""
    if session.event.organization_id != organization.pk:
        raise Http404("No such session.")
    provider = _zoom_provider(organization, require_available=False)
    with transaction.atomic():
        registered = _session_remove(session, notify_registrants=notify_registrants)
        if provider is not None:
            provider.session_sync_request(session=session)
    return registered


def live_event_remove(
    *, organization: Organization, event: LiveEvent, notify_registrants: bool
) -> int:
    """Remove the whole event: every session as in `live_event_session_remove`. Returns how many
    learners were registered."""
    if event.organization_id != organization.pk:
        raise Http404("No such live event.")
    provider = _zoom_provider(organization, require_available=False)
    registered = 0
    with transaction.atomic():
        now = timezone.now()
        LiveEvent.objects.filter(pk=event.pk).update(removed_at=now, updated_at=now)
        for session in event.sessions.filter(removed_at__isnull=True):
            registered += _session_remove(session, notify_registrants=notify_registrants)
            if provider is not None:
                provider.session_sync_request(session=session)
        if event.lesson_component is not None:
            # The block leaves the lesson page; the event row stays as history.
            event.lesson_component.delete()
    return registered


def _meeting_replace(session: LiveEventSession, *, old_meeting_gone: bool = False) -> None:
    """The session gets a new meeting (a new marker, so a retry whose create answer was lost
    adopts it instead of making a second). An old meeting still at Zoom (a host change Zoom
    refused) is deleted once the new one exists; the registrants are registered again on the new
    one (new links, new invitations)."""
    if not old_meeting_gone:
        session.zoom_meeting_to_delete = session.zoom_meeting_id or session.zoom_meeting_to_delete
    session.zoom_meeting_id = None
    session.zoom_join_url = ""
    session.zoom_state = ZoomMeetingState.WAITING
    session.zoom_problem = ""
    session.zoom_marker = _new_marker()
    session.zoom_create_sent_at = None
    session.zoom_sent = {}
    session.save(
        update_fields=[
            "zoom_meeting_to_delete",
            "zoom_meeting_id",
            "zoom_join_url",
            "zoom_state",
            "zoom_problem",
            "zoom_marker",
            "zoom_create_sent_at",
            "zoom_sent",
        ]
    )
    _registrations_wait_for_new_meeting(session.pk)


def _registrations_wait_for_new_meeting(session_id: int) -> int:
    # Zoom's registrants (and their personal links) went, or go, with the old meeting: each
    # registration waits to be registered on the new one (the meeting work does, once it exists).
    return LiveEventRegistration.objects.filter(
        session_id=session_id, status__in=ACTIVE_REGISTRATION_STATES
    ).update(
        status=RegistrationStatus.WAITING,
        zoom_registrant_id="",
        join_url="",
        zoom_registered_at=None,
        updated_at=timezone.now(),
    )


def host_change_note(*, old_host: str, new_host: str, registered: int) -> str:
    """What a builder is told before a host change is saved: Zoom's rule for moving a meeting,
    and what happens where it does not apply."""
    learners = "1 registered learner" if registered == 1 else f"{registered} registered learners"
    return (
        f"Zoom moves the meetings from {old_host} to {new_host}, keeping every learner's link, "
        f"only if {new_host} has given {old_host} scheduling privilege in Zoom (Settings → "
        "Schedule Privilege; both Licensed users of the account). Where Zoom refuses the move, "
        f"Campus makes new meetings for {new_host} and deletes {old_host}'s: the links will "
        f"change, and {learners} will be registered on the new meetings and emailed their new "
        "links."
    )


HOST_MOVE_REFUSED_NOTE = (
    "Zoom would not move the meeting to the new host (no scheduling privilege), so a new meeting "
    "is being made for them; learners get new links by email."
)


@transaction.atomic
def live_event_session_host_move_refused(*, session_id: int) -> None:
    """Zoom refused to move the session's meeting to the event's new host: a new meeting replaces
    it (the old one is deleted once the new one exists), as the builder was told before saving."""
    session = LiveEventSession.objects.select_for_update().get(pk=session_id)
    _meeting_replace(session)
    LiveEventSession.objects.filter(pk=session_id).update(zoom_problem=HOST_MOVE_REFUSED_NOTE)


def _session_remove(session: LiveEventSession, *, notify_registrants: bool) -> int:
    now = timezone.now()
    active = LiveEventRegistration.objects.filter(
        session=session, status__in=ACTIVE_REGISTRATION_STATES
    )
    active_ids = list(active.values_list("pk", flat=True))
    registered = len(active_ids)
    # Zoom drops a deleted meeting's registrants with it: nothing to cancel one by one.
    active.update(status=RegistrationStatus.CANCELLED, cancelled_at=now, updated_at=now)
    session.removed_at = now
    session.removal_notifies_registrants = notify_registrants
    session.save(update_fields=["removed_at", "removal_notifies_registrants"])
    # Calendar invitations: a CANCEL to every learner who was sent one.
    registrations_invitation_plan(registration_ids=active_ids)
    return registered


def live_event_session_retry(*, organization: Organization, session: LiveEventSession) -> None:
    """Try Zoom again for a session whose meeting failed, or recreate one deleted at Zoom (the
    lesson page's "Recreate at Zoom"): a new meeting with a new marker, so a lost create answer
    is adopted and never made twice; its learners are registered on it and get new links.

    Raises Http404 for another organization's or a removed session, ValidationError when the
    session is over or has nothing to retry (a second click finds it being recreated)."""
    event = session.event
    if (
        event.organization_id != organization.pk
        or event.removed_at is not None
        or session.removed_at is not None
    ):
        raise Http404("No such session.")
    if session.starts_at + timedelta(minutes=session.duration_minutes) <= timezone.now():
        raise ValidationError({"__all__": ["This session is over: there is nothing to recreate."]})
    provider = _zoom_provider(organization)
    with transaction.atomic():
        locked = LiveEventSession.objects.select_for_update().get(pk=session.pk)
        if locked.zoom_state == ZoomMeetingState.DELETED_AT_ZOOM:
            _meeting_replace(locked, old_meeting_gone=True)
        elif locked.zoom_state == ZoomMeetingState.FAILED:
            LiveEventSession.objects.filter(pk=session.pk).update(
                zoom_state=ZoomMeetingState.WAITING, zoom_problem=""
            )
        else:
            raise ValidationError(
                {"__all__": ["This session's meeting is not deleted at Zoom; nothing to recreate."]}
            )
        provider.session_sync_request(session=locked)
    log.info("live_events.session_retried", extra={"session_id": session.pk})


def _sessions_of_meeting_at_zoom(
    *, organization_ids: Collection[int], meeting_id: int
) -> QuerySet[LiveEventSession]:
    # Only Zoom events of the organizations linked to the account that told: an organization that
    # disabled Zoom turned its events into external links, no longer Zoom's to change.
    return LiveEventSession.objects.select_for_update().filter(
        event__organization_id__in=organization_ids,
        event__provider=LiveEventProvider.ZOOM,
        zoom_meeting_id=meeting_id,
        removed_at__isnull=True,
    )


@transaction.atomic
def live_event_session_changed_at_zoom(
    *,
    organization_ids: Collection[int],
    meeting_id: int,
    starts_at: datetime | None,
    duration_minutes: int | None,
    time_zone: str,
    topic: str = "",
) -> int:
    """Zoom says a meeting was changed there (`meeting.updated`): take over the new time (and
    topic, the event's: its other meetings follow), and note it as what Zoom holds, so Campus
    does not send it back. A value equal to what Campus itself last sent is Zoom telling of
    Campus's own update, and is ignored (an edit saved meanwhile must not be overwritten by the
    echo of the one before). Returns sessions updated."""
    updated = 0
    for session in _sessions_of_meeting_at_zoom(
        organization_ids=organization_ids, meeting_id=meeting_id
    ).select_related("event"):
        sent = dict(session.zoom_sent)
        changed: list[str] = []
        if starts_at is not None:
            zoom_start = starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            if zoom_start != sent.get("start_time") and starts_at != session.starts_at:
                session.starts_at = starts_at
                sent["start_time"] = zoom_start
                changed.append("starts_at")
        if (
            duration_minutes
            and duration_minutes != sent.get("duration")
            and duration_minutes != session.duration_minutes
        ):
            session.duration_minutes = duration_minutes
            sent["duration"] = duration_minutes
            changed.append("duration_minutes")
        if time_zone and time_zone != sent.get("timezone") and time_zone != session.time_zone:
            session.time_zone = time_zone
            sent["timezone"] = time_zone
            changed.append("time_zone")
        event = session.event
        renamed = bool(topic) and topic not in (sent.get("topic"), event.title)
        if renamed:
            sent["topic"] = topic
        if not changed and not renamed:
            continue
        session.zoom_sent = sent
        with transaction.atomic():
            session.save(update_fields=[*changed, "zoom_sent"])
            if renamed:
                _event_renamed_at_zoom(event=event, topic=topic, except_session_id=session.pk)
            if "starts_at" in changed or "duration_minutes" in changed:
                # Calendar invitations: a new REQUEST to everyone registered in it (a new zone
                # alone moves nothing: the invitation's times are UTC).
                session_invitations_plan(session_id=session.pk)
        updated += 1
    return updated


def _event_renamed_at_zoom(*, event: LiveEvent, topic: str, except_session_id: int) -> None:
    # One topic for all the event's meetings: the others are brought in line.
    LiveEvent.objects.filter(pk=event.pk).update(title=topic, updated_at=timezone.now())
    provider = scheduling_provider_get(LiveEventProvider.ZOOM.value)
    if provider is None:
        return
    others = (
        event.sessions.filter(removed_at__isnull=True, zoom_meeting_id__isnull=False)
        .exclude(zoom_state=ZoomMeetingState.DELETED_AT_ZOOM)
        .exclude(pk=except_session_id)
    )
    for other in others:
        provider.session_sync_request(session=other)


DELETED_AT_ZOOM_NOTE = (
    "The meeting was deleted at Zoom. Recreate it to give learners a new link; until then they "
    "cannot join."
)


@transaction.atomic
def live_event_session_deleted_at_zoom(
    *, organization_ids: Collection[int], meeting_id: int
) -> int:
    """Zoom says a meeting was deleted there (`meeting.deleted`): marked on the session for
    builders, who can make it anew (`live_event_session_retry`); its registrations lose the links
    that died with it and wait for the new meeting. Returns sessions marked. A meeting Campus
    deleted itself (a removed session, a replaced one) matches no session and changes nothing."""
    marked = 0
    for session in _sessions_of_meeting_at_zoom(
        organization_ids=organization_ids, meeting_id=meeting_id
    ):
        _mark_deleted_at_zoom(session.pk)
        marked += 1
    return marked


def _mark_deleted_at_zoom(session_id: int) -> None:
    LiveEventSession.objects.filter(pk=session_id).update(
        zoom_state=ZoomMeetingState.DELETED_AT_ZOOM,
        zoom_problem=DELETED_AT_ZOOM_NOTE,
        zoom_synced_at=timezone.now(),
    )
    _registrations_wait_for_new_meeting(session_id)


def live_event_session_start_url(
    *, organization: Organization, session: LiveEventSession, user: User
) -> str:
    """The host's (or an alternative host's) link to start the meeting, fresh from Zoom at
    click time. Anyone else gets 404."""
    event = session.event
    hosts = {event.host_email.lower(), *(email.lower() for email in event.alternative_hosts)}
    if (
        event.organization_id != organization.pk
        or session.removed_at is not None
        or user.email.lower() not in hosts
    ):
        raise Http404("No such session.")
    return _zoom_provider(organization).start_url(session=session)


def live_event_host_validate(
    *,
    organization: Organization,
    email: str,
    alternative: bool = False,
    cloud_recording: bool = False,
    longest_session_minutes: int = 0,
) -> HostCheck:
    """The form's VALIDATE button: ask Zoom about one host (or alternative host) email, saving
    nothing. `problem` is the sentence to show beside the field; `name` the host's Zoom name."""
    provider = _zoom_provider(organization)
    return provider.host_check(
        organization=organization,
        email=email.strip().lower(),
        requirements=HostRequirements(
            cloud_recording=cloud_recording, longest_session_minutes=longest_session_minutes
        ),
        alternative=alternative,
    )


# --- registering learners -------------------------------------------------------------------------


def live_event_registration_create(
    *, organization: Organization, session: LiveEventSession, learner: User
) -> LiveEventRegistration:
    """Register `learner` for `session`: the Zoom registrant (and its personal link) comes in
    the background. A learner already registered for another session of the event is moved."""
    _check_session_open(organization=organization, session=session, learner=learner)
    current = LiveEventRegistration.objects.filter(
        event=session.event, learner=learner, status__in=ACTIVE_REGISTRATION_STATES
    ).first()
    if current is not None:
        if current.session_id == session.pk:
            return current
        return live_event_registration_move(
            organization=organization, registration=current, to_session=session
        )
    provider = _zoom_provider(organization)
    try:
        with transaction.atomic():
            registration = LiveEventRegistration.objects.create(
                event=session.event, session=session, learner=learner
            )
            provider.registration_sync_request(registration=registration)
    except IntegrityError:
        # A second click that raced the first: the one registration stands.
        existing = LiveEventRegistration.objects.filter(
            event=session.event, learner=learner, status__in=ACTIVE_REGISTRATION_STATES
        ).first()
        if existing is None:
            raise
        return existing
    return registration


def live_event_registration_move(
    *,
    organization: Organization,
    registration: LiveEventRegistration,
    to_session: LiveEventSession,
) -> LiveEventRegistration:
    """Move a registration to another session of the same event: the old registrant is
    cancelled at Zoom and a new one added on the new meeting."""
    if (
        registration.event.organization_id != organization.pk
        or to_session.event_id != registration.event_id
    ):
        raise Http404("No such session in this event.")
    _check_session_open(organization=organization, session=to_session, learner=None)
    provider = _zoom_provider(organization)
    with transaction.atomic():
        old = LiveEventRegistration.objects.select_for_update().get(pk=registration.pk)
        if old.status not in ACTIVE_REGISTRATION_STATES:
            raise ValidationError({"__all__": ["This registration was cancelled meanwhile."]})
        if old.session_id == to_session.pk:
            return old
        _cancel(old)
        provider.registration_sync_request(registration=old)
        moved = LiveEventRegistration.objects.create(
            event=old.event, session=to_session, learner=old.learner
        )
        provider.registration_sync_request(registration=moved)
    return moved


def live_event_registration_cancel(
    *, organization: Organization, registration: LiveEventRegistration
) -> LiveEventRegistration:
    """Cancel a registration; the registrant is cancelled at Zoom in the background."""
    if registration.event.organization_id != organization.pk:
        raise Http404("No such registration.")
    provider = _zoom_provider(organization, require_available=False)
    with transaction.atomic():
        locked = LiveEventRegistration.objects.select_for_update().get(pk=registration.pk)
        if locked.status in ACTIVE_REGISTRATION_STATES:
            _cancel(locked)
            if provider is not None:
                provider.registration_sync_request(registration=locked)
    return locked


def _cancel(registration: LiveEventRegistration) -> None:
    now = timezone.now()
    # With a registrant at Zoom there is something to cancel there; without, nothing was sent
    # yet (or the add is in flight: the registration work cancels what it finds).
    registration.status = RegistrationStatus.CANCELLING
    registration.cancelled_at = now
    registration.save(update_fields=["status", "cancelled_at", "updated_at"])
    # Calendar invitations: a CANCEL, if one was sent (a move sends the new session's REQUEST
    # once Zoom has registered the learner there).
    registrations_invitation_plan(registration_ids=[registration.pk])


def live_event_session_register_batch(
    *, organization: Organization, session: LiveEventSession, learners: Sequence[User]
) -> int:
    """Register a cohort into `session` at once (Zoom's batch_registrants, 30 a call, in the
    background). Learners already registered in this session are skipped; those registered in
    another session of the event are left there. Returns how many registrations were made."""
    _check_session_open(organization=organization, session=session, learner=None)
    unique = {learner.pk: learner for learner in learners}
    members = Membership.objects.filter(user_id__in=unique, organization=organization).count()
    if members != len(unique):
        raise Http404("No such learner.")  # someone of another organization, or nobody's
    provider = _zoom_provider(organization)
    with transaction.atomic():
        already = set(
            LiveEventRegistration.objects.filter(
                event=session.event,
                learner__in=learners,
                status__in=ACTIVE_REGISTRATION_STATES,
            ).values_list("learner_id", flat=True)
        )
        new = [
            LiveEventRegistration(event=session.event, session=session, learner=learner)
            for learner in unique.values()
            if learner.pk not in already
        ]
        LiveEventRegistration.objects.bulk_create(new)
        if new:
            provider.registrations_batch_request(session=session)
    return len(new)


def _organization_id_of(user: User) -> int | None:
    membership = getattr(user, "membership", None)
    return membership.organization_id if membership is not None else None


def _check_session_open(
    *, organization: Organization, session: LiveEventSession, learner: User | None
) -> None:
    event = session.event
    if (
        event.organization_id != organization.pk
        or event.removed_at is not None
        or session.removed_at is not None
    ):
        raise Http404("No such session.")
    if learner is not None and _organization_id_of(learner) != organization.pk:
        raise Http404("No such session.")
    if event.provider != LiveEventProvider.ZOOM:
        raise ValidationError({"__all__": ["Registration is only for Zoom events."]})
    if session.starts_at + timedelta(minutes=session.duration_minutes) <= timezone.now():
        raise ValidationError({"__all__": ["This session is over; pick another one."]})


# --- what the provider records back ---------------------------------------------------------------


def session_zoom_create_sent(*, session_id: int, attempted: dict[str, object]) -> None:
    """A create with the fields `attempted` is about to be sent: a retry must look for the
    meeting before creating again, and one it adopts holds these fields."""
    LiveEventSession.objects.filter(pk=session_id).update(
        zoom_create_sent_at=timezone.now(), zoom_sent=attempted
    )


def session_zoom_scheduled(
    *, session_id: int, meeting_id: int, join_url: str, sent: dict[str, object]
) -> None:
    """The meeting exists at Zoom with the fields `sent`."""
    LiveEventSession.objects.filter(pk=session_id).update(
        zoom_meeting_id=meeting_id,
        zoom_join_url=join_url,
        zoom_state=ZoomMeetingState.SCHEDULED,
        zoom_problem="",
        zoom_sent=sent,
        zoom_synced_at=timezone.now(),
    )


def session_zoom_updated(*, session_id: int, sent: dict[str, object]) -> None:
    LiveEventSession.objects.filter(pk=session_id).update(
        zoom_state=ZoomMeetingState.SCHEDULED,
        zoom_problem="",
        zoom_sent=sent,
        zoom_synced_at=timezone.now(),
    )


def session_zoom_removed(*, session_id: int) -> None:
    """The removed session's meeting is gone at Zoom (or never existed)."""
    LiveEventSession.objects.filter(pk=session_id).update(
        zoom_state=ZoomMeetingState.REMOVED, zoom_problem="", zoom_synced_at=timezone.now()
    )


def session_zoom_replaced_deleted(*, session_id: int) -> None:
    """The old host's meeting of a session that changed hosts is deleted at Zoom."""
    LiveEventSession.objects.filter(pk=session_id).update(zoom_meeting_to_delete=None)


@transaction.atomic
def session_zoom_deleted_at_zoom(*, session_id: int) -> None:
    """Zoom answered that the meeting does not exist (deleted there without Campus hearing of
    it, a lost webhook): marked as `meeting.deleted` would have, so it can be recreated."""
    session = LiveEventSession.objects.select_for_update().filter(pk=session_id).first()
    if session is not None and session.removed_at is None:
        _mark_deleted_at_zoom(session.pk)


def session_zoom_problem(*, session_id: int, problem: str, failed: bool) -> None:
    """Record why Zoom refused (`failed`: it will not work without a change) or could not be
    reached (the work retries; the session keeps waiting)."""
    updates: dict[str, object] = {"zoom_problem": problem[:PROBLEM_LENGTH]}
    if failed:
        updates["zoom_state"] = ZoomMeetingState.FAILED
    LiveEventSession.objects.filter(pk=session_id).update(**updates)


def registration_zoom_registered(
    *, registration_id: int, registrant_id: str, join_url: str
) -> bool:
    """Store the Zoom registrant and personal link; False if the registration was cancelled
    meanwhile (the caller then cancels the registrant it just made)."""
    now = timezone.now()
    with transaction.atomic():
        updated = LiveEventRegistration.objects.filter(
            pk=registration_id, status=RegistrationStatus.WAITING
        ).update(
            status=RegistrationStatus.REGISTERED,
            zoom_registrant_id=registrant_id,
            join_url=join_url,
            zoom_registered_at=now,
            problem="",
            updated_at=now,
        )
        if updated:
            # Calendar invitations: the first REQUEST, now that the personal link exists.
            registrations_invitation_plan(registration_ids=[registration_id], only_if_invited=False)
    if not updated:
        LiveEventRegistration.objects.filter(pk=registration_id).update(
            zoom_registrant_id=registrant_id, updated_at=now
        )
        return False
    return True


def registration_zoom_cancelled(*, registration_id: int) -> None:
    LiveEventRegistration.objects.filter(
        pk=registration_id, status=RegistrationStatus.CANCELLING
    ).update(status=RegistrationStatus.CANCELLED, updated_at=timezone.now())


def registration_zoom_failed(*, registration_id: int, problem: str) -> None:
    LiveEventRegistration.objects.filter(
        pk=registration_id, status=RegistrationStatus.WAITING
    ).update(
        status=RegistrationStatus.FAILED,
        problem=problem[:PROBLEM_LENGTH],
        updated_at=timezone.now(),
    )


def host_meeting_write_reserve(*, host_zoom_user_id: str, now: datetime | None = None) -> bool:
    """Count one meeting create or update against the host's day, if the budget allows it
    (True); False when Zoom's 100 are used up."""
    day = zoom_day(now)
    with transaction.atomic():
        HostMeetingWrites.objects.get_or_create(host_zoom_user_id=host_zoom_user_id, day=day)
        reserved = HostMeetingWrites.objects.filter(
            host_zoom_user_id=host_zoom_user_id, day=day, count__lt=HOST_DAILY_MEETING_WRITES
        ).update(count=F("count") + 1)
    return bool(reserved)


def host_meeting_write_refund(*, host_zoom_user_id: str, now: datetime | None = None) -> None:
    """Zoom refused the write before counting it (validation, a 429): give it back."""
    HostMeetingWrites.objects.filter(
        host_zoom_user_id=host_zoom_user_id, day=zoom_day(now), count__gt=0
    ).update(count=F("count") - 1)


# --- shared pieces --------------------------------------------------------------------------------


class _CheckedEvent:
    def __init__(
        self,
        *,
        data: EventInput,
        sessions: list[CheckedSession],
        host_email: str,
        host_name: str,
        host_user_id: str,
        alternative_hosts: list[str],
    ) -> None:
        self.data = data
        self.sessions = sessions
        self.host_email = host_email
        self.host_name = host_name
        self.host_user_id = host_user_id
        self.alternative_hosts = alternative_hosts


def _zoom_provider(
    organization: Organization, *, require_available: bool = True
) -> SchedulingProvider:
    provider = scheduling_provider_get(LiveEventProvider.ZOOM.value)
    if provider is None:
        raise ValidationError({"__all__": ["Zoom meetings are not offered on this platform."]})
    if require_available and not provider.is_available(organization=organization):
        reason = provider.unavailable_reason(organization=organization)
        raise ValidationError({"__all__": [reason or "Zoom is not connected."]})
    return provider


def _checked_input(
    *, organization: Organization, provider: SchedulingProvider, data: EventInput
) -> _CheckedEvent:
    errors = FieldErrors()
    check_text(data, errors)
    check_options(data.options, errors)
    sessions = check_sessions(data.sessions, errors, now=timezone.now())
    host_email, alternatives = check_host_emails(data, errors)
    requirements = HostRequirements(
        cloud_recording=data.options.auto_record_cloud,
        longest_session_minutes=max((s.duration_minutes for s in data.sessions), default=0),
    )
    host_name = host_user_id = ""
    # Asking Zoom only makes sense for well-formed emails; it is a read, nothing is scheduled.
    if host_email:
        verdict = provider.host_check(
            organization=organization,
            email=host_email,
            requirements=requirements,
            alternative=False,
        )
        if verdict.ok:
            host_name, host_user_id = verdict.name, verdict.user_id
        else:
            errors.add("host_email", verdict.problem)
    for email in alternatives:
        verdict = provider.host_check(
            organization=organization, email=email, requirements=requirements, alternative=True
        )
        if not verdict.ok:
            errors.add("alternative_hosts", verdict.problem)
    errors.raise_if_any()
    return _CheckedEvent(
        data=data,
        sessions=sessions,
        host_email=host_email,
        host_name=host_name,
        host_user_id=host_user_id,
        alternative_hosts=alternatives,
    )


def _event_fields(checked: _CheckedEvent) -> dict[str, object]:
    options = checked.data.options
    return {
        "title": checked.data.topic.strip(),
        "description": checked.data.description,
        "host_email": checked.host_email,
        "host_name": checked.host_name,
        "host_zoom_user_id": checked.host_user_id,
        "alternative_hosts": checked.alternative_hosts,
        "auto_record_cloud": options.auto_record_cloud,
        "auto_upload_recording": options.auto_upload_recording,
        "participant_video": options.participant_video,
        "mute_upon_entry": options.mute_upon_entry,
        "zoom_notification_emails": options.zoom_notification_emails,
        "track_attendance": options.track_attendance,
    }


# Event fields a Zoom meeting carries (topic, agenda, settings): a change to any touches every
# session's meeting.
_ZOOM_VISIBLE_EVENT_FIELDS = (
    "title",
    "description",
    "alternative_hosts",
    "auto_record_cloud",
    "participant_video",
    "mute_upon_entry",
    "zoom_notification_emails",
)


def _zoom_visible_event_change(event: LiveEvent, checked: _CheckedEvent) -> bool:
    new = _event_fields(checked)
    return any(getattr(event, name) != new[name] for name in _ZOOM_VISIBLE_EVENT_FIELDS)


def _session_changed(row: LiveEventSession, session: CheckedSession) -> bool:
    return (
        row.starts_at != session.starts_at
        or row.time_zone != session.time_zone
        or row.duration_minutes != session.duration_minutes
        or row.zoom_state in (ZoomMeetingState.FAILED, ZoomMeetingState.DELETED_AT_ZOOM)
    )


def _confirm_overlaps(
    *,
    organization: Organization,
    host_email: str,
    sessions: list[CheckedSession],
    confirmed: bool,
) -> None:
    if confirmed:
        return
    own = tuple(s.session_id for s in sessions if s.session_id is not None)
    warnings: list[str] = []
    for index, session in enumerate(sessions):
        for overlap in live_event_host_overlaps(
            organization=organization,
            host_email=host_email,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            exclude_session_ids=own,
        ):
            warnings.append(
                f"Session {index + 1} overlaps “{overlap.event_title}” "
                f"({overlap.starts_at:%d %b %Y %H:%M} UTC), which {host_email} also hosts."
            )
    for index, session in enumerate(sessions):
        for other_index, other in enumerate(sessions[index + 1 :], start=index + 1):
            if session.starts_at < other.ends_at and other.starts_at < session.ends_at:
                warnings.append(f"Sessions {index + 1} and {other_index + 1} overlap.")
    if warnings:
        raise OverlapsNeedConfirmation(warnings)


def _new_marker() -> str:
    return "campus-" + secrets.token_hex(8)


@transaction.atomic
def live_events_convert_to_external_link(*, organization: Organization) -> int:
    """Turn every Zoom event of `organization` into an external-link event.

    Title, description, sessions and their times stay; each session's Zoom join link becomes its
    plain link (the event's link is the first session's), so learners can still reach meetings
    already scheduled at Zoom. Imported recordings (and attendance) belong to the sessions and
    stay. Returns how many events were converted."""
    events = (
        LiveEvent.objects.select_for_update()
        .filter(organization=organization, provider=LiveEventProvider.ZOOM)
        .prefetch_related("sessions")
    )
    converted = 0
    for event in events:
        sessions = list(event.sessions.all())
        for session in sessions:
            if session.zoom_join_url and not session.external_url:
                session.external_url = session.zoom_join_url
                session.save(update_fields=["external_url"])
        first_link = next((s.zoom_join_url for s in sessions if s.zoom_join_url), "")
        event.provider = LiveEventProvider.EXTERNAL_LINK
        event.external_url = event.external_url or first_link
        event.save(update_fields=["provider", "external_url", "updated_at"])
        converted += 1
    log.info(
        "live_events.converted_to_external_link",
        extra={"organization_id": organization.pk, "events": converted},
    )
    return converted


@transaction.atomic
def live_event_recordings_delete_for_zoom_account(*, zoom_account_id: str) -> int:
    """Delete every recording imported from Zoom account `zoom_account_id`, rows and files.

    The files go only after the transaction commits: a rollback must not leave rows pointing at
    deleted files. Returns how many recordings were deleted."""
    recordings = list(
        LiveEventRecording.objects.select_for_update().filter(
            source=LiveEventRecordingSource.ZOOM, source_account_id=zoom_account_id
        )
    )
    stored_files = [(r.file.storage, r.file.name) for r in recordings if r.file and r.file.name]
    LiveEventRecording.objects.filter(pk__in=[r.pk for r in recordings]).delete()

    def delete_files() -> None:
        for storage, name in stored_files:
            storage.delete(name)

    transaction.on_commit(delete_files)
    log.info(
        "live_events.recordings_deleted",
        extra={"zoom_account_id": zoom_account_id, "recordings": len(recordings)},
    )
    return len(recordings)
