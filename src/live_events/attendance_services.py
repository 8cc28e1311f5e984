"""Writes of attendance (docs/attendance.md). The provider (zoom_integration) fetches Zoom's
report and hands the rows here; everything about people (matching, merging, mappings) is here.

Every write is idempotent: an instance's report replaces that instance's segments, and the
session's records are recomputed from all its segments, upserted by (session, person), and rows
of people no longer present (a guest since mapped to a learner) removed. Fetching twice, or
recomputing twice, leaves the same rows.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from courses.models import Course
from live_events.attendance_merge import (
    Interval,
    clipped,
    identity_key,
    identity_lasts,
    minimum_seconds,
    name_key,
    people_by_overlap,
    union_seconds,
)
from live_events.attendance_models import (
    AttendanceInstance,
    AttendanceRecord,
    AttendanceSegment,
    AttendanceSync,
    AttendanceSyncState,
    ParticipantMapping,
)
from live_events.bulk_rows import rows_insert
from live_events.models import (
    AttendanceMinimum,
    LiveEvent,
    LiveEventRegistration,
    LiveEventSession,
)
from live_events.not_available import REASON_LENGTH, SessionData, not_available_verdict
from live_events.providers import scheduling_provider_get
from organizations.models import Organization, User

log = logging.getLogger("live_events.attendance")


@dataclass(frozen=True)
class SegmentInput:
    """One row of Zoom's participant report, as the provider read it."""

    registrant_id: str
    zoom_user_id: str
    email: str
    name: str
    joined_at: datetime
    left_at: datetime
    duration_seconds: int


class FetchAlreadyRunning(Exception):
    """Fetch now was pressed while the session's fetch runs: no second fetch meanwhile."""


def attendance_fetch_now(*, organization: Organization, session_id: int) -> None:
    """A Course Admin's Fetch now: the provider's same background work, due now. LookupError for
    a session outside `organization` or of an event whose provider fetches no attendance;
    FetchAlreadyRunning while a fetch runs."""
    session = (
        LiveEventSession.objects.select_related("event__organization")
        .filter(pk=session_id, event__organization=organization, removed_at__isnull=True)
        .first()
    )
    if session is None:
        raise LookupError("No session of this organization has that id.")
    provider = scheduling_provider_get(session.event.provider)
    if provider is None:
        raise LookupError("This event's provider reports no attendance.")
    provider.attendance_fetch_request(session=session)


# --- instances and their reports --------------------------------------------------------------


def attendance_instance_note(
    *,
    session_id: int,
    zoom_uuid: str,
    started_at: datetime | None = None,
    ended_at: datetime | None = None,
) -> AttendanceInstance:
    """A run of the session's meeting is known (from `meeting.ended` or Zoom's list of
    instances); its times are kept when given, and the session's first end moves earlier. A run
    newly known, or newly known to have ended, starts the retry backoff again: Zoom's report of
    it comes minutes after its end, whatever the tries of an earlier run came to."""
    with transaction.atomic():
        instance, created = AttendanceInstance.objects.get_or_create(
            session_id=session_id,
            zoom_uuid=zoom_uuid,
            defaults={"started_at": started_at, "ended_at": ended_at},
        )
        newly_ended = ended_at is not None and instance.ended_at is None
        if created or newly_ended:
            AttendanceSync.objects.filter(session_id=session_id).update(attempts=0)
        changed = []
        if started_at is not None and instance.started_at != started_at:
            instance.started_at = started_at
            changed.append("started_at")
        if ended_at is not None and instance.ended_at != ended_at:
            instance.ended_at = ended_at
            changed.append("ended_at")
        if changed:
            instance.save(update_fields=changed)
        if ended_at is not None:
            sync = attendance_sync_get(session_id=session_id, lock=True)
            if sync.first_ended_at is None or ended_at < sync.first_ended_at:
                sync.first_ended_at = ended_at
                sync.save(update_fields=["first_ended_at", "updated_at"])
    return instance


