"""The conformance harness itself: it must pass what the spec allows and catch what it does not.

Most cases build responses by hand (httpx.Response needs no server), so each failure mode is shown
in isolation; the last ones run it against the live zoomsim.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim import openapi_check
from tests.zoomsim.openapi_check import assert_matches_spec

REGISTRANT_CREATED: dict[str, Any] = {
    "id": 85746065432,
    "registrant_id": "fdgsfh2ey82fuh",
    "join_url": "https://example.com/w/85746065432?tk=abc",
    "topic": "Algebra, week 1",
    "start_time": "2026-12-01T15:00:00Z",
    "participant_pin_code": 380303,
}


def _response(status: int, body: Any = None) -> httpx.Response:
    if body is None:
        return httpx.Response(status)
    return httpx.Response(status, json=body)


def test_a_correct_body_passes() -> None:
    assert_matches_spec(
        _response(201, REGISTRANT_CREATED), "POST", "/meetings/{meetingId}/registrants"
    )


def test_a_wrong_typed_field_fails() -> None:
    body = {**REGISTRANT_CREATED, "id": "85746065432"}  # Zoom's meeting id is an int64
    with pytest.raises(AssertionError, match=r"at id: '85746065432' is not of type 'integer'"):
        assert_matches_spec(_response(201, body), "POST", "/meetings/{meetingId}/registrants")


def test_a_loose_date_time_is_checked() -> None:
    body = {**REGISTRANT_CREATED, "start_time": "01/12/2026 10:00"}
    with pytest.raises(AssertionError, match="start_time"):
        assert_matches_spec(_response(201, body), "POST", "/meetings/{meetingId}/registrants")


def test_an_undocumented_status_fails() -> None:
    # Add-registrant documents 201, 400, 404, 429; a 200 is not Zoom's answer.
    with pytest.raises(AssertionError, match="status not documented"):
        assert_matches_spec(
            _response(200, REGISTRANT_CREATED), "POST", "/meetings/{meetingId}/registrants"
        )


def test_an_undocumented_top_level_field_fails() -> None:
    body = {**REGISTRANT_CREATED, "registrantId": "typo"}
    with pytest.raises(AssertionError, match=r"not in Zoom's schema: \['registrantId'\]"):
        assert_matches_spec(_response(201, body), "POST", "/meetings/{meetingId}/registrants")


def test_fields_the_reference_knows_zoom_sends_are_allowed() -> None:
    created = {
        "id": 85746065432,
        "uuid": "aDYlohsHRtCd4ii1uC2+hA==",
        "host_id": "acme-host",
        "status": "waiting",
        "topic": "Algebra",
        "type": 2,
    }
    assert_matches_spec(_response(201, created), "POST", "/users/{userId}/meetings")


def test_a_204_must_have_no_body() -> None:
    assert_matches_spec(_response(204), "PATCH", "/meetings/{meetingId}")
    with pytest.raises(AssertionError, match="expected no body"):
        assert_matches_spec(_response(204, {"ok": True}), "PATCH", "/meetings/{meetingId}")


@pytest.mark.parametrize(
    "body",
    [
        {"message": "no code"},
        {"code": "3001", "message": "code as a string"},
        {"code": 300, "message": ""},
        {"code": 300, "message": "Validation Failed.", "errors": [{"field": "topic"}]},
    ],
)
def test_errors_must_have_zooms_shape(body: dict[str, Any]) -> None:
    with pytest.raises(AssertionError):
        assert_matches_spec(_response(404, body), "GET", "/meetings/{meetingId}")


def test_zooms_error_shape_passes_and_401_is_allowed_everywhere() -> None:
    assert_matches_spec(
        _response(404, {"code": 3001, "message": "Meeting does not exist: 1."}),
        "GET",
        "/meetings/{meetingId}",
    )
    assert_matches_spec(
        _response(
            400,
            {
                "code": 300,
                "message": "Validation Failed.",
                "errors": [{"field": "topic", "message": "Invalid field."}],
            },
        ),
        "POST",
        "/users/{userId}/meetings",
    )
    assert_matches_spec(
        _response(401, {"code": 124, "message": "Invalid access token."}), "GET", "/users/{userId}"
    )


def test_unknown_operations_are_reported() -> None:
    with pytest.raises(AssertionError, match="not a path"):
        assert_matches_spec(_response(200, {}), "GET", "/v2/meetings/{meetingId}")
    with pytest.raises(AssertionError, match="not in the Zoom spec"):
        assert_matches_spec(_response(200, {}), "PUT", "/meetings/{meetingId}")


def test_live_get_user_matches_the_users_spec(api: httpx.Client) -> None:
    for ref in ("me", "acme-host", "host%40acme.test"):
        response = api.get(f"/v2/users/{ref}")
        assert response.status_code == 200
        assert_matches_spec(response, "GET", "/users/{userId}")


def test_live_get_user_errors_match_the_users_spec(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    missing = api.get("/v2/users/nobody@acme.test")
    assert missing.status_code == 404
    assert_matches_spec(missing, "GET", "/users/{userId}")
    with zoomsim.client("not-a-token") as stranger:
        unauthorized = stranger.get("/v2/users/me")
    assert unauthorized.status_code == 401
    assert_matches_spec(unauthorized, "GET", "/users/{userId}")


def test_a_missing_spec_folder_fails_with_a_clear_message(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(openapi_check, "SHARED", tmp_path / "shared" / "zoom-openapi")
    openapi_check._spec.cache_clear()
    try:
        with pytest.raises(AssertionError, match=r"Zoom OpenAPI spec not found: .*copy shared/"):
            assert_matches_spec(_response(204), "DELETE", "/meetings/{meetingId}")
    finally:
        openapi_check._spec.cache_clear()
