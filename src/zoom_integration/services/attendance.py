"""Attendance from Zoom after a meeting: when to fetch it, and the fetch (docs/attendance.md).

One work row per session (`zoom.attendance.fetch`, dedupe key per session), so a session is never
fetched twice at once; `meeting.ended`, the poll and Fetch now all enqueue that same row.

The fetch lists the meeting's ended runs (`GET /past_meetings/{id}/instances`: a meeting started
twice has two UUIDs) together with the ones `meeting.ended` named, and for each run not stored
yet reads its start and end (`GET /past_meetings/{uuid}`) and its whole participant report
(`GET /report/meetings/{uuid}/participants`, 300 a page, with registrant ids; zoomclient
double-encodes UUIDs holding slashes). Zoom needs a while after the end to have the report:
404/3001 ("not found or has expired"), an empty report, or durations all 0 mean "not ready
yet", never "no one came". Those are tried again, minutes apart at first and hours apart later,
until 72 hours after the meeting ended; then the session says "data not available from Zoom"
with Zoom's last answer, and its Course Admins are emailed.

While the connection needs re-authentication the work pauses (`zoom_work_handler`) and resumes
with the account's other work after it.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from live_events.attendance_models import AttendanceInstance, AttendanceSyncState
from live_events.attendance_selectors import ATTENDANCE_WORK_KIND
from live_events.attendance_services import (
    FetchAlreadyRunning,
    SegmentInput,
    attendance_give_up_at,
    attendance_instance_not_ready,
    attendance_instance_note,
    attendance_instance_report_store,
    attendance_sync_fetched,
    attendance_sync_get,
    attendance_sync_retrying,
    attendance_sync_unavailable,
)
from live_events.models import LiveEventProvider, LiveEventSession
from organizations.models import Organization
from work.handlers import RetryLater
from work.models import WorkItem, WorkState
from work.services import ring, work_enqueue
from zoom_integration.models import (
    LinkStatus,
    OrganizationZoomLink,
    ZoomAccount,
    ZoomWebhookEvent,
)
from zoom_integration.services.account_client import zoom_client_for_account
from zoom_integration.services.ended_run import EndedRun
from zoom_integration.services.tokens import ZoomAccountUnusable
from zoom_integration.services.zoom_accounts import zoom_account_for_organization
from zoom_integration.services.zoom_answers import zoom_answer_in_words
from zoomclient import (
    ZoomClient,
    ZoomError,
    ZoomNotFound,
    ZoomRateLimited,
)
from zoomclient.past_meetings import ReportParticipant

log = logging.getLogger("zoom_integration.attendance")

# One name for the kind: live_events' status reads the work row by it.
ATTENDANCE_FETCH_KIND = ATTENDANCE_WORK_KIND
CODE_NOT_READY = 3001  # "Meeting … not found or has expired": also a report not made yet

# Waits between tries: minutes at first (Zoom usually has the report minutes after the end),
# hours later; the last step repeats until 72 hours after the end.
RETRY_STEPS = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=5),
    timedelta(minutes=10),
    timedelta(minutes=20),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=6),
)
# After a complete fetch, one more look for a run of the meeting started later (a host who
# restarts the meeting after everyone left), in case its meeting.ended never arrives.
LATE_CHECK_AFTER = timedelta(hours=1)
# Sessions whose scheduled end is at least this far past are polled (a missed webhook).
POLL_AFTER_SCHEDULED_END = timedelta(minutes=10)

REASON_NO_RUN = "Zoom lists no ended run of this meeting yet"
REASON_NO_REPORT = "Zoom has no report yet"
REASON_EMPTY = "Zoom's report is still empty"
REASON_ONE_PERSON = "Zoom makes no participant report of a meeting with only one person in it"
REASON_ZERO = "Zoom's report is not complete yet (every duration is 0)"
REASON_RATE_LIMITED = "Zoom's rate limit was reached; Campus waits until it resets"


def retry_delay(attempt: int) -> timedelta:
    """The wait after the `attempt`-th try that found no (complete) data (1-based)."""
    return RETRY_STEPS[min(max(attempt, 1), len(RETRY_STEPS)) - 1]


# --- enqueueing -----------------------------------------------------------------------------------


def _dedupe_key(session_id: int) -> str:
    return f"{ATTENDANCE_FETCH_KIND}:session:{session_id}"


def attendance_fetch_enqueue(
    *, session: LiveEventSession, run_at: datetime | None = None
) -> WorkItem | None:
    """The session's one fetch row, due at `run_at` (default now). A row already waiting for a
    later try is brought forward (a `meeting.ended`, Fetch now); one running is run once more
    afterwards (the work app's dedupe). None when the organization has no Zoom link."""
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None:
        return None
    due = run_at or timezone.now()
    item = work_enqueue(
        kind=ATTENDANCE_FETCH_KIND,
        subject=f"session:{session.pk}",
        payload={"session_id": session.pk},
        organization=session.event.organization,
        dedupe_key=_dedupe_key(session.pk),
        pause_group=account.pause_group,
        run_at=due,
    )
    if item.state == WorkState.PENDING and item.next_attempt_at > due:
        brought = WorkItem.objects.filter(
            pk=item.pk, state=WorkState.PENDING, next_attempt_at__gt=due
        ).update(next_attempt_at=due, updated_at=timezone.now())
        if brought and due <= timezone.now():
            transaction.on_commit(lambda: ring(item.pk))
    return item


def attendance_fetch_now(*, organization: Organization, session_id: int) -> WorkItem:
    """A Course Admin's Fetch now: the same work row, due now; refused while it runs (no second
    fetch meanwhile). LookupError for a session outside `organization` or without a meeting."""
    session = (
        LiveEventSession.objects.select_related("event")
        .filter(
            pk=session_id,
            event__organization=organization,
            event__provider=LiveEventProvider.ZOOM,
            zoom_meeting_id__isnull=False,
        )
        .first()
    )
    if session is None:
        raise LookupError("No Zoom session of this organization has that id.")
    running = WorkItem.objects.filter(
        dedupe_key=_dedupe_key(session.pk), state=WorkState.RUNNING
    ).exists()
    if running:
        raise FetchAlreadyRunning("Attendance is being fetched right now.")
    item = attendance_fetch_enqueue(session=session)
    if item is None:
        raise LookupError("The organization's Zoom connection is not active.")
    return item


def zoom_attendance_poll(*, now: datetime | None = None) -> int:
    """The safety net for missed webhooks: every Zoom session whose scheduled end has passed
    (within the 72-hour window) without complete data, and every fetched one due its late
    check, gets its fetch enqueued (a row already waiting stays as it is). Returns how many."""
    now = now or timezone.now()
    window_start = now - timedelta(hours=96)
    candidates = (
        LiveEventSession.objects.select_related("event", "event__organization")
        .filter(
            event__provider=LiveEventProvider.ZOOM,
            event__track_attendance=True,
            event__removed_at__isnull=True,
            removed_at__isnull=True,
            zoom_meeting_id__isnull=False,
            starts_at__gte=window_start,
            starts_at__lte=now,
        )
        .filter(
            Q(attendance_sync__isnull=True)
            | Q(
                attendance_sync__state__in=[
                    AttendanceSyncState.WAITING,
                    AttendanceSyncState.RETRYING,
                ]
            )
            | Q(
                attendance_sync__state=AttendanceSyncState.FETCHED,
                attendance_sync__late_check_at__lte=now,
                attendance_sync__late_check_at__gt=F("attendance_sync__last_fetched_at"),
            )
        )
    )
    enqueued = 0
    for session in candidates:
        scheduled_end = session.starts_at + timedelta(minutes=session.duration_minutes)
        if scheduled_end + POLL_AFTER_SCHEDULED_END > now:
            continue
        item = WorkItem.objects.filter(dedupe_key=_dedupe_key(session.pk)).first()
        if item is not None and item.state in (
            WorkState.PENDING,
            WorkState.RUNNING,
            WorkState.PAUSED,
        ):
            continue
        if attendance_fetch_enqueue(session=session) is not None:
            enqueued += 1
    return enqueued


# --- meeting.ended --------------------------------------------------------------------------------


def on_meeting_ended(event: ZoomWebhookEvent, run: EndedRun) -> None:
    """`meeting.ended`: note the run (its UUID and times) on each session of the meeting in
    organizations linked to the sending account, and fetch its attendance now. Runs inside the
    stored event's transaction: the fetch is rung once it commits."""
    meeting_id, uuid = run.meeting_id, run.uuid
    linked = OrganizationZoomLink.objects.filter(
        zoom_account__zoom_account_id=event.zoom_account_id, status=LinkStatus.ACTIVE
    ).values_list("organization_id", flat=True)
    sessions = LiveEventSession.objects.select_related("event", "event__organization").filter(
        zoom_meeting_id=meeting_id,
        event__organization_id__in=list(linked),
        event__provider=LiveEventProvider.ZOOM,
        event__track_attendance=True,
    )
    for session in sessions:
        if uuid:
            attendance_instance_note(
                session_id=session.pk,
                zoom_uuid=uuid,
                started_at=run.started_at,
                ended_at=run.ended_at,
            )
        attendance_fetch_enqueue(session=session)
        log.info(
            "zoom.attendance.meeting_ended",
            extra={"session_id": session.pk, "webhook_event_id": event.pk},
        )


# --- the fetch ------------------------------------------------------------------------------------


class _NotReady(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def zoom_attendance_fetch(*, session_id: int) -> None:
    """Fetch and store every run's attendance the session does not have yet (the work's body)."""
    session = (
        LiveEventSession.objects.select_related("event", "event__organization")
        .filter(pk=session_id)
        .first()
    )
    if session is None or session.zoom_meeting_id is None:
        return
    if session.event.provider != LiveEventProvider.ZOOM or not session.event.track_attendance:
        return
    account = zoom_account_for_organization(organization_id=session.event.organization_id)
    if account is None:
        return
    sync = attendance_sync_get(session_id=session.pk)
    try:
        reasons = _fetch_what_is_missing(account, session)
    except ZoomRateLimited as limited:
        # zoom_work_handler moves the work to Zoom's time; the session says so meanwhile.
        attendance_sync_retrying(
            session_id=session.pk, next_try_at=limited.retry_at, reason=REASON_RATE_LIMITED
        )
        raise
    instances = AttendanceInstance.objects.filter(session=session).count()
    if not instances:
        scheduled_end = session.starts_at + timedelta(minutes=session.duration_minutes)
        if timezone.now() < scheduled_end:
            # Fetched before the meeting could have ended (Fetch now too early): nothing to wait
            # for yet; meeting.ended or the poll after the scheduled end fetch it.
            return
        reasons.append(REASON_NO_RUN)
    if reasons:
        _try_again_later(session, reason=reasons[0])
        return
    first_complete = sync.late_check_at is None
    late_check_at = timezone.now() + LATE_CHECK_AFTER if first_complete else None
    attendance_sync_fetched(session_id=session.pk, late_check_at=late_check_at)
    log.info(
        "zoom.attendance.fetched",
        extra={"session_id": session.pk, "instances": instances},
    )


def _fetch_what_is_missing(account: ZoomAccount, session: LiveEventSession) -> list[str]:
    """Note Zoom's ended runs and store each one's report not stored yet; the reasons of those
    Zoom does not have yet."""
    reasons: list[str] = []
    with zoom_client_for_account(account) as client:
        try:
            _note_listed_instances(client, session)
        except _NotReady as not_ready:
            reasons.append(not_ready.reason)
        waiting = list(AttendanceInstance.objects.filter(session=session, fetched_at__isnull=True))
        for instance in waiting:
            try:
                _fetch_instance(client, instance)
            except _NotReady as not_ready:
                attendance_instance_not_ready(instance_id=instance.pk, reason=not_ready.reason)
                reasons.append(not_ready.reason)
    return reasons


def _zoom_reason(error: ZoomError) -> str:
    """Zoom's answer in words, for the sync status."""
    return zoom_answer_in_words(error, not_yet={CODE_NOT_READY: REASON_NO_REPORT})


def _call(action: Any, *args: Any, **kwargs: Any) -> Any:
    """Zoom's call; "not now" answers become _NotReady with a reason. Dead credentials and 429s
    go up to zoom_work_handler (pause; retry at Zoom's time)."""
    try:
        return action(*args, **kwargs)
    except (ZoomAccountUnusable, ZoomRateLimited):
        raise
    except ZoomError as error:
        raise _NotReady(_zoom_reason(error)) from error


def _note_listed_instances(client: ZoomClient, session: LiveEventSession) -> None:
    assert session.zoom_meeting_id is not None
    try:
        listed = client.list_past_instances(session.zoom_meeting_id)
    except ZoomNotFound as not_found:
        if not_found.code == CODE_NOT_READY:
            return  # no ended run listed yet; meeting.ended may have named one
        raise _NotReady(_zoom_reason(not_found)) from not_found
    except (ZoomAccountUnusable, ZoomRateLimited):
        raise
    except ZoomError as error:
        raise _NotReady(_zoom_reason(error)) from error
    for run in listed:
        attendance_instance_note(
            session_id=session.pk, zoom_uuid=run.uuid, started_at=run.start_time
        )


def _fetch_instance(client: ZoomClient, instance: AttendanceInstance) -> None:
    details = _call(client.get_past_meeting, instance.zoom_uuid)
    if details.end_time is not None:
        attendance_instance_note(
            session_id=instance.session_id,
            zoom_uuid=instance.zoom_uuid,
            started_at=details.start_time,
            ended_at=details.end_time,
        )
    rows: list[ReportParticipant] = _call(
        client.report_participants, instance.zoom_uuid, include_registrant_id=True
    )
    if not rows:
        # Zoom makes no participant report of a meeting with fewer than two people in it (a
        # guest, or a learner, alone): its details count them, but no row will ever come. Still
        # no "no one came": tried again like any empty report, with the reason that says why.
        raise _NotReady(REASON_ONE_PERSON if details.participants_count == 1 else REASON_EMPTY)
    if all(row.duration_seconds == 0 for row in rows):
        raise _NotReady(REASON_ZERO)
    segments = [
        SegmentInput(
            registrant_id=row.registrant_id or "",
            zoom_user_id=row.participant_user_id,
            email=row.user_email,
            name=row.name,
            joined_at=row.join_time,
            left_at=row.leave_time or row.join_time,
            duration_seconds=row.duration_seconds,
        )
        for row in rows
        if row.join_time is not None
    ]
    attendance_instance_report_store(
        instance_id=instance.pk,
        started_at=details.start_time,
        ended_at=details.end_time,
        rows=segments,
    )


def _try_again_later(session: LiveEventSession, *, reason: str) -> None:
    """Not (all) there yet: the next try, or after 72 hours "data not available from Zoom"."""
    sync = attendance_sync_get(session_id=session.pk)
    now = timezone.now()
    if now >= attendance_give_up_at(session=session, sync=sync):
        attendance_sync_unavailable(session_id=session.pk, reason=reason)
        log.warning("zoom.attendance.unavailable", extra={"session_id": session.pk})
        return
    next_try = now + retry_delay(sync.attempts + 1)
    attendance_sync_retrying(session_id=session.pk, next_try_at=next_try, reason=reason)
    raise RetryLater(next_try, reason)
