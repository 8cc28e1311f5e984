"""What `meeting.ended` tells of the run, read once for attendance and recordings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from zoom_integration.services.ended_run import EndedRun, ended_run_of


def _delivery(meeting: Any) -> dict[str, Any]:
    return {"event": "meeting.ended", "payload": {"account_id": "acct", "object": meeting}}


def test_the_run_is_read_with_its_times() -> None:
    meeting = {
        "id": "81000000001",  # a string in meeting.* events
        "uuid": "/ab//cd==",
        "start_time": "2026-12-02T14:00:00Z",
        "end_time": "2026-12-02T15:01:30Z",
    }

    assert ended_run_of(_delivery(meeting)) == EndedRun(
        meeting_id=81000000001,
        uuid="/ab//cd==",
        started_at=datetime(2026, 12, 2, 14, 0, tzinfo=UTC),
        ended_at=datetime(2026, 12, 2, 15, 1, 30, tzinfo=UTC),
    )


def test_a_run_without_uuid_or_times_is_still_a_run_of_the_meeting() -> None:
    assert ended_run_of(_delivery({"id": 81000000001, "end_time": 7})) == EndedRun(
        meeting_id=81000000001, uuid="", started_at=None, ended_at=None
    )


@pytest.mark.parametrize(
    "delivery",
    [
        {},
        {"payload": "nope"},
        _delivery(None),
        _delivery(["81000000001"]),
        _delivery({"uuid": "abc"}),
        _delivery({"id": "eighty-one"}),
        _delivery({"id": ""}),
    ],
)
def test_a_delivery_without_a_meeting_id_is_nothing_to_act_on(delivery: dict[str, Any]) -> None:
    assert ended_run_of(delivery) is None
