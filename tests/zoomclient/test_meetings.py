from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from zoomclient import ENDPOINTS, MeetingSettings, MeetingSpec, ZoomClient, ZoomNotFound

BERLIN = ZoneInfo("Europe/Berlin")
# 10:00 in Berlin on a summer day is 08:00 UTC.
SUMMER_START = datetime(2027, 7, 1, 10, 0, tzinfo=BERLIN)


def sim_meeting(zoomsim: LiveZoomsim, meeting_id: int) -> dict[str, object]:
    """The meeting as zoomsim's control API shows it (deleted ones included)."""
    with httpx.Client(base_url=zoomsim.base_url, timeout=10) as control:
        listing = control.get("/_sim/meetings").json()["meetings"]
    found: list[dict[str, object]] = [m for m in listing if m["id"] == meeting_id]
    assert len(found) == 1
    return found[0]


def test_start_is_sent_as_utc_with_the_events_timezone() -> None:
    body = MeetingSpec(topic="Algebra", start=SUMMER_START, timezone="Europe/Berlin").to_json()
    assert body["start_time"] == "2027-07-01T08:00:00Z"
    assert body["timezone"] == "Europe/Berlin"


def test_naive_starts_unknown_zones_and_zoneless_starts_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        MeetingSpec(start=datetime(2027, 7, 1, 10, 0), timezone="UTC").to_json()
    with pytest.raises(ValueError, match="IANA"):
        MeetingSpec(start=SUMMER_START, timezone="Mars/Olympus").to_json()
    with pytest.raises(ValueError, match="timezone"):
        MeetingSpec(start=SUMMER_START).to_json()


def test_create_then_get_keeps_the_instant_and_the_zone(client: ZoomClient) -> None:
    spec = MeetingSpec(
        topic="Algebra, week 1",
        type=2,
        start=SUMMER_START,
        timezone="Europe/Berlin",
        duration_minutes=45,
        agenda="Bring a calculator",
        settings=MeetingSettings(
            approval_type=0, auto_recording="cloud", alternative_hosts=("cohost@acme.test",)
        ),
    )
    created = client.create_meeting("acme-host", spec)
    assert client.last_rate_limit.category == ENDPOINTS["create_meeting"].category == "Medium"
    assert created.id > 10_000_000_000  # int64 ids: more than 10 digits
    assert created.host_id == "acme-host"
    assert created.start_time == SUMMER_START.astimezone(UTC)
    assert created.timezone == "Europe/Berlin"
    assert created.join_url
    fetched = client.get_meeting(created.id)
    assert fetched.start_time == SUMMER_START
    assert (fetched.topic, fetched.duration_minutes, fetched.agenda) == (
        "Algebra, week 1",
        45,
        "Bring a calculator",
    )
    assert fetched.settings["auto_recording"] == "cloud"
    assert fetched.alternative_hosts == ("cohost@acme.test",)


def test_update_sends_only_what_changes(client: ZoomClient) -> None:
    created = client.create_meeting(
        "acme-host",
        MeetingSpec(topic="Before", start=SUMMER_START, timezone="Europe/Berlin"),
    )
    later = SUMMER_START + timedelta(hours=2)
    client.update_meeting(created.id, MeetingSpec(start=later, timezone="Europe/Berlin"))
    assert client.last_rate_limit.category == "Light"
    fetched = client.get_meeting(created.id)
    assert fetched.start_time == later
    assert fetched.topic == "Before"


def test_delete_with_reminders_then_the_meeting_is_gone(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    created = client.create_meeting("acme-host", MeetingSpec(topic="Cancelled", type=2))
    client.delete_meeting(created.id, schedule_for_reminder=True, cancel_meeting_reminder=True)
    with pytest.raises(ZoomNotFound) as raised:
        client.get_meeting(created.id)
    assert raised.value.code == 3001
    tracking = sim_meeting(zoomsim, created.id)["tracking"]
    assert isinstance(tracking, dict)
    deleted_with = tracking["deleted_with"]
    assert deleted_with["schedule_for_reminder"] is True
    assert deleted_with["cancel_meeting_reminder"] is True
