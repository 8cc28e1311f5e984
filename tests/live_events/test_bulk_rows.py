"""live_events.bulk_rows.rows_insert writes rows exactly as bulk_create does: COPY on PostgreSQL
(run with DATABASE_URL=postgres://…), bulk_create on SQLite."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.db import connection

from live_events.attendance_models import AttendanceInstance, AttendanceRecord, AttendanceSegment
from live_events.bulk_rows import rows_insert
from live_events.models import LiveEvent, LiveEventProvider, LiveEventSession
from organizations.models import Organization

START = datetime(2026, 3, 3, 13, 0, tzinfo=UTC)


@pytest.fixture
def session(acme: Organization) -> LiveEventSession:
    event = LiveEvent.objects.create(
        organization=acme, title="Office hours", provider=LiveEventProvider.ZOOM
    )
    return LiveEventSession.objects.create(event=event, starts_at=START, duration_minutes=60)


def records(session: LiveEventSession, prefix: str) -> list[AttendanceRecord]:
    return [
        AttendanceRecord(
            session=session,
            person_key=f"{prefix}:{n}",
            learner_id=None,
            identity_key=f"{prefix}:{n}",
            email="" if n % 2 else f"Ana.{n}@Campus.test",
            name=f"Ana «{n}»\t\\ O'Neil",  # a tab, a backslash and quotes: COPY escapes them
            attended=n % 2 == 0,
            duration_seconds=60 * n,
            first_join_at=START + timedelta(seconds=n),
            last_leave_at=None if n == 3 else START + timedelta(minutes=n),
            segments=[["uuid/with//slashes==", f"{n}", None], {"nested": [1, 2.5, "x"]}],
        )
        for n in range(5)
    ]


def stored(session: LiveEventSession, prefix: str) -> list[dict[str, Any]]:
    rows = AttendanceRecord.objects.filter(session=session, person_key__startswith=prefix + ":")
    return [
        {k: v for k, v in row.items() if k not in ("id", "updated_at")}
        | {"person_key": row["person_key"].split(":")[1], "identity_key": ""}
        for row in rows.order_by("person_key").values()
    ]


@pytest.mark.django_db
def test_rows_are_written_as_bulk_create_writes_them(session: LiveEventSession) -> None:
    before = datetime.now(UTC)
    rows_insert(AttendanceRecord, records(session, "copy"))
    AttendanceRecord.objects.bulk_create(records(session, "orm"))

    assert stored(session, "copy") == stored(session, "orm")
    assert len(stored(session, "copy")) == 5
    # auto_now fields get their time as on save.
    times = AttendanceRecord.objects.filter(person_key__startswith="copy:").values_list(
        "updated_at", flat=True
    )
    assert all(when >= before for when in times)


@pytest.mark.django_db
def test_segments_of_an_instance_and_nothing_for_no_rows(session: LiveEventSession) -> None:
    instance = AttendanceInstance.objects.create(session=session, zoom_uuid="abc==")
    rows_insert(AttendanceSegment, [])
    rows_insert(
        AttendanceSegment,
        [
            AttendanceSegment(
                instance=instance,
                registrant_id="r1",
                name="Ana",
                joined_at=START,
                left_at=START + timedelta(minutes=10),
                duration_seconds=600,
            )
        ],
    )
    saved = AttendanceSegment.objects.get(instance=instance)
    assert (saved.registrant_id, saved.zoom_user_id, saved.email, saved.name) == (
        "r1",
        "",
        "",
        "Ana",
    )
    assert (saved.joined_at, saved.duration_seconds) == (START, 600)
    assert connection.vendor in ("postgresql", "sqlite")
