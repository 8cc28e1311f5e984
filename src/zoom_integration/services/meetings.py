"""Each session's Zoom meeting brought in line with Campus's rows: created, adopted, updated
(only what changed) or deleted, by one background work kind per session.

One kind (`zoom.meeting.sync`) with one work row per session (dedupe key) rather than a kind per
operation: an edit enqueued while a create runs is run once more afterwards by the work app, so
a session's calls to Zoom never overtake each other, and whatever happened in between, the handler
reads the session as it is now and does what is left.

- **Create**: `POST /users/{hostId}/meetings` (the account-level grant schedules for any user of
  the account), type 2, registration on with automatic approval (every registrant gets a personal
  link at once), each option mapped to its setting, the start as UTC `Z` with the session's
  `timezone` (a wall-clock time sent with `Z` moves the meeting by the offset, reference §7.4).
- **Adopt**: the agenda ends with a marker unique to the session. Before a create is sent, the
  session notes that it was sent and what; if the answer is lost (a dropped connection, a worker
  killed before it stored the id), the retry first looks for the marker among the host's
  meetings and adopts the one it finds instead of making a second.
- **Update**: `PATCH /meetings/{id}` with only the fields that differ from what Zoom last
  accepted (`zoom_sent`); nothing differs → no call at all. Zoom counts every PATCH, even an empty
  one, against the host's 100 creates and updates a day (reference §4, §7.7).
- **Move to a new host**: the same PATCH with `schedule_for` naming the new host: Zoom moves the
  meeting and keeps its id, passcode and registrants, so every learner's link keeps working. Zoom
  allows it only when the new host has given the current host scheduling privilege (both
  Licensed, same account); refused ("You cannot schedule a meeting for …", or 3161), a new
  meeting is made for the new host and the old one deleted once it exists (learners always
  have one of them): their links change, they are registered on the new meeting and sent new
  invitations (`live_events.services.live_event_session_host_move_refused`). Which host a
  meeting is under at Zoom is kept in `zoom_sent["host_id"]`.
- **Deleted at Zoom** (`meeting.deleted`, or a 404 on update): marked, nothing sent until a
  builder recreates it (`live_event_session_retry`: a new marker, so a lost answer is adopted).
- **Delete**: `DELETE /meetings/{id}`, with Zoom's cancellation email to registrants when the
  builder chose it; a meeting already gone at Zoom counts as deleted.

Each create and update is counted against the host's day first (`HostMeetingWrites`); at 100 the
work waits for 00:00 UTC instead of earning Zoom's 429.
"""

from __future__ import annotations

import contextlib
import logging
from dataclasses import fields, replace
from datetime import UTC, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from live_events.models import (
    LiveEvent,
    LiveEventProvider,
    LiveEventRegistration,
    LiveEventSession,
    RegistrationStatus,
    ZoomMeetingState,
)
from live_events.services import (
    host_meeting_write_refund,
    host_meeting_write_reserve,
    live_event_session_host_move_refused,
    session_zoom_create_sent,
    session_zoom_deleted_at_zoom,
    session_zoom_problem,
    session_zoom_removed,
    session_zoom_replaced_deleted,
    session_zoom_scheduled,
    session_zoom_updated,
)
from work.handlers import RetryLater
from work.services import work_enqueue
from zoom_integration.models import ZoomAccount
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.meeting_errors import (
    CODE_MEETING_NOT_FOUND,
    zoom_problem,
)
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.zoom_accounts import zoom_account_for_organization
from zoomclient import (
    Meeting,
    MeetingListItem,
    MeetingSettings,
    MeetingSpec,
    ZoomAPIError,
    ZoomClient,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomServerError,
)
from zoomclient.meetings import APPROVAL_AUTOMATIC, MEETING_TYPE_SCHEDULED

log = logging.getLogger("zoom_integration.meetings")

MEETING_SYNC_KIND = "zoom.meeting.sync"
AGENDA_MAX = 2000
# Zoom cuts the agenda to this many characters in meeting lists.
LISTED_AGENDA_LENGTH = 250
REGISTRATION_TYPE_ONCE = 1  # registrants register once and may attend (the one occurrence)


# --- enqueueing -----------------------------------------------------------------------------------


def meeting_sync_enqueue(*, session: LiveEventSession) -> None:
    """One work row per session; called inside the caller's transaction, rung after commit."""
    organization_id = session.event.organization_id
    account = zoom_account_for_organization(organization_id=organization_id)
    if account is None:
        return  # not linked (any more): disabling cancelled the Zoom work and converted events
    work_enqueue(
        kind=MEETING_SYNC_KIND,
        subject=f"session:{session.pk}",
        payload={"session_id": session.pk},
        organization=session.event.organization,
        dedupe_key=f"{MEETING_SYNC_KIND}:session:{session.pk}",
        pause_group=account.pause_group,
    )


