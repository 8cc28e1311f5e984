"""Calls the meeting and registrant tests share: each checks its response against Zoom's spec."""

from __future__ import annotations

from typing import Any

import httpx

from tests.zoomsim.openapi_check import assert_matches_spec

FUTURE_START = "2027-03-01T15:00:00Z"


def create_meeting(api: httpx.Client, host: str = "acme-host", **fields: Any) -> dict[str, Any]:
    body = {"topic": "Algebra, week 1", "type": 2, "start_time": FUTURE_START, "duration": 45}
    body.update(fields)
    response = api.post(f"/v2/users/{host}/meetings", json=body)
    assert_matches_spec(response, "POST", "/users/{userId}/meetings")
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


def registration_meeting(api: httpx.Client, approval_type: int = 0, **fields: Any) -> int:
    """A scheduled meeting that takes registrations; its id."""
    created = create_meeting(api, settings={"approval_type": approval_type}, **fields)
    meeting_id: int = created["id"]
    return meeting_id


def get_meeting(api: httpx.Client, meeting_id: int | str) -> httpx.Response:
    response = api.get(f"/v2/meetings/{meeting_id}")
    assert_matches_spec(response, "GET", "/meetings/{meetingId}")
    return response


def add_registrant(
    api: httpx.Client, meeting_id: int | str, email: str = "learner@campus.test", **fields: Any
) -> httpx.Response:
    body = {"email": email, "first_name": "Lea", "last_name": "Learner", **fields}
    response = api.post(f"/v2/meetings/{meeting_id}/registrants", json=body)
    assert_matches_spec(response, "POST", "/meetings/{meetingId}/registrants")
    return response


def list_registrants(api: httpx.Client, meeting_id: int | str, **params: Any) -> httpx.Response:
    response = api.get(f"/v2/meetings/{meeting_id}/registrants", params=params)
    assert_matches_spec(response, "GET", "/meetings/{meetingId}/registrants")
    return response
