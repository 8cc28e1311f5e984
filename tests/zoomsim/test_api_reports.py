"""GET /report/meetings/{meetingId}/participants: rows per join segment, paging, timing, UUIDs."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_runs import (
    advance,
    double_encoded,
    path_uuid,
    recorded_meeting,
    registrant,
    run,
    set_knobs,
    sim_path_uuid,
)
from tests.zoomsim.openapi_check import assert_matches_spec

# These tests are about what reports say, so the data is ready when the meeting ends; the
# tests of the wait set the delays themselves.
pytestmark = pytest.mark.usefixtures("processed_at_once")

PATH = "/report/meetings/{meetingId}/participants"


def report(api: httpx.Client, ref: str | int, **params: Any) -> httpx.Response:
    response = api.get(f"/v2/report/meetings/{ref}/participants", params=params)
    assert_matches_spec(response, "GET", PATH)
    return response


def test_one_row_per_join_segment_as_zoom_reports_it(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    lea = registrant(api, meeting_id, "lea@campus.test", "Lea", "Learner")
    run(
        control,
        meeting_id,
        [
            {"user_id": "acme-host"},
            {"registrant_id": lea, "segments": [[0, 10], [15, 45]]},
            {"guest_name": "Sam", "segments": [[5, 20]]},
        ],
        duration_minutes=45,
    )
    response = report(api, meeting_id)
    assert response.status_code == 200
    body = response.json()
    assert (body["total_records"], body["page_size"], body["next_page_token"]) == (4, 30, "")
    rows = body["participants"]
    lea_rows = [r for r in rows if r["user_email"] == "lea@campus.test"]
    assert [r["duration"] for r in lea_rows] == [600, 1800]  # seconds of each segment
    assert lea_rows[0]["user_id"] != lea_rows[1]["user_id"]  # new user_id on every rejoin
    assert all("registrant_id" not in r for r in rows)  # only with include_fields
    sam = next(r for r in rows if r["name"] == "Sam")
    assert (sam["participant_user_id"], sam["user_email"], sam["id"]) == ("", "", "")
    host = next(r for r in rows if r["participant_user_id"] == "acme-host")
    assert host["user_email"] == "host@acme.test"
    for row in rows:
        assert (row["failover"], row["status"], row["customer_key"], row["bo_mtg_id"]) == (
            False,
            "in_meeting",
            "",
            "",
        )

    with_ids = report(api, meeting_id, include_fields="registrant_id").json()["participants"]
    assert {r["registrant_id"] for r in with_ids if r["user_email"] == "lea@campus.test"} == {lea}
    assert next(r for r in with_ids if r["name"] == "Sam")["registrant_id"] == ""


def test_pages_follow_next_page_token_until_it_expires(
    api: httpx.Client, control: httpx.Client
) -> None:
    set_knobs(control, rate_limits=False)
    meeting_id = recorded_meeting(api)
    people = [{"guest_name": f"Guest {n}"} for n in range(5)]
    run(control, meeting_id, people, duration_minutes=20)

    first = report(api, meeting_id, page_size=2).json()
    assert (first["page_count"], first["total_records"], len(first["participants"])) == (3, 5, 2)
    second = report(api, meeting_id, page_size=2, next_page_token=first["next_page_token"]).json()
    third = report(api, meeting_id, page_size=2, next_page_token=second["next_page_token"]).json()
    assert third["next_page_token"] == ""
    names = [r["name"] for page in (first, second, third) for r in page["participants"]]
    assert sorted(names) == [f"Guest {n}" for n in range(5)]

    stale = report(api, meeting_id, page_size=2).json()["next_page_token"]
    advance(control, 15 * 60 + 1)
    expired = report(api, meeting_id, page_size=2, next_page_token=stale)
    assert expired.status_code == 400
    assert expired.json() == {"code": 300, "message": "The next page token is invalid or expired."}
    made_up = report(api, meeting_id, next_page_token="made-up")
    assert (made_up.status_code, made_up.json()["code"]) == (400, 300)


@pytest.mark.parametrize("page_size", ["0", "-1", "ten"])
def test_page_size_out_of_range_is_a_400(
    api: httpx.Client, control: httpx.Client, page_size: str
) -> None:
    meeting_id = recorded_meeting(api)
    run(control, meeting_id, [{"user_id": "acme-host"}, {"guest_name": "Sam"}], 10)
    response = report(api, meeting_id, page_size=page_size)
    assert (response.status_code, response.json()["code"]) == (400, 300)
    assert report(api, meeting_id, page_size="300").status_code == 200


def test_page_size_over_300_is_capped_at_300(api: httpx.Client, control: httpx.Client) -> None:
    # The same rule as every other Zoom list: more than 300 asked, 300 given, no error.
    meeting_id = recorded_meeting(api)
    run(control, meeting_id, [{"user_id": "acme-host"}, {"guest_name": "Sam"}], 10)
    response = report(api, meeting_id, page_size="1000")
    assert response.status_code == 200
    assert response.json()["page_size"] == 300


def test_report_is_3001_until_processed(api: httpx.Client, control: httpx.Client) -> None:
    set_knobs(control, report_delay=600)
    meeting_id = recorded_meeting(api)
    start = control.post(f"/_sim/meetings/{meeting_id}/start").json()
    running = report(api, meeting_id)
    assert running.status_code == 404
    control.post(f"/_sim/instances/{sim_path_uuid(start['uuid'])}/join", json={"guest_name": "A"})
    control.post(f"/_sim/instances/{sim_path_uuid(start['uuid'])}/join", json={"guest_name": "B"})
    control.post(f"/_sim/instances/{sim_path_uuid(start['uuid'])}/end")

    too_early = report(api, meeting_id)
    assert too_early.status_code == 404
    assert too_early.json() == {
        "code": 3001,
        "message": f"Meeting {meeting_id} not found or has expired.",
    }
    advance(control, 601)
    assert report(api, meeting_id).json()["total_records"] == 2


def test_meetings_with_one_participant_are_not_reported(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    run(control, meeting_id, [{"user_id": "acme-host", "segments": [[0, 5], [10, 20]]}], 20)
    body = report(api, meeting_id).json()
    assert (body["participants"], body["total_records"]) == ([], 0)


def test_a_meeting_over_a_year_ago_is_12702(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id = recorded_meeting(api)
    now = control.get("/_sim/clock").json()["now"]
    people = [{"user_id": "acme-host"}, {"guest_name": "Sam"}]
    run(control, meeting_id, people, 30, start_time=now - 366 * 24 * 3600)
    response = report(api, meeting_id)
    assert response.status_code == 400
    assert response.json() == {"code": 12702, "message": "Can not access meeting a year ago."}


def test_numeric_id_means_the_latest_instance_and_uuids_reach_earlier_ones(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    earlier = run(control, meeting_id, [{"guest_name": "A"}, {"guest_name": "B"}], 30)
    advance(control, 1800)  # the next run starts when this one ended
    run(control, meeting_id, [{"guest_name": "C"}, {"guest_name": "D"}], 30)

    latest = {r["name"] for r in report(api, meeting_id).json()["participants"]}
    assert latest == {"C", "D"}
    by_uuid = report(api, path_uuid(earlier["uuid"])).json()["participants"]
    assert {r["name"] for r in by_uuid} == {"A", "B"}


def test_other_accounts_and_unknown_meetings_are_3001(
    api: httpx.Client, control: httpx.Client, zoomsim: LiveZoomsim
) -> None:
    meeting_id = recorded_meeting(api)
    result = run(control, meeting_id, [{"guest_name": "A"}, {"guest_name": "B"}], 30)
    with zoomsim.client(zoomsim.token("globex-admin")) as globex:
        for ref in (str(meeting_id), path_uuid(result["uuid"])):
            response = globex.get(f"/v2/report/meetings/{ref}/participants")
            assert_matches_spec(response, "GET", PATH)
            assert (response.status_code, response.json()["code"]) == (404, 3001)
    assert report(api, 12345678901).status_code == 404


@pytest.mark.parametrize(
    "path",
    ["/v2/report/meetings/{}/participants", "/v2/past_meetings/{}/participants"],
)
def test_slashy_uuids_must_be_double_encoded(
    api: httpx.Client, control: httpx.Client, path: str
) -> None:
    template = PATH if path.startswith("/v2/report") else "/past_meetings/{meetingId}/participants"
    set_knobs(control, slashy_uuids=True)
    meeting_id = recorded_meeting(api)
    uuid = run(control, meeting_id, [{"guest_name": "A"}, {"guest_name": "B"}], 30)["uuid"]
    assert uuid.startswith("/") or "//" in uuid

    single = api.get(path.format(quote(uuid, safe="")))
    assert_matches_spec(single, "GET", template)
    assert (single.status_code, single.json()["code"]) == (404, 3001)

    double = api.get(path.format(double_encoded(uuid)))
    assert_matches_spec(double, "GET", template)
    assert double.status_code == 200
    assert double.json()["total_records"] == 2


def test_ordinary_uuids_work_single_encoded(api: httpx.Client, control: httpx.Client) -> None:
    set_knobs(control, slashy_uuids=False)
    meeting_id = recorded_meeting(api)
    uuid = run(control, meeting_id, [{"guest_name": "A"}, {"guest_name": "B"}], 30)["uuid"]
    if uuid.startswith("/") or "//" in uuid:
        pytest.skip("this random UUID happens to need double encoding")
    response = report(api, quote(uuid, safe=""))
    assert response.status_code == 200
    assert response.json()["total_records"] == 2