def attendance_instance_report_store(
    *,
    instance_id: int,
    started_at: datetime | None,
    ended_at: datetime | None,
    rows: Sequence[SegmentInput],
) -> None:
    """Zoom's complete report of one instance: its segments replace any stored before, and the
    session's attendance is recomputed, in one transaction."""
    with transaction.atomic():
        instance = AttendanceInstance.objects.select_for_update().get(pk=instance_id)
        instance.segments.all().delete()
        segments = [
            AttendanceSegment(
                instance=instance,
                registrant_id=row.registrant_id[:100],
                zoom_user_id=row.zoom_user_id[:100],
                email=row.email[:254],
                name=row.name[:200],
                joined_at=row.joined_at,
                left_at=max(row.left_at, row.joined_at),
                duration_seconds=max(row.duration_seconds, 0),
            )
            for row in rows
        ]
        rows_insert(AttendanceSegment, segments)
        instance.started_at = started_at or instance.started_at
        instance.ended_at = ended_at or instance.ended_at
        instance.fetched_at = timezone.now()
        instance.segment_count = len(rows)
        instance.last_reason = ""
        instance.save()
        attendance_records_recompute(session_id=instance.session_id, fresh=(instance, segments))


def attendance_instance_not_ready(*, instance_id: int, reason: str) -> None:
    AttendanceInstance.objects.filter(pk=instance_id).update(last_reason=reason[:REASON_LENGTH])


# --- matching and merging ---------------------------------------------------------------------


def course_of_event(event: LiveEvent) -> Course | None:
    component = event.lesson_component
    return component.lesson.course if component is not None else None


def _mappings_of(session: LiveEventSession, course: Course | None) -> dict[str, int]:
    """Identity → learner, as Course Admins mapped them: the course's mappings of Zoom users and
    emails, and this session's of typed names. A course-wide mapping of a typed name (made
    before they held for one session only) matches nobody: "Sam" elsewhere may be anyone."""
    if course is None:
        return {}
    mappings = ParticipantMapping.objects.filter(course=course).filter(
        Q(session__isnull=True) | Q(session=session)
    )
    return {
        key: learner_id
        for key, learner_id, session_id in mappings.values_list(
            "identity_key", "learner_id", "session_id"
        )
        if session_id is not None or identity_lasts(key)
    }


def _people(
    matcher: _Matcher, segments: Sequence[AttendanceSegment]
) -> tuple[dict[str, list[AttendanceSegment]], dict[str, int | None]]:
    """The session's segments by person (in their given order within each) and each person's
    learner. A segment with an identity is its learner, or its identity when unmatched. A
    name-only guest (not signed in, no email) is nothing but the typed name in Zoom's report
    (its per-join user id changes on every rejoin), so segments of one name that overlap in
    time are different people: split into as few as the overlaps allow ("Sam", "Sam (2)"),
    each then matched only by a mapping made for them in this session; segments that follow
    one another stay one person rejoining."""
    keys: list[str] = []
    learners: dict[str, int | None] = {}
    guests: dict[str, list[int]] = defaultdict(list)  # typed name -> indexes of its segments
    for index, segment in enumerate(segments):
        learner_id = matcher.learner_of(segment)
        own = _identity_of(segment)
        if learner_id is None and not identity_lasts(own):
            guests[segment.name.strip()].append(index)
            keys.append("")  # numbered below
            continue
        key = f"learner:{learner_id}" if learner_id is not None else own
        keys.append(key)
        learners[key] = learner_id
    for name, indexes in guests.items():
        spans = [Interval(segments[i].joined_at, segments[i].left_at) for i in indexes]
        for index, number in zip(indexes, people_by_overlap(spans), strict=True):
            guest_key = name_key(name=name, number=number + 1)
            learner_id = matcher.by_identity.get(guest_key)
            key = f"learner:{learner_id}" if learner_id is not None else guest_key
            keys[index] = key
            learners[key] = learner_id
    people: dict[str, list[AttendanceSegment]] = defaultdict(list)
    for key, segment in zip(keys, segments, strict=True):
        people[key].append(segment)
    return people, learners


