"""GET /past_meetings/{meetingId}, …/instances and …/participants."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.zoomsim.meeting_runs import advance, path_uuid, recorded_meeting, registrant, run
from tests.zoomsim.openapi_check import assert_matches_spec

# These tests are about what past meetings say, so the data is ready when the meeting ends; the
# tests of the wait set the delays themselves.
pytestmark = pytest.mark.usefixtures("processed_at_once")


def get(api: httpx.Client, template: str, ref: str | int, **params: Any) -> httpx.Response:
    response = api.get("/v2" + template.replace("{meetingId}", str(ref)), params=params)
    assert_matches_spec(response, "GET", template)
    return response


def test_past_meeting_details(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id = recorded_meeting(api)
    result = run(
        control,
        meeting_id,
        [{"user_id": "acme-host"}, {"guest_name": "Sam", "segments": [[0, 10], [20, 40]]}],
        duration_minutes=40,
    )
    response = get(api, "/past_meetings/{meetingId}", meeting_id)
    assert response.status_code == 200
    body = response.json()
    assert body["uuid"] == result["uuid"]
    assert body["id"] == meeting_id
    assert (body["host_id"], body["user_name"], body["user_email"]) == (
        "acme-host",
        "Hal Host",
        "host@acme.test",
    )
    assert (body["start_time"], body["end_time"]) == (result["start_time"], result["end_time"])
    assert body["duration"] == 40
    assert body["total_minutes"] == 40 + 30
    assert body["participants_count"] == 2
    assert body["source"] == "Zoom"
    assert body == get(api, "/past_meetings/{meetingId}", path_uuid(result["uuid"])).json()


def test_a_running_or_unknown_meeting_is_3001(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id = recorded_meeting(api)
    control.post(f"/_sim/meetings/{meeting_id}/start")
    response = get(api, "/past_meetings/{meetingId}", meeting_id)
    assert response.status_code == 404
    assert response.json() == {"code": 3001, "message": f"Meeting does not exist: {meeting_id}."}
    assert get(api, "/past_meetings/{meetingId}", "12345678901").status_code == 404


def test_instances_lists_ended_runs_by_numeric_id_only(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    first = run(control, meeting_id, [{"guest_name": "A"}], 30)
    advance(control, 1800)
    second = run(control, meeting_id, [{"guest_name": "B"}], 30)
    running = control.post(f"/_sim/meetings/{meeting_id}/start").json()

    response = get(api, "/past_meetings/{meetingId}/instances", meeting_id)
    assert response.status_code == 200
    listed = response.json()["meetings"]
    assert [m["uuid"] for m in listed] == [first["uuid"], second["uuid"]]
    assert running["uuid"] not in {m["uuid"] for m in listed}
    assert listed[0]["start_time"] == first["start_time"]

    by_uuid = get(api, "/past_meetings/{meetingId}/instances", path_uuid(first["uuid"]))
    assert (by_uuid.status_code, by_uuid.json()["code"]) == (404, 3001)


def test_a_meeting_that_never_ran_has_no_instances(api: httpx.Client) -> None:
    meeting_id = recorded_meeting(api)
    response = get(api, "/past_meetings/{meetingId}/instances", meeting_id)
    assert (response.status_code, response.json()) == (200, {"meetings": []})


def test_past_participants_are_per_segment_with_registrant_ids(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    lea = registrant(api, meeting_id, "lea@campus.test", "Lea", "Learner")
    run(
        control,
        meeting_id,
        [{"user_id": "acme-host"}, {"registrant_id": lea, "segments": [[0, 10], [20, 30]]}],
        duration_minutes=30,
    )
    response = get(api, "/past_meetings/{meetingId}/participants", meeting_id)
    assert response.status_code == 200
    rows = response.json()["participants"]
    assert len(rows) == 3
    lea_rows = [r for r in rows if r["registrant_id"] == lea]
    assert [r["duration"] for r in lea_rows] == [600, 600]
    assert lea_rows[0]["user_id"] != lea_rows[1]["user_id"]
    assert {r["name"] for r in lea_rows} == {"Lea Learner"}
    host = next(r for r in rows if r["id"] == "acme-host")
    assert (host["internal_user"], host["user_email"], host["status"]) == (
        True,
        "host@acme.test",
        "in_meeting",
    )
    assert lea_rows[0]["internal_user"] is False


def test_past_participants_of_a_one_person_meeting_are_empty(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    result = run(control, meeting_id, [{"user_id": "acme-host"}], 30)
    response = get(api, "/past_meetings/{meetingId}/participants", path_uuid(result["uuid"]))
    assert response.status_code == 200
    assert response.json()["participants"] == []
