"""Reads of attendance for the pages (docs/attendance.md). Every selector takes the organization:
another organization's session or event reads as one that does not exist (LookupError)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from campus.formats import time_of_day
from live_events.attendance_models import (
    AttendanceInstance,
    AttendanceRecord,
    AttendanceSync,
    AttendanceSyncState,
)
from live_events.models import LiveEvent, LiveEventRegistration, LiveEventSession
from live_events.not_available import SessionData, not_available_words
from organizations.models import Organization, User
from work.models import WorkItem, WorkState

# The provider's fetch work, whose state the status reads (live_events does not import
# zoom_integration; zoom_integration names its work kind with this).
ATTENDANCE_WORK_SUBJECT = "session:{session_id}"
ATTENDANCE_WORK_KIND = "zoom.attendance.fetch"


def _session(*, organization: Organization, session_id: int) -> LiveEventSession:
    session = (
        LiveEventSession.objects.select_related("event")
        .filter(pk=session_id, event__organization=organization)
        .first()
    )
    if session is None:
        raise LookupError("No session of this organization has that id.")
    return session


@dataclass(frozen=True)
class AttendanceRow:
    learner: User | None
    name: str
    email: str
    session_id: int
    session_starts_at: datetime
    registered_session_id: int | None  # the session the learner picked
    attended: bool
    duration_seconds: int
    first_join_at: datetime | None
    last_leave_at: datetime | None
    segments: list[list[str]]


def _rows(records: QuerySet[AttendanceRecord], event: LiveEvent) -> list[AttendanceRow]:
    picked = dict(
        LiveEventRegistration.objects.filter(event=event)
        .order_by("registered_at")
        .values_list("learner_id", "session_id")
    )
    rows = []
    for record in records.select_related("learner", "session"):
        learner = record.learner
        rows.append(
            AttendanceRow(
                learner=learner,
                name=learner.get_full_name() or learner.email if learner else record.name,
                email=learner.email if learner else record.email,
                session_id=record.session_id,
                session_starts_at=record.session.starts_at,
                registered_session_id=picked.get(learner.pk) if learner else None,
                attended=record.attended,
                duration_seconds=record.duration_seconds,
                first_join_at=record.first_join_at,
                last_leave_at=record.last_leave_at,
                segments=record.segments,
            )
        )
    return sorted(rows, key=lambda row: (row.session_starts_at, row.name.lower(), row.email))


def attendance_for_session(*, organization: Organization, session_id: int) -> list[AttendanceRow]:
    """The matched learners' attendance of one session."""
    session = _session(organization=organization, session_id=session_id)
    records = AttendanceRecord.objects.filter(session=session, learner__isnull=False)
    return _rows(records, session.event)


def attendance_for_event(*, organization: Organization, event_id: int) -> list[AttendanceRow]:
    """The matched learners' attendance of every session of the event, by session."""
    event = LiveEvent.objects.filter(pk=event_id, organization=organization).first()
    if event is None:
        raise LookupError("No event of this organization has that id.")
    records = AttendanceRecord.objects.filter(
        session__event=event, session__removed_at__isnull=True, learner__isnull=False
    )
    return _rows(records, event)


def attendance_unmatched(*, organization: Organization, session_id: int) -> list[AttendanceRecord]:
    """Participants of the session who match no learner (guests, unknown emails), by name (the
    people of one typed name numbered: `label`); each row's `identity_key` is what a mapping
    takes."""
    session = _session(organization=organization, session_id=session_id)
    records = AttendanceRecord.objects.filter(session=session, learner__isnull=True)
    return sorted(records, key=_unmatched_order)


def _unmatched_order(record: AttendanceRecord) -> tuple[str, str, str]:
    # By name, the people of one typed name in their order ("Sam", "Sam (2)").
    return (record.name, record.label, record.identity_key)


def attendance_unmatched_of_event(
    *, organization: Organization, event_id: int
) -> dict[int, list[AttendanceRecord]]:
    """The unmatched participants of every session of the event, by session id (sessions with
    none left out), each session's by name, in one query."""
    event = LiveEvent.objects.filter(pk=event_id, organization=organization).first()
    if event is None:
        raise LookupError("No event of this organization has that id.")
    by_session: dict[int, list[AttendanceRecord]] = {}
    records = AttendanceRecord.objects.filter(
        session__event=event, session__removed_at__isnull=True, learner__isnull=True
    )
    for record in records:
        by_session.setdefault(record.session_id, []).append(record)
    return {pk: sorted(own, key=_unmatched_order) for pk, own in by_session.items()}


def attendance_of_learner(
    *, organization: Organization, learner: User, event_id: int
) -> list[AttendanceRecord]:
    """A learner's own attendance of the event's sessions (the lesson page)."""
    return list(
        AttendanceRecord.objects.filter(
            session__event_id=event_id,
            session__event__organization=organization,
            learner=learner,
        ).select_related("session")
    )


def attendance_of_learner_in_events(
    *, organization: Organization, learner: User, event_ids: Sequence[int]
) -> dict[int, AttendanceRecord]:
    """A learner's own attendance, by session, over several events in one query (the lesson
    page)."""
    return {
        record.session_id: record
        for record in AttendanceRecord.objects.filter(
            session__event_id__in=event_ids,
            session__event__organization=organization,
            learner=learner,
        )
    }