@dataclass
class _Matcher:
    """Who a segment is: by registrant id, then Zoom user id, then exact email (any case), then
    a Course Admin's mapping of the identity. Never by display name alone: two learners called
    the same stay apart, and a guest's typed name matches only a mapping made for it in this
    very session (`by_identity` holds the course's mappings of Zoom users and emails, and this
    session's mappings of typed names)."""

    by_registrant: dict[str, int]
    by_email: dict[str, int]
    by_identity: dict[str, int]

    def needs_email(self, segment: AttendanceSegment) -> bool:
        """Whether neither the registrant id nor the Zoom user id tells who `segment` is."""
        if segment.registrant_id and segment.registrant_id in self.by_registrant:
            return False
        key = identity_key(zoom_user_id=segment.zoom_user_id, email="", name="")
        return not (segment.zoom_user_id and key in self.by_identity)

    def learner_of(self, segment: AttendanceSegment) -> int | None:
        """The learner of a segment that carries an identity; None for a name-only guest (who
        is looked up once numbered among the session's people of that name)."""
        if segment.registrant_id and segment.registrant_id in self.by_registrant:
            return self.by_registrant[segment.registrant_id]
        key = identity_key(zoom_user_id=segment.zoom_user_id, email="", name="")
        if segment.zoom_user_id and key in self.by_identity:
            return self.by_identity[key]
        email = segment.email.strip().lower()
        if email and email in self.by_email:
            return self.by_email[email]
        own = _identity_of(segment)
        return self.by_identity.get(own) if identity_lasts(own) else None


def _identity_of(segment: AttendanceSegment) -> str:
    return identity_key(zoom_user_id=segment.zoom_user_id, email=segment.email, name=segment.name)


def _matcher(session: LiveEventSession, segments: Sequence[AttendanceSegment]) -> _Matcher:
    """What matching `segments` needs to know, and no more: the registrations of the registrant
    ids they carry, the course's mappings, and the emails of the event's and course's people only
    when some segment has to be matched by email (a report of registered learners needs none)."""
    event = session.event
    course = course_of_event(event)
    by_identity = _mappings_of(session, course)
    registrant_ids = sorted({s.registrant_id for s in segments if s.registrant_id})
    by_registrant: dict[str, int] = {}
    if registrant_ids:
        registrations = LiveEventRegistration.objects.filter(
            event=event, zoom_registrant_id__in=registrant_ids
        )
        by_registrant = dict(registrations.values_list("zoom_registrant_id", "learner_id"))
    matcher = _Matcher(by_registrant=by_registrant, by_email={}, by_identity=by_identity)
    if not any(segment.email and matcher.needs_email(segment) for segment in segments):
        return matcher
    people = User.objects.filter(membership__organization_id=event.organization_id)
    candidates = people.filter(live_registrations__event=event)
    if course is not None:
        candidates = candidates | people.filter(enrollments__course=course)
    for pk, email in candidates.distinct().values_list("pk", "email"):
        if email:
            matcher.by_email.setdefault(email.strip().lower(), pk)
    return matcher


def attendance_records_recompute(
    *,
    session_id: int,
    fresh: tuple[AttendanceInstance, Sequence[AttendanceSegment]] | None = None,
) -> int:
    """The session's attendance rows from its stored segments; returns how many rows it has.
    `fresh`: an instance whose segments were just stored (by the caller, in its transaction),
    with those segments, so they are not read back."""
    with transaction.atomic():
        session = (
            # Only the session row is locked (PostgreSQL refuses FOR UPDATE on the nullable
            # side of the lesson's outer join); it serializes recomputes of one session.
            LiveEventSession.objects.select_for_update(of=("self",))
            .select_related("event", "event__lesson_component__lesson__course")
            .get(pk=session_id)
        )
        event = session.event
        needed = minimum_seconds(
            kind=event.attendance_minimum,
            value=event.attendance_minimum_value,
            scheduled_minutes=session.duration_minutes,
        )
        stored = AttendanceSegment.objects.filter(instance__session=session).select_related(
            "instance"
        )
        # In the order they were stored: by join time, then as inserted (the fresh ones last).
        ordered = [
            ((segment.joined_at, 0, segment.pk), segment)
            for segment in (stored if fresh is None else stored.exclude(instance=fresh[0]))
        ]
        if fresh is not None:
            ordered += [((segment.joined_at, 1, n), segment) for n, segment in enumerate(fresh[1])]
        ordered.sort(key=lambda pair: pair[0])
        segments = [segment for _key, segment in ordered]
        matcher = _matcher(session, segments)
        people, learners = _people(matcher, segments)
        records = [_record(session, key, learners[key], own, needed) for key, own in people.items()]
        existing = AttendanceRecord.objects.filter(session=session)
        if not existing.exists():
            # The session's first attendance (every import's case): new rows only, and the
            # session's lock keeps a second recompute out meanwhile.
            rows_insert(AttendanceRecord, records)
            return len(people)
        # One upsert for the whole session, not a SELECT and a write per person: a report of
        # 300 people was 1,800 queries, most of the import's time (docs/benchmarks.md, figure 1).
        AttendanceRecord.objects.bulk_create(
            records,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["session", "person_key"],
            update_fields=_RECORD_FIELDS,
        )
        existing.exclude(person_key__in=list(people)).delete()
    return len(people)


