"""GET /users/{userId}/recordings: a host's cloud recordings by the UTC day they started, at most a
month at a time, paged; what the polling safety net will use to find recordings whose webhook
never came."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_calls import create_meeting
from tests.zoomsim.meeting_runs import advance, recorded_meeting, run
from tests.zoomsim.openapi_check import assert_matches_spec

LIST = "/users/{userId}/recordings"
PEOPLE = [{"user_id": "acme-host"}, {"guest_name": "Sam Student"}]


def host_recordings(client: httpx.Client, user: str = "acme-host", **params: Any) -> httpx.Response:
    response = client.get(f"/v2/users/{user}/recordings", params=params)
    assert_matches_spec(response, "GET", LIST)
    return response


@pytest.fixture
def today(control: httpx.Client) -> date:
    """Noon UTC of a day on zoomsim's clock, so "today" cannot turn into tomorrow mid-test."""
    now = datetime.fromisoformat(control.get("/_sim/clock").json()["iso"].replace("Z", "+00:00"))
    noon = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), UTC)
    noon += timedelta(hours=12)
    advance(control, (noon - now).total_seconds())
    return noon.date()


def run_days_ago(control: httpx.Client, meeting_id: int, days: int) -> dict[str, Any]:
    """A 30-minute run of the meeting that started `days` before now."""
    clock = control.get("/_sim/clock").json()["now"]
    start = datetime.fromtimestamp(clock - days * 24 * 3600 - 3600, tz=UTC)
    return run(control, meeting_id, PEOPLE, 30, start_time=start.strftime("%Y-%m-%dT%H:%M:%SZ"))


def test_a_hosts_recordings_of_today_newest_first(
    api: httpx.Client, control: httpx.Client, today: date, processed_at_once: None
) -> None:
    first = run(control, recorded_meeting(api, topic="Algebra"), PEOPLE, 30)
    advance(control, 60)
    second = run(control, recorded_meeting(api, topic="Geometry"), PEOPLE, 30)
    run(control, recorded_meeting(api, auto_recording="none"), PEOPLE, 30)  # not recorded
    cohosts = create_meeting(api, host="acme-cohost", settings={"auto_recording": "cloud"})
    run(control, cohosts["id"], [{"user_id": "acme-cohost"}, {"guest_name": "Sam"}], 30)

    response = host_recordings(api)
    assert response.status_code == 200
    assert response.headers["X-RateLimit-Category"] == "Medium"
    body = response.json()
    # Without dates Zoom lists today's, from today to tomorrow (UTC).
    assert (body["from"], body["to"]) == (today.isoformat(), (today + timedelta(1)).isoformat())
    assert (body["total_records"], body["page_count"], body["next_page_token"]) == (2, 1, "")
    assert [item["uuid"] for item in body["meetings"]] == [second["uuid"], first["uuid"]]
    item = body["meetings"][1]
    assert (item["topic"], item["host_id"], item["type"], item["duration"]) == (
        "Algebra",
        "acme-host",
        "2",
        30,
    )
    assert item["recording_count"] == len(item["recording_files"]) == 3
    assert item["recording_play_passcode"]
    assert "password" not in item
    # The same rows as the meeting's own recordings.
    own = api.get(f"/v2/meetings/{item['id']}/recordings").json()
    assert item["recording_files"] == own["recording_files"]
    # By email too, and the cohost's own list has the cohost's meeting only.
    assert host_recordings(api, "host%40acme.test").json()["total_records"] == 2
    [theirs] = host_recordings(api, "acme-cohost").json()["meetings"]
    assert theirs["id"] == cohosts["id"]


def test_the_date_range_picks_recordings_by_the_day_they_started(
    api: httpx.Client, control: httpx.Client, today: date, processed_at_once: None
) -> None:
    ten_days = run_days_ago(control, recorded_meeting(api, topic="Ten days ago"), 10)
    forty_days = run_days_ago(control, recorded_meeting(api, topic="Forty days ago"), 40)
    assert host_recordings(api).json()["total_records"] == 0  # none of today

    def listed(**params: str) -> list[str]:
        return [item["uuid"] for item in host_recordings(api, **params).json()["meetings"]]

    day = (today - timedelta(days=10)).isoformat()
    assert listed(**{"from": day, "to": day}) == [ten_days["uuid"]]
    assert listed(**{"from": (today - timedelta(days=9)).isoformat()}) == []
    older = {
        "from": (today - timedelta(days=45)).isoformat(),
        "to": (today - timedelta(30)).isoformat(),
    }
    assert listed(**older) == [forty_days["uuid"]]


