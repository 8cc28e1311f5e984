"""The sync status in words, in the viewer's time zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from live_events.attendance_models import AttendanceInstance, AttendanceSync, AttendanceSyncState
from live_events.attendance_selectors import attendance_sync_status
from live_events.models import LiveEvent, LiveEventProvider, LiveEventSession
from organizations.models import Organization
from work.models import WorkItem, WorkState

ENDED = datetime(2026, 3, 3, 14, 1, 57, tzinfo=UTC)


@pytest.fixture
def session(acme: Organization) -> LiveEventSession:
    event = LiveEvent.objects.create(
        organization=acme, title="Office hours", provider=LiveEventProvider.ZOOM
    )
    return LiveEventSession.objects.create(
        event=event, starts_at=ENDED - timedelta(hours=1), duration_minutes=60
    )


def _status(acme: Organization, session: LiveEventSession, zone: str = "UTC") -> str:
    return attendance_sync_status(
        organization=acme, session_id=session.pk, time_zone=zone, now=ENDED + timedelta(hours=1)
    )


def test_fetched_says_when_and_how_long_after_the_end(
    acme: Organization, session: LiveEventSession
) -> None:
    AttendanceSync.objects.create(
        session=session,
        state=AttendanceSyncState.FETCHED,
        first_ended_at=ENDED,
        last_fetched_at=ENDED + timedelta(seconds=3),
    )
    # Times as the templates write them (Django's "P"), in the viewer's zone.
    assert _status(acme, session) == "attendance fetched 2:02 p.m. (3 s after the meeting ended)"
    assert _status(acme, session, "Europe/Berlin").startswith("attendance fetched 3:02 p.m. ")


def test_fetched_after_a_restart_counts_from_the_end_of_the_latest_run_fetched(
    acme: Organization, session: LiveEventSession
) -> None:
    fetched = ENDED + timedelta(minutes=9)
    AttendanceSync.objects.create(
        session=session,
        state=AttendanceSyncState.FETCHED,
        first_ended_at=ENDED,
        last_fetched_at=fetched,
    )
    AttendanceInstance.objects.create(
        session=session, zoom_uuid="run-1", ended_at=ENDED, fetched_at=ENDED + timedelta(minutes=2)
    )
    AttendanceInstance.objects.create(
        session=session,
        zoom_uuid="run-2",
        ended_at=ENDED + timedelta(minutes=8),
        fetched_at=fetched,
    )
    # A run Zoom listed whose report is not stored does not count.
    AttendanceInstance.objects.create(
        session=session, zoom_uuid="run-3", ended_at=ENDED + timedelta(minutes=20)
    )
    assert _status(acme, session) == "attendance fetched 2:10 p.m. (60 s after the meeting ended)"


def test_retrying_names_the_next_try_and_the_reason(
    acme: Organization, session: LiveEventSession
) -> None:
    AttendanceSync.objects.create(
        session=session,
        state=AttendanceSyncState.RETRYING,
        first_ended_at=ENDED,
        next_try_at=datetime(2026, 3, 3, 15, 0, tzinfo=UTC),
        last_reason="Zoom has no report yet",
    )
    assert _status(acme, session) == "next try 3 p.m.: Zoom has no report yet"


def test_paused_work_reads_as_waiting_for_reauthentication(
    acme: Organization, session: LiveEventSession
) -> None:
    WorkItem.objects.create(
        organization=acme,
        kind="zoom.attendance.fetch",
        subject=f"session:{session.pk}",
        payload={"session_id": session.pk},
        state=WorkState.PAUSED,
    )
    assert _status(acme, session) == "waiting for re-authentication"


def test_another_organizations_session_reads_as_missing(
    globex: Organization, session: LiveEventSession
) -> None:
    with pytest.raises(LookupError):
        _status(globex, session)
