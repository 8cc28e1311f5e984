"""Writes of calendar invitations: planning one (SEQUENCE raised, a durable work row) when a
registration or its session changes, and sending it (the work handler's body).

Planning happens in the caller's transaction, so a change and its email commit together or not
at all; the email itself goes from the `work` app after commit, one row per registration and
SEQUENCE (`live_events.invitation.send`, dedupe key `…:registration:<id>:sequence:<n>`), so each
learner's email is sent, retried and failed on its own.

Never twice: the row remembers the SEQUENCE last emailed, and the handler sends only a SEQUENCE
above it. It also sends only the latest one planned: an older row still waiting when a newer
change came is superseded (the newer row sends the current state; calendars want only the
latest). What is sent is read at send time: a REQUEST while the learner is registered for a
session that still stands, else a CANCEL, and a CANCEL only to someone who was sent a REQUEST.
Mail leaves the process before the row can record it: a worker killed between the two sends that
one message again on retry (at least once); its fixed Message-ID lets mail systems tell.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from live_events.invitation_mail import (
    REASON_CANCELLED,
    REASON_EVENT_REMOVED,
    REASON_MOVED,
    REASON_REGISTERED_AGAIN,
    REASON_SESSION_REMOVED,
    invitation_email_build,
)
from live_events.invitations import InvitationMethod, invitation_build
from live_events.models import (
    ACTIVE_REGISTRATION_STATES,
    LiveEventRegistration,
    RegistrationStatus,
)
from organizations.models import Organization
from work.handlers import RetryLater
from work.models import WorkItem, WorkState
from work.services import work_enqueue

log = logging.getLogger("live_events.invitations")

INVITATION_SEND_KIND = "live_events.invitation.send"
IN_FLIGHT_WAIT = timedelta(seconds=15)


def invitation_dedupe_key(*, registration_id: int, sequence: int) -> str:
    return f"{INVITATION_SEND_KIND}:registration:{registration_id}:sequence:{sequence}"


def registrations_invitation_plan(
    *, registration_ids: Iterable[int], only_if_invited: bool = True
) -> int:
    """Raise the SEQUENCE of each registration and plan its email. `only_if_invited`: skip
    registrations that were never planned an invitation (nothing in their calendar to change);
    False for the first invitation. Returns how many emails were planned."""
    ids = list(registration_ids)
    if not ids:
        return 0
    with transaction.atomic():
        rows = LiveEventRegistration.objects.filter(pk__in=ids)
        if only_if_invited:
            rows = rows.filter(invitation_sequence__isnull=False)
        # One UPDATE: two changes racing each raise it, and the later read sees both.
        rows.update(invitation_sequence=Coalesce(F("invitation_sequence") + 1, Value(0)))
        planned = list(
            rows.values_list("pk", "invitation_sequence", "event__organization_id").order_by("pk")
        )
        organizations = Organization.objects.in_bulk({org_id for _pk, _seq, org_id in planned})
        for registration_id, sequence, organization_id in planned:
            assert sequence is not None
            work_enqueue(
                kind=INVITATION_SEND_KIND,
                subject=f"registration:{registration_id}",
                payload={"registration_id": registration_id, "sequence": sequence},
                organization=organizations[organization_id],
                dedupe_key=invitation_dedupe_key(
                    registration_id=registration_id, sequence=sequence
                ),
            )
    return len(planned)


def session_invitations_plan(*, session_id: int) -> int:
    """The session's time or duration changed: a new REQUEST (SEQUENCE + 1) to every learner
    registered in it. Returns how many emails were planned."""
    ids = LiveEventRegistration.objects.filter(
        session_id=session_id, status__in=ACTIVE_REGISTRATION_STATES
    ).values_list("pk", flat=True)
    return registrations_invitation_plan(registration_ids=list(ids))


def registration_invitation_send(*, registration_id: int, sequence: int) -> bool:
    """Email the invitation of `registration_id` if `sequence` is still the latest planned and
    not yet sent. True when an email went. Raises what the mail backend raises (the work
    retries it)."""
    registration = (
        LiveEventRegistration.objects.select_related(
            "session", "event", "event__organization", "learner"
        )
        .filter(pk=registration_id)
        .first()
    )
    if registration is None or registration.invitation_sequence != sequence:
        return False  # gone, or superseded by a later change whose own row sends
    already = registration.invitation_sent_sequence
    if already is not None and already >= sequence:
        return False
    if registration.status == RegistrationStatus.WAITING:
        # Being registered at Zoom again (a new meeting): its REQUEST, with a higher SEQUENCE,
        # is planned once Zoom has registered it; until then the calendar keeps what it has.
        return False
    method, reason = _method_now(registration)
    if method is InvitationMethod.CANCEL and already is None:
        if _earlier_invitation_in_flight(registration_id=registration_id, sequence=sequence):
            # Another worker may be sending the REQUEST right now, which would leave the
            # cancelled session in the calendar: wait until that one has recorded itself.
            raise RetryLater(timezone.now() + IN_FLIGHT_WAIT, "an earlier invitation is being sent")
        return False  # nothing of it is in the learner's calendar
    now = timezone.now()
    invitation = invitation_build(
        registration=registration, method=method, sequence=sequence, now=now
    )
    message = invitation_email_build(
        registration=registration,
        invitation=invitation,
        is_update=already is not None,
        reason=reason,
    )
    message.send(fail_silently=False)
    LiveEventRegistration.objects.filter(pk=registration_id).filter(
        Q(invitation_sent_sequence__isnull=True) | Q(invitation_sent_sequence__lt=sequence)
    ).update(invitation_sent_sequence=sequence, invitation_sent_at=now)
    log.info(
        "live_events.invitation.sent",
        extra={
            "registration_id": registration_id,
            "sequence": sequence,
            "method": method.value,
        },
    )
    return True


def _earlier_invitation_in_flight(*, registration_id: int, sequence: int) -> bool:
    mine = invitation_dedupe_key(registration_id=registration_id, sequence=sequence)
    return (
        WorkItem.objects.filter(
            kind=INVITATION_SEND_KIND,
            subject=f"registration:{registration_id}",
            state=WorkState.RUNNING,
        )
        .exclude(dedupe_key=mine)
        .exists()
    )


def _request_reason(registration: LiveEventRegistration) -> str:
    # Registered at Zoom since the last email went: its meeting was made anew (a new host, or a
    # deletion at Zoom). The time may be the same, so the email must not say "new time".
    sent, registered = registration.invitation_sent_at, registration.zoom_registered_at
    if sent is not None and registered is not None and registered > sent:
        return REASON_REGISTERED_AGAIN
    return ""


def _method_now(registration: LiveEventRegistration) -> tuple[InvitationMethod, str]:
    if registration.event.removed_at is not None:
        return InvitationMethod.CANCEL, REASON_EVENT_REMOVED
    if registration.session.removed_at is not None:
        return InvitationMethod.CANCEL, REASON_SESSION_REMOVED
    if registration.status == RegistrationStatus.REGISTERED:
        return InvitationMethod.REQUEST, _request_reason(registration)
    moved = (
        LiveEventRegistration.objects.filter(
            event_id=registration.event_id,
            learner_id=registration.learner_id,
            status__in=ACTIVE_REGISTRATION_STATES,
        )
        .exclude(pk=registration.pk)
        .exists()
    )
    return InvitationMethod.CANCEL, REASON_MOVED if moved else REASON_CANCELLED