def test_a_range_over_a_month_quietly_starts_a_month_before_to(
    api: httpx.Client, control: httpx.Client, today: date, processed_at_once: None
) -> None:
    # Zoom does not refuse it: it answers a month's worth and says so in `from` (zoom/api#36).
    ten_days = run_days_ago(control, recorded_meeting(api, topic="Ten days ago"), 10)
    run_days_ago(control, recorded_meeting(api, topic="Forty days ago"), 40)
    wanted = {"from": (today - timedelta(days=90)).isoformat(), "to": today.isoformat()}
    body = host_recordings(api, **wanted).json()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    a_month_before = date(year, month, min(today.day, calendar.monthrange(year, month)[1]))
    assert (body["from"], body["to"]) == (a_month_before.isoformat(), today.isoformat())
    assert [item["uuid"] for item in body["meetings"]] == [ten_days["uuid"]]


def test_recordings_still_processing_are_not_listed(
    api: httpx.Client, control: httpx.Client, today: date
) -> None:
    # zoomsim's default: the recording is ready 30 minutes after the meeting ends, as Zoom takes
    # a while; the host's list leaves it out until then.
    result = run(control, recorded_meeting(api), PEOPLE, 30)
    assert host_recordings(api).json()["total_records"] == 0
    advance(control, 30 * 60)
    [item] = host_recordings(api).json()["meetings"]
    assert item["uuid"] == result["uuid"]


def test_filter_by_meeting_and_page_through(
    api: httpx.Client, control: httpx.Client, today: date, processed_at_once: None
) -> None:
    meeting_id = recorded_meeting(api)
    runs = []
    for _ in range(3):
        runs.append(run(control, meeting_id, PEOPLE, 30)["uuid"])
        advance(control, 60)
    run(control, recorded_meeting(api, topic="Another"), PEOPLE, 30)

    only = host_recordings(api, meeting_id=str(meeting_id)).json()
    assert only["total_records"] == 3
    seen = []
    page = host_recordings(api, meeting_id=str(meeting_id), page_size="2").json()
    assert page["page_count"] == 2
    seen += [item["uuid"] for item in page["meetings"]]
    token = page["next_page_token"]
    page = host_recordings(api, meeting_id=str(meeting_id), page_size="2", next_page_token=token)
    seen += [item["uuid"] for item in page.json()["meetings"]]
    assert seen == list(reversed(runs))
    # The token belongs to this listing.
    other = host_recordings(api, next_page_token=token)
    assert other.json() == {"code": 300, "message": "The next page token is invalid or expired."}


def test_trashed_recordings_are_not_listed(
    api: httpx.Client, control: httpx.Client, today: date, processed_at_once: None
) -> None:
    meeting_id = recorded_meeting(api)
    run(control, meeting_id, PEOPLE, 30)
    assert api.delete(f"/v2/meetings/{meeting_id}/recordings").status_code == 204
    assert host_recordings(api).json()["total_records"] == 0


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("from", "2026-13-01"),
        ("from", "yesterday"),
        ("to", "20261201"),
        ("meeting_id", "abc"),
        ("page_size", "0"),
        ("trash", "true"),  # the trash is not reproduced
        ("trash", "maybe"),
        ("mc", "true"),  # nor on-premise meeting connectors
        ("trash_type", "everything"),
    ],
)
def test_bad_parameters_are_300(api: httpx.Client, name: str, value: str) -> None:
    response = host_recordings(api, **{name: value})
    assert response.status_code == 400
    assert response.json() == {"code": 300, "message": f"Invalid parameter: {name}."}


def test_to_before_from_is_300(api: httpx.Client) -> None:
    response = host_recordings(api, **{"from": "2026-12-02", "to": "2026-12-01"})
    assert response.json() == {"code": 300, "message": "Invalid parameter: to."}


def test_unknown_and_other_accounts_users_are_1001(api: httpx.Client) -> None:
    for user in ("nobody", "host@globex.test", "globex-host"):
        response = host_recordings(api, user)
        assert response.status_code == 404
        assert response.json() == {"code": 1001, "message": f"User does not exist: {user}."}


@pytest.mark.parametrize(
    "scope",
    [
        "recording:read:admin",
        "recording:read",
        "cloud_recording:read:list_user_recordings",
        "cloud_recording:read:list_user_recordings:admin",
        "cloud_recording:read:list_user_recordings:master",
    ],
)
def test_any_of_the_specs_scopes_will_do(zoomsim: LiveZoomsim, scope: str) -> None:
    with zoomsim.client(zoomsim.token("acme-admin", scopes=[scope])) as client:
        assert host_recordings(client).status_code == 200


def test_the_meeting_recordings_scope_is_not_enough(zoomsim: LiveZoomsim) -> None:
    token = zoomsim.token("acme-admin", scopes=["cloud_recording:read:list_recording_files:admin"])
    with zoomsim.client(token) as client:
        response = host_recordings(client)
    assert response.status_code == 400
    assert response.json() == {
        "code": 4711,
        "message": "Invalid access token, does not contain scopes:["
        "cloud_recording:read:list_user_recordings, "
        "cloud_recording:read:list_user_recordings:admin, "
        "cloud_recording:read:list_user_recordings:master].",
    }