# What a recompute writes over an existing (session, person) row.
_RECORD_FIELDS = [
    "learner",
    "identity_key",
    "zoom_user_id",
    "email",
    "name",
    "attended",
    "duration_seconds",
    "first_join_at",
    "last_leave_at",
    "segments",
    "updated_at",
]


def _record(
    session: LiveEventSession,
    person_key: str,
    learner_id: int | None,
    segments: list[AttendanceSegment],
    needed_seconds: int,
) -> AttendanceRecord:
    intervals = []
    kept = []
    for segment in segments:
        instance = segment.instance
        part = clipped(
            Interval(segment.joined_at, segment.left_at),
            start=instance.started_at,
            end=instance.ended_at,
        )
        kept.append(
            [instance.zoom_uuid, segment.joined_at.isoformat(), segment.left_at.isoformat()]
        )
        if part is not None:
            intervals.append(part)
    seconds = union_seconds(intervals)
    latest = segments[-1]
    return AttendanceRecord(
        session_id=session.pk,  # the id, not the object: cheaper, a session has hundreds
        person_key=person_key,
        learner_id=learner_id,
        identity_key="" if learner_id is not None else person_key,
        zoom_user_id=next((s.zoom_user_id for s in segments if s.zoom_user_id), ""),
        email=next((s.email for s in segments if s.email), ""),
        name=latest.name,
        attended=seconds >= needed_seconds,
        duration_seconds=seconds,
        first_join_at=min((i.start for i in intervals), default=segments[0].joined_at),
        last_leave_at=max((i.end for i in intervals), default=latest.left_at),
        segments=kept,
    )


# --- mapping an unmatched participant ----------------------------------------------------------


def attendance_participant_map(
    *,
    organization: Organization,
    actor: User | None,
    session_id: int,
    identity_key: str,
    learner_id: int,
) -> int:
    """Map an unmatched participant of the session to a learner of the course. A participant
    with an identity (a Zoom user id, an email) is that learner in this and the course's later
    sessions; a guest known only by a typed name in this session only (the same name next time
    may be someone else). Returns how many sessions' attendance changed. Bad input (another
    organization's session, an identity not among the session's unmatched, a learner outside the
    course) raises ValidationError and changes nothing."""
    session = (
        LiveEventSession.objects.select_related("event__lesson_component__lesson__course")
        .filter(pk=session_id, event__organization=organization)
        .first()
    )
    if session is None:
        raise ValidationError({"session": ["No such session."]})
    course = course_of_event(session.event)
    if course is None:
        raise ValidationError({"session": ["This event is not on a course's lesson."]})
    if not AttendanceRecord.objects.filter(
        session=session, learner__isnull=True, identity_key=identity_key
    ).exists():
        raise ValidationError({"participant": ["This participant is not unmatched here."]})
    learner = User.objects.filter(
        pk=learner_id, membership__organization=organization, enrollments__course=course
    ).first()
    if learner is None:
        raise ValidationError({"learner": ["Choose a learner enrolled in this course."]})
    lasting = identity_lasts(identity_key)
    with transaction.atomic():
        ParticipantMapping.objects.update_or_create(
            course=course,
            session=None if lasting else session,
            identity_key=identity_key,
            defaults={"learner": learner, "mapped_by": actor},
        )
        affected = [session.pk]
        if lasting:
            affected = list(
                AttendanceRecord.objects.filter(
                    session__event__lesson_component__lesson__course=course,
                    identity_key=identity_key,
                )
                .values_list("session_id", flat=True)
                .distinct()
            )
        for affected_id in affected:
            attendance_records_recompute(session_id=affected_id)
    log.info(
        "attendance.participant_mapped",
        extra={
            "session_id": session.pk,
            "learner_id": learner.pk,
            "sessions": len(affected),
            "lasting": lasting,
        },
    )
    return len(affected)


