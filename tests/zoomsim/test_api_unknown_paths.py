"""What /v2 answers for paths and methods it does not serve: Zoom's 404/2300, not a framework's
bare 404; and, for a meeting UUID whose slashes split the path, 404/3001 as Zoom does."""

from __future__ import annotations

import httpx
import pytest

from tests.zoomsim.meeting_runs import recorded_meeting, run, set_knobs

NOT_RECOGNIZED = {"code": 2300, "message": "This API endpoint is not recognized."}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v2/nothing-here"),
        ("GET", "/v2/users/me/nothing-here"),
        ("GET", "/v2/meetings/81000000001/nothing-here"),  # a numeric id is not a split UUID
        ("POST", "/v2/webinars"),
        ("GET", "/v2/"),
        # A served path with a method Zoom does not serve there is no endpoint either.
        ("DELETE", "/v2/users/me"),
        ("PUT", "/v2/meetings/81000000001"),
    ],
)
def test_unknown_endpoints_are_2300(api: httpx.Client, method: str, path: str) -> None:
    response = api.request(method, path)
    assert (response.status_code, response.json()) == (404, NOT_RECOGNIZED)


def test_2300_comes_before_the_token_is_looked_at(control: httpx.Client) -> None:
    response = control.get("/v2/nothing-here")
    assert (response.status_code, response.json()) == (404, NOT_RECOGNIZED)


def test_a_uuid_sent_with_bare_slashes_is_a_meeting_zoom_cannot_find(
    api: httpx.Client, control: httpx.Client
) -> None:
    set_knobs(control, slashy_uuids=True)
    meeting_id = recorded_meeting(api)
    uuid = run(control, meeting_id, [{"user_id": "acme-host"}], 30)["uuid"]
    response = api.get(f"/v2/past_meetings/{uuid}")  # not encoded at all
    unslashed = uuid.replace("//", "/").strip("/")
    assert (response.status_code, response.json()) == (
        404,
        {"code": 3001, "message": f"Meeting does not exist: {unslashed}."},
    )
    participants = api.get(f"/v2/report/meetings/{uuid}/participants")
    assert (participants.status_code, participants.json()["code"]) == (404, 3001)
