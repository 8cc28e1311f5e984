"""Registrants over HTTP: add, batch, list, status, delete; responses checked against the spec."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_calls import (
    FUTURE_START,
    add_registrant,
    create_meeting,
    list_registrants,
    registration_meeting,
)
from tests.zoomsim.openapi_check import assert_matches_spec
from zoomsim.model import Registrant

REGISTRANT_SCOPES = [
    "meeting:write:meeting:admin",
    "meeting:write:registrant:admin",
    "meeting:read:list_registrants:admin",
    "meeting:delete:registrant:admin",
]


def _batch(api: httpx.Client, meeting_id: int, people: list[dict[str, Any]], **more: Any) -> Any:
    response = api.post(
        f"/v2/meetings/{meeting_id}/batch_registrants", json={"registrants": people, **more}
    )
    assert_matches_spec(response, "POST", "/meetings/{meetingId}/batch_registrants")
    return response


def _people(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"email": f"learner{n}@campus.test", "first_name": f"Learner {n}", "last_name": "Doe"}
        for n in range(start, start + count)
    ]


def _status(api: httpx.Client, meeting_id: int, action: str, registrants: list[Any]) -> Any:
    response = api.put(
        f"/v2/meetings/{meeting_id}/registrants/status",
        json={"action": action, "registrants": registrants},
    )
    assert_matches_spec(response, "PUT", "/meetings/{meetingId}/registrants/status")
    return response


def _ids(api: httpx.Client, meeting_id: int, status: str = "approved") -> list[str]:
    listed = list_registrants(api, meeting_id, status=status, page_size=300).json()
    return [item["id"] for item in listed["registrants"]]


# --- add one -------------------------------------------------------------------------------------


def test_add_registrant_gives_a_personal_join_link(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    meeting_id = registration_meeting(api)
    response = add_registrant(api, meeting_id, city="Lyon", custom_questions=[])
    assert response.status_code == 201
    assert response.headers["X-RateLimit-Category"] == "Light"
    body = response.json()
    assert (body["id"], body["topic"], body["start_time"]) == (
        meeting_id,
        "Algebra, week 1",
        FUTURE_START,
    )
    assert body["join_url"].startswith(f"{zoomsim.base_url}/w/{meeting_id}?tk=")
    assert 100_000 <= body["participant_pin_code"] <= 999_999
    listed = list_registrants(api, meeting_id).json()
    assert listed["total_records"] == 1
    row = listed["registrants"][0]
    assert (row["id"], row["email"], row["status"]) == (
        body["registrant_id"],
        "learner@campus.test",
        "approved",
    )
    assert (row["join_url"], row["city"]) == (body["join_url"], "Lyon")


def test_manual_approval_withholds_the_link_until_approved(api: httpx.Client) -> None:
    meeting_id = registration_meeting(api, approval_type=1)
    body = add_registrant(api, meeting_id).json()
    assert "join_url" not in body  # Zoom omits it while the registrant is pending
    assert _ids(api, meeting_id) == []
    pending = list_registrants(api, meeting_id, status="pending").json()["registrants"]
    assert [row["id"] for row in pending] == [body["registrant_id"]]
    assert "join_url" not in pending[0]
    assert _status(api, meeting_id, "approve", [{"id": body["registrant_id"]}]).status_code == 204
    approved = list_registrants(api, meeting_id).json()["registrants"]
    assert [row["id"] for row in approved] == [body["registrant_id"]]
    assert "/w/" in approved[0]["join_url"]
    # auto_approve skips the wait.
    auto = add_registrant(api, meeting_id, email="eager@campus.test", auto_approve=True).json()
    assert "join_url" in auto


def test_registration_must_be_enabled(api: httpx.Client) -> None:
    meeting_id = create_meeting(api)["id"]  # approval_type 2: no registration
    response = add_registrant(api, meeting_id)
    assert response.status_code == 400
    assert response.json() == {
        "code": 404,
        "message": f"Registration has not been enabled for this meeting: {meeting_id}.",
    }


def test_registration_needs_a_licensed_host(api: httpx.Client) -> None:
    meeting_id = registration_meeting(api, host="acme-basic")
    response = add_registrant(api, meeting_id)
    assert (response.status_code, response.json()["code"]) == (400, 3161)


def test_unknown_meeting_is_1001_on_add_as_the_spec_says(api: httpx.Client) -> None:
    response = add_registrant(api, 98765432101)
    assert response.status_code == 404
    assert response.json() == {"code": 1001, "message": "Meeting does not exist: 98765432101."}


def test_same_email_twice_returns_the_same_registrant(api: httpx.Client) -> None:
    meeting_id = registration_meeting(api)
    first = add_registrant(api, meeting_id).json()
    again = add_registrant(api, meeting_id, email="LEARNER@campus.test").json()
    assert again["registrant_id"] == first["registrant_id"]
    assert again["join_url"] == first["join_url"]
    assert list_registrants(api, meeting_id).json()["total_records"] == 1


def test_fourth_registration_of_a_registrant_in_a_day_gets_429(zoomsim: LiveZoomsim) -> None:
    zoomsim.state.clock.frozen_at = datetime(2027, 1, 10, 8, 0, tzinfo=UTC).timestamp()
    with zoomsim.client(zoomsim.token("acme-admin", ttl=3 * 24 * 3600)) as api:
        meeting_id = registration_meeting(api)
        for _ in range(3):
            assert add_registrant(api, meeting_id).status_code == 201
        refused = add_registrant(api, meeting_id)
        assert refused.status_code == 429
        assert refused.json() == {
            "code": 429,
            "message": 'You have exceeded the daily rate limit of "3" for Add meeting registrant '
            'API requests for the registrant "learner@campus.test". You can resume these API '
            "requests at GMT 00:00:00.",
        }
        assert add_registrant(api, meeting_id, email="other@campus.test").status_code == 201
        zoomsim.state.clock.frozen_at = datetime(2027, 1, 11, 0, 0, tzinfo=UTC).timestamp()
        assert add_registrant(api, meeting_id).status_code == 201


def test_a_full_meeting_refuses_more_registrants(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    meeting_id = registration_meeting(api)
    state = zoomsim.state
    for n in range(4999):  # set the scene: 4,999 registrants, Zoom's maximum
        state.registrants[f"r{n}"] = Registrant(
            f"r{n}", meeting_id, f"p{n}@campus.test", "P", str(n), "approved", "", 0.0, 111111
        )
    response = add_registrant(api, meeting_id)
    assert response.status_code == 400
    assert response.json() == {
        "code": 3043,
        "message": "Meeting has reached maximum attendee capacity.",
    }
    assert _batch(api, meeting_id, _people(1)).json()["code"] == 3043
    # Someone already registered is still answered with their registration.
    assert add_registrant(api, meeting_id, email="p7@campus.test").status_code == 201


# --- batch ---------------------------------------------------------------------------------------


def test_batch_adds_up_to_30(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    meeting_id = registration_meeting(api)
    response = _batch(api, meeting_id, _people(30))
    assert response.status_code == 201
    assert response.headers["X-RateLimit-Category"] == "Heavy"
    added = response.json()["registrants"]
    assert [item["email"] for item in added] == [p["email"] for p in _people(30)]
    assert all(item["join_url"].startswith(f"{zoomsim.base_url}/w/") for item in added)
    assert set(_ids(api, meeting_id)) == {item["registrant_id"] for item in added}


def test_batch_with_manual_approval_and_auto_approve(api: httpx.Client) -> None:
    meeting_id = registration_meeting(api, approval_type=1)
    waiting = _batch(api, meeting_id, _people(2)).json()["registrants"]
    assert all("join_url" not in item for item in waiting)
    approved = _batch(api, meeting_id, _people(1, start=5), auto_approve=True).json()
    assert "join_url" in approved["registrants"][0]
    assert len(_ids(api, meeting_id, "pending")) == 2


def test_batch_refuses_31_other_types_and_no_registration(api: httpx.Client) -> None:
    meeting_id = registration_meeting(api)
    too_many = _batch(api, meeting_id, _people(31))
    assert (too_many.status_code, too_many.json()["code"]) == (400, 300)
    recurring = create_meeting(api, type=3, start_time=None, settings={"approval_type": 0})
    not_scheduled = _batch(api, recurring["id"], _people(1))
    assert (not_scheduled.status_code, not_scheduled.json()["code"]) == (400, 303)
    closed = create_meeting(api)["id"]
    off = _batch(api, closed, _people(1))
    assert (off.status_code, off.json()["code"]) == (400, 404)
    missing = _batch(api, 98765432101, _people(1))
    assert (missing.status_code, missing.json()["code"]) == (404, 3001)
    assert _ids(api, meeting_id) == []


# --- list ----------------------------------------------------------------------------------------


def test_list_pages_with_expiring_tokens(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    meeting_id = registration_meeting(api)
    _batch(api, meeting_id, _people(5))
    first = list_registrants(api, meeting_id, page_size=2).json()
    assert (first["page_size"], first["total_records"], len(first["registrants"])) == (2, 5, 2)
    seen = [row["email"] for row in first["registrants"]]
    token = first["next_page_token"]
    while token:
        page = list_registrants(api, meeting_id, page_size=2, next_page_token=token).json()
        seen += [row["email"] for row in page["registrants"]]
        token = page["next_page_token"]
    assert seen == [p["email"] for p in _people(5)]

    stale = list_registrants(api, meeting_id, page_size=2).json()["next_page_token"]
    zoomsim.state.clock.advance(zoomsim.state.knobs.page_token_ttl + 1)
    expired = list_registrants(api, meeting_id, next_page_token=stale)
    assert expired.status_code == 400
    assert expired.json() == {"code": 300, "message": "The next page token is invalid or expired."}
    made_up = list_registrants(api, meeting_id, next_page_token="not-a-token")
    assert made_up.json()["code"] == 300


def test_list_page_size_default_and_cap(api: httpx.Client) -> None:
    meeting_id = registration_meeting(api)
    assert list_registrants(api, meeting_id).json()["page_size"] == 30
    assert list_registrants(api, meeting_id, page_size=1000).json()["page_size"] == 300


# --- status and delete ---------------------------------------------------------------------------


def test_deny_and_cancel_move_registrants_to_denied(api: httpx.Client) -> None:
    meeting_id = registration_meeting(api, approval_type=1)
    pending = _batch(api, meeting_id, _people(2)).json()["registrants"]
    _status(api, meeting_id, "approve", [{"email": pending[0]["email"]}])
    _status(api, meeting_id, "deny", [{"id": pending[1]["registrant_id"]}])
    assert _ids(api, meeting_id) == [pending[0]["registrant_id"]]
    _status(api, meeting_id, "cancel", [{"id": pending[0]["registrant_id"]}])
    assert _ids(api, meeting_id) == []
    assert len(_ids(api, meeting_id, "denied")) == 2
    # A cancelled learner who registers again is registered anew (pending: manual approval).
    again = add_registrant(api, meeting_id, email=pending[0]["email"]).json()
    assert again["registrant_id"] == pending[0]["registrant_id"]
    assert _ids(api, meeting_id, "pending") == [pending[0]["registrant_id"]]


@pytest.mark.parametrize("action", ["approve", "deny", "cancel"])
def test_status_ignores_registrants_it_does_not_know(api: httpx.Client, action: str) -> None:
    meeting_id = registration_meeting(api)
    response = _status(api, meeting_id, action, [{"id": "nobody"}])
    assert response.status_code == 204


def test_delete_registrant(zoomsim: LiveZoomsim) -> None:
    with zoomsim.client(zoomsim.token("acme-admin", scopes=REGISTRANT_SCOPES)) as api:
        meeting_id = registration_meeting(api)
        registrant_id = add_registrant(api, meeting_id).json()["registrant_id"]
        path = f"/v2/meetings/{meeting_id}/registrants/{registrant_id}"
        deleted = api.delete(path)
        assert_matches_spec(deleted, "DELETE", "/meetings/{meetingId}/registrants/{registrantId}")
        assert (deleted.status_code, deleted.content) == (204, b"")
        assert _ids(api, meeting_id) == []
        again = api.delete(path)
        assert_matches_spec(again, "DELETE", "/meetings/{meetingId}/registrants/{registrantId}")
        assert (again.status_code, again.json()["code"]) == (400, 300)