# --- the sync status ---------------------------------------------------------------------------


def attendance_sync_get(*, session_id: int, lock: bool = False) -> AttendanceSync:
    rows = AttendanceSync.objects.select_for_update() if lock else AttendanceSync.objects
    sync, _created = rows.get_or_create(session_id=session_id)
    return sync


def attendance_sync_retrying(*, session_id: int, next_try_at: datetime, reason: str) -> int:
    """Zoom has not got (all of) the data yet: try again at `next_try_at`; returns the attempts
    made so far."""
    with transaction.atomic():
        sync = attendance_sync_get(session_id=session_id, lock=True)
        sync.state = AttendanceSyncState.RETRYING
        sync.attempts += 1
        sync.next_try_at = next_try_at
        sync.last_reason = reason[:REASON_LENGTH]
        sync.save()
        return sync.attempts


def attendance_sync_fetched(*, session_id: int, late_check_at: datetime | None) -> None:
    with transaction.atomic():
        sync = attendance_sync_get(session_id=session_id, lock=True)
        sync.state = AttendanceSyncState.FETCHED
        sync.last_fetched_at = timezone.now()
        sync.next_try_at = None
        sync.last_reason = ""
        sync.attempts += 1
        if late_check_at is not None:
            sync.late_check_at = late_check_at
        sync.save()


def attendance_sync_unavailable(*, session_id: int, reason: str) -> bool:
    """After 72 hours: "data not available from Zoom", with the last reason; the Course Admins
    are emailed once. Returns whether this call told them."""
    with transaction.atomic():
        sync = attendance_sync_get(session_id=session_id, lock=True)
        return not_available_verdict(
            sync,
            unavailable=AttendanceSyncState.UNAVAILABLE,
            data=SessionData.ATTENDANCE,
            reason=reason,
        )


def attendance_give_up_at(*, session: LiveEventSession, sync: AttendanceSync) -> datetime:
    """72 hours after the meeting first ended (or after its scheduled end, if Zoom never said)."""
    ended = sync.first_ended_at or session.starts_at + timedelta(minutes=session.duration_minutes)
    return ended + timedelta(hours=72)


# --- the event's attendance minimum -----------------------------------------------------------

MINIMUM_MINUTES_MAX = 24 * 60


def attendance_minimum_set(
    *, organization: Organization, actor: User | None, event_id: int, kind: str, value: int | None
) -> int:
    """A Course Builder sets what "attended" means for the event: any presence, at least `value`
    minutes, or at least `value` % of the scheduled duration. The sessions already fetched are
    recomputed; returns how many. Bad input raises ValidationError (by field), changes nothing."""
    event = LiveEvent.objects.filter(
        pk=event_id, organization=organization, removed_at__isnull=True
    ).first()
    if event is None:
        raise ValidationError({"attendance_minimum": ["No such event."]})
    if kind not in AttendanceMinimum.values:
        raise ValidationError({"attendance_minimum": ["Choose one of the three minimums."]})
    if kind == AttendanceMinimum.ANY:
        value = 0
    elif value is None:
        raise ValidationError({"attendance_minimum_value": ["Give the number."]})
    elif kind == AttendanceMinimum.MINUTES and not 1 <= value <= MINIMUM_MINUTES_MAX:
        raise ValidationError(
            {"attendance_minimum_value": [f"Minutes from 1 to {MINIMUM_MINUTES_MAX}."]}
        )
    elif kind == AttendanceMinimum.PERCENT and not 1 <= value <= 100:
        raise ValidationError({"attendance_minimum_value": ["A percentage from 1 to 100."]})
    with transaction.atomic():
        event.attendance_minimum = kind
        event.attendance_minimum_value = value
        event.save(update_fields=["attendance_minimum", "attendance_minimum_value", "updated_at"])
        fetched = list(
            AttendanceSegment.objects.filter(instance__session__event=event)
            .values_list("instance__session_id", flat=True)
            .distinct()
        )
        for session_id in fetched:
            attendance_records_recompute(session_id=session_id)
    log.info(
        "attendance.minimum_set",
        extra={"event_id": event.pk, "kind": kind, "sessions": len(fetched)},
    )
    return len(fetched)