# --- what Zoom should hold ------------------------------------------------------------------------


def agenda_with_marker(description: str, marker: str) -> str:
    """The description, then the marker a retry finds the meeting by; within Zoom's 2,000."""
    suffix = f"(Scheduled by Campus, ref {marker})"
    if not description:
        return suffix
    room = AGENDA_MAX - len(suffix) - 2
    text = description if len(description) <= room else description[: room - 1] + "…"
    return f"{text}\n\n{suffix}"


def meeting_spec(session: LiveEventSession) -> MeetingSpec:
    """The whole meeting as Campus wants it at Zoom."""
    event = session.event
    notify = event.zoom_notification_emails
    return MeetingSpec(
        topic=event.title,
        type=MEETING_TYPE_SCHEDULED,
        start=session.starts_at,
        timezone=session.time_zone,
        duration_minutes=session.duration_minutes,
        agenda=agenda_with_marker(event.description, session.zoom_marker or ""),
        settings=MeetingSettings(
            # Registration with automatic approval: each learner gets a personal join link at
            # once, and the attendance report names them by registrant id.
            approval_type=APPROVAL_AUTOMATIC,
            registration_type=REGISTRATION_TYPE_ONCE,
            auto_recording="cloud" if event.auto_record_cloud else "none",
            participant_video=event.participant_video,
            mute_upon_entry=event.mute_upon_entry,
            registrants_confirmation_email=notify,
            registrants_email_notification=notify,
            email_notification=notify,
            alternative_hosts_email_notification=notify,
            alternative_hosts=tuple(event.alternative_hosts),
        ),
    )


# JSON names of the top-level fields, and the MeetingSpec attribute each comes from.
_SPEC_ATTRIBUTES = {
    "topic": "topic",
    "type": "type",
    "start_time": "start",
    "timezone": "timezone",
    "duration": "duration_minutes",
    "agenda": "agenda",
}


def meeting_changes(spec: MeetingSpec, sent: dict[str, Any]) -> MeetingSpec | None:
    """The PATCH that takes Zoom from `sent` to `spec`: only the fields that differ, or None."""
    wanted = spec.to_json()
    changed = {name for name in _SPEC_ATTRIBUTES if wanted.get(name) != sent.get(name)}
    if "start_time" in changed:
        changed.add("timezone")  # Zoom reads a start together with its zone
    sent_settings = sent.get("settings") or {}
    wanted_settings = wanted.get("settings") or {}
    changed_settings = {
        name for name, value in wanted_settings.items() if sent_settings.get(name) != value
    }
    if not changed and not changed_settings:
        return None
    cleared: dict[str, Any] = {
        attribute: None for name, attribute in _SPEC_ATTRIBUTES.items() if name not in changed
    }
    settings = None
    if changed_settings and spec.settings is not None:
        settings = replace(
            spec.settings,
            **{f.name: None for f in fields(MeetingSettings) if f.name not in changed_settings},
        )
    return replace(spec, settings=settings, **cleared)


# --- the work -------------------------------------------------------------------------------------


