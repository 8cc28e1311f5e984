"""Learners' Zoom registrants: added one by one when a learner registers, in batches of 30 when a
cohort is registered, cancelled when a learner cancels or moves to another session.

Adding is idempotent at Zoom: an email already registered for the meeting comes back as the same
registrant (and its link), so a retry after a lost answer stores the registrant Zoom already made
instead of making a second. Each registration row keeps the registrant id and the personal
`join_url` (with automatic approval Zoom returns it at once).

Zoom allows the same person 3 registrations per meeting a day (reference §4): moving back and forth
between sessions is therefore limited by Zoom, and the 429 waits until 00:00 UTC.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence

from django.db import transaction

from live_events.models import (
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
)
from live_events.services import (
    registration_zoom_cancelled,
    registration_zoom_failed,
    registration_zoom_registered,
)
from work.services import work_enqueue
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.meeting_errors import zoom_problem
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.zoom_accounts import zoom_account_for_organization
from zoomclient import (
    BatchRegistrant,
    NewRegistrant,
    RegistrantRef,
    ZoomClient,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
)
from zoomclient.registrants import BATCH_LIMIT

log = logging.getLogger("zoom_integration.registrants")

REGISTRANT_SYNC_KIND = "zoom.registrant.sync"
REGISTRANTS_BATCH_KIND = "zoom.registrants.batch"
FIRST_NAME_MAX = 64  # Zoom's limits on a registrant's names
LAST_NAME_MAX = 64


def registrant_sync_enqueue(*, registration: LiveEventRegistration) -> None:
    event = registration.event
    account = zoom_account_for_organization(organization_id=event.organization_id)
    if account is None:
        return
    work_enqueue(
        kind=REGISTRANT_SYNC_KIND,
        subject=f"registration:{registration.pk}",
        payload={"registration_id": registration.pk},
        organization=event.organization,
        dedupe_key=f"{REGISTRANT_SYNC_KIND}:registration:{registration.pk}",
        pause_group=account.pause_group,
    )


def registrants_batch_enqueue(*, session: LiveEventSession) -> None:
    event = session.event
    account = zoom_account_for_organization(organization_id=event.organization_id)
    if account is None:
        return
    work_enqueue(
        kind=REGISTRANTS_BATCH_KIND,
        subject=f"session:{session.pk}",
        payload={"session_id": session.pk},
        organization=event.organization,
        dedupe_key=f"{REGISTRANTS_BATCH_KIND}:session:{session.pk}",
        pause_group=account.pause_group,
    )


def _new_registrant(registration: LiveEventRegistration) -> NewRegistrant:
    learner = registration.learner
    first = (learner.first_name or learner.email.split("@")[0])[:FIRST_NAME_MAX]
    return NewRegistrant(
        email=learner.email, first_name=first, last_name=learner.last_name[:LAST_NAME_MAX]
    )


def zoom_registrant_sync(*, registration_id: int) -> None:
    """Add or cancel the registrant of one registration (the work handler's body)."""
    registration = (
        LiveEventRegistration.objects.select_related("session", "event", "learner")
        .filter(pk=registration_id)
        .first()
    )
    if registration is None:
        return
    session = registration.session
    account = zoom_account_for_organization(organization_id=registration.event.organization_id)
    if account is None or session.zoom_meeting_id is None:
        # No meeting yet: creating it registers everyone waiting (meetings._registrations_follow).
        return
    try:
        with zoom_client_for_account(account) as client:
            if registration.status == RegistrationStatus.WAITING:
                _add(client, registration, session.zoom_meeting_id)
            elif registration.status == RegistrationStatus.CANCELLING:
                _cancel(client, registration, session.zoom_meeting_id)
    except ZoomAccountUnusable:
        raise
    except ZoomError as error:
        problem = zoom_problem(error, host_email=registration.event.host_email)
        if isinstance(error, ZoomRateLimited) or problem.retryable:
            raise
        if registration.status == RegistrationStatus.WAITING:
            registration_zoom_failed(registration_id=registration.pk, problem=problem.sentence)
        log.warning("zoom.registrant.refused", extra={"registration_id": registration.pk})


def _add(client: ZoomClient, registration: LiveEventRegistration, meeting_id: int) -> None:
    added = client.add_registrant(meeting_id, _new_registrant(registration))
    stored = registration_zoom_registered(
        registration_id=registration.pk,
        registrant_id=added.registrant_id,
        join_url=added.join_url or "",
    )
    if not stored:
        # Cancelled while the add was on its way: take the registrant back off the meeting.
        registration.zoom_registrant_id = added.registrant_id
        _cancel(client, registration, meeting_id)
    log.info("zoom.registrant.added", extra={"registration_id": registration.pk})


def _cancel(client: ZoomClient, registration: LiveEventRegistration, meeting_id: int) -> None:
    if registration.zoom_registrant_id:
        # A 404: the meeting is gone, and its registrants with it.
        with contextlib.suppress(ZoomNotFound):
            client.update_registrant_status(
                meeting_id, "cancel", [RegistrantRef(id=registration.zoom_registrant_id)]
            )
    registration_zoom_cancelled(registration_id=registration.pk)
    log.info("zoom.registrant.cancelled", extra={"registration_id": registration.pk})


def zoom_registrants_batch(*, session_id: int) -> int:
    """Register every waiting registration of the session, 30 per `batch_registrants` call, each
    batch's registrants stored before the next call (a failure later keeps what was done).
    Returns how many were registered."""
    session = LiveEventSession.objects.select_related("event").filter(pk=session_id).first()
    if session is None or session.zoom_meeting_id is None or session.removed_at is not None:
        return 0
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None:
        return 0
    waiting = list(
        LiveEventRegistration.objects.filter(session=session, status=RegistrationStatus.WAITING)
        .select_related("learner", "event")
        .order_by("id")
    )
    registered = 0
    with zoom_client_for_account(account) as client:
        for start in range(0, len(waiting), BATCH_LIMIT):
            registered += _register_batch(client, session, waiting[start : start + BATCH_LIMIT])
    log.info(
        "zoom.registrants.batch_done",
        extra={"session_id": session.pk, "registered": registered},
    )
    return registered


def _register_batch(
    client: ZoomClient, session: LiveEventSession, batch: Sequence[LiveEventRegistration]
) -> int:
    assert session.zoom_meeting_id is not None
    answers = client.add_batch_registrants(
        session.zoom_meeting_id,
        [_new_registrant(registration) for registration in batch],
        auto_approve=True,
        registrants_confirmation_email=session.event.zoom_notification_emails,
    )
    by_email = {answer.email.lower(): answer for answer in answers}
    # One short transaction per batch (after Zoom answered, never around the call): 30 stores
    # and their invitations commit together, instead of 60 commits one by one.
    with transaction.atomic():
        return _store_batch(batch, by_email)


def _store_batch(
    batch: Sequence[LiveEventRegistration], by_email: dict[str, BatchRegistrant]
) -> int:
    registered = 0
    for registration in batch:
        answer = by_email.get(registration.learner.email.lower())
        if answer is None:
            continue  # Zoom skipped it: it stays waiting for the next run
        if registration_zoom_registered(
            registration_id=registration.pk,
            registrant_id=answer.registrant_id,
            join_url=answer.join_url or "",
        ):
            registered += 1
        else:
            # Cancelled while the batch was on its way: its own work cancels the registrant.
            registrant_sync_enqueue(registration=registration)
    return registered
