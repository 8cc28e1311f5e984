"""Reads of live events. Every selector takes the organization: another organization's event,
session or registration answers 404 exactly like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from live_events.models import (
    ACTIVE_REGISTRATION_STATES,
    HostMeetingWrites,
    LiveEvent,
    LiveEventRegistration,
    LiveEventSession,
)

if TYPE_CHECKING:
    from courses.models import Lesson
    from organizations.models import Organization, User

# Zoom allows each host 100 meeting creates and updates a day (reference §4).
HOST_DAILY_MEETING_WRITES = 100
# Below this many left, the form shows the host's remaining budget.
HOST_BUDGET_LOW = 20


def live_event_get(*, organization: Organization, event_id: int) -> LiveEvent:
    return get_object_or_404(
        LiveEvent, organization=organization, pk=event_id, removed_at__isnull=True
    )


def live_event_session_get(
    *, organization: Organization, session_id: int, event_id: int | None = None
) -> LiveEventSession:
    sessions = LiveEventSession.objects.select_related("event").filter(
        event__organization=organization, event__removed_at__isnull=True, removed_at__isnull=True
    )
    if event_id is not None:
        sessions = sessions.filter(event_id=event_id)
    return get_object_or_404(sessions, pk=session_id)


def live_event_registration_get(
    *, organization: Organization, registration_id: int
) -> LiveEventRegistration:
    return get_object_or_404(
        LiveEventRegistration.objects.select_related("session", "event", "learner"),
        event__organization=organization,
        pk=registration_id,
    )


def live_event_sessions(*, event: LiveEvent) -> QuerySet[LiveEventSession]:
    """The event's sessions (not removed), with `seats_taken` counted in the same query."""
    return (
        LiveEventSession.objects.filter(event=event, removed_at__isnull=True)
        .annotate(
            seats_taken=Count(
                "registrations",
                filter=Q(registrations__status__in=ACTIVE_REGISTRATION_STATES),
            )
        )
        .order_by("starts_at", "id")
    )


def live_events_for_lesson(*, organization: Organization, lesson: Lesson) -> list[LiveEvent]:
    """The lesson page's events with their sessions and seats taken: two queries, whatever the
    number of sessions or learners."""
    sessions = LiveEventSession.objects.filter(removed_at__isnull=True).annotate(
        seats_taken=Count(
            "registrations", filter=Q(registrations__status__in=ACTIVE_REGISTRATION_STATES)
        )
    )
    return list(
        LiveEvent.objects.filter(
            organization=organization,
            lesson_component__lesson=lesson,
            removed_at__isnull=True,
        )
        .select_related("lesson_component")
        .prefetch_related(Prefetch("sessions", queryset=sessions.order_by("starts_at", "id")))
        .order_by("lesson_component__position", "id")
    )


def live_event_registration_of(
    *, organization: Organization, event: LiveEvent, learner: User
) -> LiveEventRegistration | None:
    """The learner's active registration in the event, if any."""
    return (
        LiveEventRegistration.objects.filter(
            event__organization=organization,
            event=event,
            learner=learner,
            status__in=ACTIVE_REGISTRATION_STATES,
        )
        .select_related("session")
        .first()
    )


def live_event_session_registrations(
    *, organization: Organization, session: LiveEventSession
) -> QuerySet[LiveEventRegistration]:
    """Who registered for a session (for Course Admins): active registrations, oldest first."""
    return (
        LiveEventRegistration.objects.filter(
            event__organization=organization,
            session=session,
            status__in=ACTIVE_REGISTRATION_STATES,
        )
        .select_related("learner")
        .order_by("registered_at", "id")
    )


@dataclass(frozen=True)
class SessionOverlap:
    """Another session of the same host that overlaps a proposed one."""

    event_title: str
    session_id: int
    starts_at: datetime
    ends_at: datetime


def live_event_host_overlaps(
    *,
    organization: Organization,
    host_email: str,
    starts_at: datetime,
    ends_at: datetime,
    exclude_session_ids: tuple[int, ...] = (),
) -> list[SessionOverlap]:
    """Sessions of any event of the organization with the same host overlapping the interval."""
    # A session cannot last more than a day, so anything starting a day before is the bound.
    candidates = LiveEventSession.objects.filter(
        event__organization=organization,
        event__removed_at__isnull=True,
        event__host_email__iexact=host_email,
        removed_at__isnull=True,
        starts_at__lt=ends_at,
        starts_at__gt=starts_at - timedelta(days=1),
    ).select_related("event")
    overlaps = []
    for session in candidates.exclude(pk__in=exclude_session_ids):
        session_end = session.starts_at + timedelta(minutes=session.duration_minutes)
        if session_end > starts_at:
            overlaps.append(
                SessionOverlap(
                    event_title=session.event.title,
                    session_id=session.pk,
                    starts_at=session.starts_at,
                    ends_at=session_end,
                )
            )
    return overlaps


def zoom_day(moment: datetime | None = None) -> date:
    """Zoom's per-user daily limits reset at 00:00 UTC."""
    return (moment or timezone.now()).astimezone(UTC).date()


def host_meeting_writes_remaining(*, host_zoom_user_id: str, now: datetime | None = None) -> int:
    """How many meeting creates and updates Zoom still allows the host today."""
    used = (
        HostMeetingWrites.objects.filter(host_zoom_user_id=host_zoom_user_id, day=zoom_day(now))
        .values_list("count", flat=True)
        .first()
    )
    return max(HOST_DAILY_MEETING_WRITES - (used or 0), 0)


# Minutes before the start the Join button appears (setting LIVE_EVENTS_JOIN_OPENS_MINUTES).
JOIN_OPENS_MINUTES_DEFAULT = 15


def join_opens_before() -> timedelta:
    """How long before a session's start its Join button appears."""
    return timedelta(
        minutes=getattr(settings, "LIVE_EVENTS_JOIN_OPENS_MINUTES", JOIN_OPENS_MINUTES_DEFAULT)
    )


def live_event_join_url(*, registration: LiveEventRegistration, now: datetime | None = None) -> str:
    """The learner's personal link while joining is open (from a few minutes before the start
    until the end), else ""."""
    if registration.status != "registered" or not registration.join_url:
        return ""
    session = registration.session
    moment = now or timezone.now()
    opens = session.starts_at - join_opens_before()
    ends = session.starts_at + timedelta(minutes=session.duration_minutes)
    return registration.join_url if opens <= moment <= ends else ""


def session_registered_count(*, session: LiveEventSession) -> int:
    """How many learners are registered (or being registered) for `session`."""
    return LiveEventRegistration.objects.filter(
        session=session, status__in=ACTIVE_REGISTRATION_STATES
    ).count()