def attendance_meeting_span(*, session: LiveEventSession) -> tuple[datetime, datetime]:
    """From the first run's start to the last run's end, as Zoom reported them; the scheduled
    time where Zoom said nothing."""
    instances = list(AttendanceInstance.objects.filter(session=session))
    starts = [i.started_at for i in instances if i.started_at is not None]
    ends = [i.ended_at for i in instances if i.ended_at is not None]
    scheduled_end = session.starts_at + timedelta(minutes=session.duration_minutes)
    return (min(starts, default=session.starts_at), max(ends, default=scheduled_end))


# --- the sync status in words -------------------------------------------------------------------


def _clock(moment: datetime, zone: ZoneInfo) -> str:
    return time_of_day(moment, zone)


def _span(delta: timedelta) -> str:
    seconds = max(int(delta.total_seconds()), 0)
    if seconds < 120:
        return f"{seconds} s"
    if seconds < 7200:
        return f"{seconds // 60} min"
    return f"{seconds // 3600} h"


@dataclass(frozen=True)
class SyncStatus:
    """Where a session's attendance stands: in words, and whether a fetch runs right now (the
    Fetch now button is refused meanwhile)."""

    words: str
    fetching: bool
    fetched: bool  # a complete report has been stored
    # Fetch now is offered: Zoom could have something (the scheduled start passed, or a run of
    # the meeting ended already, say one held early); a fetch before either finds nothing.
    may_fetch: bool = False


def attendance_sync_statuses(
    *,
    sessions: Sequence[LiveEventSession],
    time_zone: str,
    now: datetime | None = None,
) -> dict[int, SyncStatus]:
    """The status of each of `sessions` (already read, of one organization), in two queries
    however many sessions: the lesson page and the attendance pages show them all."""
    zone = ZoneInfo(time_zone)
    now = now or timezone.now()
    ids = [session.pk for session in sessions]
    # The end of the latest run whose report is stored: "fetched N after the meeting ended"
    # counts from it (a restarted meeting's second run, not the first), in the same query.
    fetched_runs = Q(session__attendance_instances__fetched_at__isnull=False)
    syncs = {
        sync.session_id: sync
        for sync in AttendanceSync.objects.filter(session_id__in=ids).annotate(
            latest_fetched_end=Max("session__attendance_instances__ended_at", filter=fetched_runs)
        )
    }
    work_states = dict(
        WorkItem.objects.filter(
            kind=ATTENDANCE_WORK_KIND,
            subject__in=[ATTENDANCE_WORK_SUBJECT.format(session_id=pk) for pk in ids],
            state__in=(WorkState.PAUSED, WorkState.RUNNING),
        ).values_list("subject", "state")
    )
    statuses = {}
    for session in sessions:
        state = work_states.get(ATTENDANCE_WORK_SUBJECT.format(session_id=session.pk))
        sync = syncs.get(session.pk)
        ran = sync is not None and (
            sync.first_ended_at is not None or sync.last_fetched_at is not None
        )
        statuses[session.pk] = SyncStatus(
            words=attendance_status_words(
                session=session,
                sync=sync,
                paused=state == WorkState.PAUSED,
                zone=zone,
                now=now,
                latest_end=getattr(sync, "latest_fetched_end", None),
            ),
            fetching=state == WorkState.RUNNING,
            fetched=sync is not None and sync.last_fetched_at is not None,
            may_fetch=ran or session.starts_at <= now,
        )
    return statuses


def attendance_sync_status(
    *, organization: Organization, session_id: int, time_zone: str, now: datetime | None = None
) -> str:
    """Where the session's attendance stands, in words, times in the viewer's `time_zone`."""
    session = _session(organization=organization, session_id=session_id)
    return attendance_sync_statuses(sessions=[session], time_zone=time_zone, now=now)[
        session.pk
    ].words


def attendance_status_words(
    *,
    session: LiveEventSession,
    sync: AttendanceSync | None,
    paused: bool,
    zone: ZoneInfo,
    now: datetime,
    latest_end: datetime | None = None,
) -> str:
    """`latest_end`: the end of the latest run whose report is stored (else the first end)."""
    if paused:
        return "waiting for re-authentication"
    scheduled_end = session.starts_at + timedelta(minutes=session.duration_minutes)
    if sync is None or sync.state == AttendanceSyncState.WAITING:
        if session.starts_at > now:
            return "attendance comes after the meeting"
        return "waiting for the meeting to end" if scheduled_end > now else "waiting for Zoom"
    if sync.state == AttendanceSyncState.FETCHED and sync.last_fetched_at is not None:
        fetched = f"attendance fetched {_clock(sync.last_fetched_at, zone)}"
        ended = latest_end or sync.first_ended_at
        if ended is not None:
            after = _span(sync.last_fetched_at - ended)
            return f"{fetched} ({after} after the meeting ended)"
        return fetched
    if sync.state == AttendanceSyncState.UNAVAILABLE:
        return not_available_words(data=SessionData.ATTENDANCE, reason=sync.last_reason)
    if sync.next_try_at is not None:
        return f"next try {_clock(sync.next_try_at, zone)}: {sync.last_reason}"
    return sync.last_reason or "waiting for Zoom"