def zoom_meeting_sync(*, session_id: int) -> None:
    """Bring session `session_id`'s meeting in line with the row (the work handler's body)."""
    session = (
        LiveEventSession.objects.select_related("event", "event__organization")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        return
    event = session.event
    removed = session.removed_at is not None or event.removed_at is not None
    if event.provider != LiveEventProvider.ZOOM and not removed:
        return  # an external-link event now: Campus no longer manages its meetings
    account = zoom_account_for_organization(organization_id=event.organization_id)
    if account is None:
        return
    try:
        with zoom_client_for_account(account) as client:
            if removed:
                _delete(client, session)
            elif session.zoom_state == ZoomMeetingState.DELETED_AT_ZOOM:
                return  # waits for a builder's recreate (or an edit), which gives a new marker
            elif session.zoom_meeting_id is None:
                _create_or_adopt(client, session, account)
            else:
                _update(client, session)
    except ZoomAccountUnusable:
        raise  # the work pauses until re-authentication (zoom_work_handler)
    except ZoomError as error:
        _record_problem(session, error)
        raise_again = zoom_problem(error, host_email=event.host_email).retryable
        if isinstance(error, ZoomRateLimited) or raise_again:
            raise
        log.warning(
            "zoom.meeting.refused",
            extra={"session_id": session.pk, "code": getattr(error, "code", None)},
        )


def _record_problem(session: LiveEventSession, error: ZoomError) -> None:
    problem = zoom_problem(error, host_email=session.event.host_email)
    session_zoom_problem(
        session_id=session.pk, problem=problem.sentence, failed=not problem.retryable
    )


def _host(event: LiveEvent) -> str:
    return event.host_zoom_user_id or event.host_email


def _host_at_zoom(session: LiveEventSession) -> str:
    """The host the meeting is under at Zoom (the event's, unless a host change is pending)."""
    return str(session.zoom_sent.get("host_id") or _host(session.event))


def _sent(spec: MeetingSpec, session: LiveEventSession) -> dict[str, Any]:
    return {**spec.to_json(), "host_id": _host(session.event)}


def _reserve_write(session: LiveEventSession, host: str | None = None) -> None:
    host = host or _host(session.event)
    if host_meeting_write_reserve(host_zoom_user_id=host):
        return
    midnight = timezone.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    reason = (
        f"{session.event.host_email} has used Zoom's 100 meeting creates and updates for today; "
        "Campus continues after 00:00 UTC."
    )
    session_zoom_problem(session_id=session.pk, problem=reason, failed=False)
    raise RetryLater(midnight + timedelta(days=1), reason)


def _refund_if_not_counted(
    session: LiveEventSession, error: ZoomError, host: str | None = None
) -> None:
    # Zoom counts a create or update only once it passed validation; a refusal (4xx, a 429) was
    # not counted. A lost answer or a 5xx may have been: it stays counted.
    if isinstance(error, ZoomAPIError) and not isinstance(error, ZoomServerError):
        host_meeting_write_refund(host_zoom_user_id=host or _host(session.event))


def _create_or_adopt(client: ZoomClient, session: LiveEventSession, account: ZoomAccount) -> None:
    spec = meeting_spec(session)
    adopted = None
    if session.zoom_create_sent_at is not None:
        adopted = _find_by_marker(client, session)
    if adopted is not None:
        # The meeting a lost answer made, as Campus asked for it then; anything changed since is
        # sent as an update.
        session_zoom_scheduled(
            session_id=session.pk,
            meeting_id=adopted.id,
            join_url=adopted.join_url,
            sent=session.zoom_sent,
        )
        log.info("zoom.meeting.adopted", extra={"session_id": session.pk, "meeting_id": adopted.id})
        session.refresh_from_db()
        _update(client, session)
        _registrations_follow(session)
        _delete_replaced(client, session)
        return
    _reserve_write(session)
    session_zoom_create_sent(session_id=session.pk, attempted=_sent(spec, session))
    try:
        meeting: Meeting = client.create_meeting(_host(session.event), spec)
    except ZoomError as error:
        _refund_if_not_counted(session, error)
        raise
    session_zoom_scheduled(
        session_id=session.pk,
        meeting_id=meeting.id,
        join_url=meeting.join_url,
        sent=_sent(spec, session),
    )
    log.info("zoom.meeting.created", extra={"session_id": session.pk, "meeting_id": meeting.id})
    _registrations_follow(session)
    _delete_replaced(client, session)


def _find_by_marker(client: ZoomClient, session: LiveEventSession) -> MeetingListItem | None:
    """The meeting of the host carrying the session's marker, if a lost answer made one."""
    marker = session.zoom_marker or ""
    if not marker:
        return None
    upcoming = session.starts_at > timezone.now()
    # Among the meetings of the host it was created for (a host change may be pending).
    listed = client.list_meetings(
        _host_at_zoom(session), type="upcoming" if upcoming else "scheduled"
    )
    for item in listed:
        if marker in item.agenda:
            return item
    # Zoom cuts agendas to 250 characters in lists: a long description hides the marker, so a
    # meeting at the same time with the same topic is fetched whole to look.
    for item in listed:
        if (
            len(item.agenda) >= LISTED_AGENDA_LENGTH - 5
            and item.topic == session.event.title
            and item.start_time == session.starts_at
        ):
            meeting = client.get_meeting(item.id)
            if marker in meeting.agenda:
                return item
    return None


def _update(client: ZoomClient, session: LiveEventSession) -> None:
    spec = meeting_spec(session)
    changes = meeting_changes(spec, session.zoom_sent)
    # Zoom counts the write against the host the meeting is under when it arrives.
    host_now = _host_at_zoom(session)
    moving = host_now != _host(session.event)
    if moving:
        changes = replace(changes or MeetingSpec(), schedule_for=_host(session.event))
    if changes is None:
        if session.zoom_state != ZoomMeetingState.SCHEDULED:
            session_zoom_updated(session_id=session.pk, sent=session.zoom_sent)
        return  # nothing Zoom sees changed: no call (Zoom would count even an empty PATCH)
    assert session.zoom_meeting_id is not None
    _reserve_write(session, host_now)
    try:
        client.update_meeting(session.zoom_meeting_id, changes)
    except ZoomNotFound as gone:
        _refund_if_not_counted(session, gone, host_now)
        if gone.code == CODE_MEETING_NOT_FOUND:
            # Deleted at Zoom without Campus hearing of it (a lost webhook): marked the same way.
            session_zoom_deleted_at_zoom(session_id=session.pk)
            return
        raise
    except ZoomError as error:
        _refund_if_not_counted(session, error, host_now)
        if moving and _move_refused(error):
            _replace_for_new_host(client, session)
            return
        raise
    session_zoom_updated(session_id=session.pk, sent=_sent(spec, session))
    log.info("zoom.meeting.updated", extra={"session_id": session.pk, "moved": moving})


def _move_refused(error: ZoomError) -> bool:
    """Zoom will not move this meeting to the new host (no scheduling privilege, a Basic user):
    only a new meeting will do. A started meeting (also 3000) is not this: it waits."""
    if not isinstance(error, ZoomAPIError) or error.status != 400:
        return False
    message = error.message.lower()
    return error.code == 3161 or (error.code == 3000 and "cannot schedule a meeting for" in message)


def _replace_for_new_host(client: ZoomClient, session: LiveEventSession) -> None:
    """A new meeting for the new host; the old one is deleted once it exists (`_delete_replaced`),
    so learners always have one of them."""
    log.info(
        "zoom.meeting.move_refused_replacing",
        extra={"session_id": session.pk, "meeting_id": session.zoom_meeting_id},
    )
    live_event_session_host_move_refused(session_id=session.pk)
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None:
        return
    session.refresh_from_db()
    _create_or_adopt(client, session, account)


def _delete_replaced(client: ZoomClient, session: LiveEventSession) -> None:
    """The old host's meeting, once the new host's exists (learners always have one of them).
    Campus emails the learners their new links; Zoom's cancellation email would only confuse."""
    if session.zoom_meeting_to_delete is None:
        return
    with contextlib.suppress(ZoomNotFound):
        client.delete_meeting(session.zoom_meeting_to_delete)
    session_zoom_replaced_deleted(session_id=session.pk)
    log.info(
        "zoom.meeting.replaced",
        extra={"session_id": session.pk, "deleted": session.zoom_meeting_to_delete},
    )


def _delete(client: ZoomClient, session: LiveEventSession) -> None:
    meeting_id = session.zoom_meeting_id
    if meeting_id is None and session.zoom_create_sent_at is not None:
        found = _find_by_marker(client, session)
        meeting_id = found.id if found is not None else None
    if meeting_id is not None and session.zoom_state != ZoomMeetingState.DELETED_AT_ZOOM:
        # Already gone at Zoom (404) is what removing wanted.
        with contextlib.suppress(ZoomNotFound):
            client.delete_meeting(
                meeting_id, cancel_meeting_reminder=session.removal_notifies_registrants
            )
    if session.zoom_meeting_to_delete is not None:
        with contextlib.suppress(ZoomNotFound):
            client.delete_meeting(session.zoom_meeting_to_delete)
        session_zoom_replaced_deleted(session_id=session.pk)
    session_zoom_removed(session_id=session.pk)
    log.info("zoom.meeting.deleted", extra={"session_id": session.pk, "meeting_id": meeting_id})


def _registrations_follow(session: LiveEventSession) -> None:
    """Learners who registered while the meeting did not exist yet (or whose meeting was
    replaced: deleted at Zoom and recreated, or a new host's) get their registrants on it now."""
    # Imported here: registrants builds on this module's enqueueing.
    from zoom_integration.services.registrants import registrants_batch_enqueue

    waiting = LiveEventRegistration.objects.filter(session=session)
    if waiting.filter(status=RegistrationStatus.WAITING).exists():
        registrants_batch_enqueue(session=session)


def zoom_meeting_start_url(*, session: LiveEventSession) -> str:
    """GET /meetings/{id} for a fresh `start_url` (its zak token expires after two hours)."""
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None or session.zoom_meeting_id is None:
        raise ValidationError({"__all__": ["The meeting is not scheduled at Zoom yet."]})
    try:
        with zoom_client_for_account(account) as client:
            return client.get_meeting(session.zoom_meeting_id).start_url
    except ZoomAccountUnusable as unusable:
        raise ValidationError(
            {
                "__all__": [
                    "Zoom stopped accepting Campus's connection; an Org Admin must "
                    "re-authenticate it in Admin Tools."
                ]
            }
        ) from unusable
    except ZoomError as error:
        sentence = zoom_problem(error, host_email=session.event.host_email).sentence
        raise ValidationError({"__all__": [sentence]}) from error
