"""Meetings over HTTP: create, list, get, update, delete; each response checked against the spec."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from tests.support.webhook_receiver import WebhookReceiver, point_app_at
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_calls import FUTURE_START, create_meeting, get_meeting
from tests.zoomsim.openapi_check import assert_matches_spec

HOST_DAILY_LIMIT_MESSAGE = (
    "You have exceeded the daily rate limit (100) of Meeting Create/Update API requests permitted "
    "for this particular user. You may resume these requests at GMT 00:00:00."
)


@pytest.fixture
def inbox(zoomsim: LiveZoomsim) -> Iterator[WebhookReceiver]:
    with WebhookReceiver("campus-webhook-secret") as receiver:
        point_app_at(zoomsim.state, receiver)
        yield receiver


def _patch(api: httpx.Client, meeting_id: int, body: object) -> httpx.Response:
    response = api.patch(f"/v2/meetings/{meeting_id}", json=body)
    assert_matches_spec(response, "PATCH", "/meetings/{meetingId}")
    return response


def _delete(api: httpx.Client, meeting_id: int | str, **params: str) -> httpx.Response:
    response = api.delete(f"/v2/meetings/{meeting_id}", params=params)
    assert_matches_spec(response, "DELETE", "/meetings/{meetingId}")
    return response


def _list(api: httpx.Client, host: str = "acme-host", **params: object) -> httpx.Response:
    response = api.get(f"/v2/users/{host}/meetings", params=params)
    assert_matches_spec(response, "GET", "/users/{userId}/meetings")
    return response


# --- create --------------------------------------------------------------------------------------


def test_create_answers_201_with_zooms_meeting_object(
    zoomsim: LiveZoomsim, api: httpx.Client
) -> None:
    response = api.post(
        "/v2/users/host@acme.test/meetings",
        json={"topic": "Algebra", "type": 2, "start_time": FUTURE_START, "duration": 45},
    )
    assert_matches_spec(response, "POST", "/users/{userId}/meetings")
    assert response.status_code == 201
    assert response.headers["X-RateLimit-Category"] == "Medium"
    meeting = response.json()
    assert meeting["id"] > 10**10  # int64 ids beyond 32 bits, as Zoom's
    assert len(base64.b64decode(meeting["uuid"])) == 16
    assert (meeting["host_id"], meeting["host_email"]) == ("acme-host", "host@acme.test")
    assert (meeting["status"], meeting["type"], meeting["duration"]) == ("waiting", 2, 45)
    assert meeting["start_time"] == FUTURE_START
    assert re.fullmatch(r"\d{6}", meeting["password"])
    base = zoomsim.base_url
    assert meeting["join_url"] == f"{base}/j/{meeting['id']}?pwd={meeting['encrypted_password']}"
    assert meeting["start_url"].startswith(f"{base}/s/{meeting['id']}?zak=")
    assert meeting["pre_schedule"] is False
    assert "registration_url" not in meeting  # approval_type 2: no registration
    assert meeting["settings"] == meeting["settings"] | {
        "host_video": False,
        "participant_video": False,
        "join_before_host": False,
        "mute_upon_entry": False,
        "approval_type": 2,
        "registration_type": 1,
        "auto_recording": "none",
        "alternative_hosts": "",
        "email_notification": True,
        "registrants_email_notification": True,
        "waiting_room": False,
        "audio": "both",
    }


def test_local_start_time_is_read_in_the_given_time_zone(api: httpx.Client) -> None:
    meeting = create_meeting(api, start_time="2026-12-01T10:00:00", timezone="America/New_York")
    assert meeting["start_time"] == "2026-12-01T15:00:00Z"
    assert meeting["timezone"] == "America/New_York"
    assert get_meeting(api, meeting["id"]).json()["start_time"] == "2026-12-01T15:00:00Z"


def test_utc_start_time_stays_as_given_whatever_the_time_zone(api: httpx.Client) -> None:
    meeting = create_meeting(api, start_time="2026-12-01T10:00:00Z", timezone="America/New_York")
    assert meeting["start_time"] == "2026-12-01T10:00:00Z"
    assert meeting["timezone"] == "America/New_York"


def test_local_start_time_without_time_zone_uses_the_hosts(api: httpx.Client) -> None:
    # acme-owner's Zoom profile is in America/New_York, where July is daylight-saving time.
    meeting = create_meeting(api, host="acme-owner", start_time="2027-07-01T10:00:00")
    assert (meeting["start_time"], meeting["timezone"]) == (
        "2027-07-01T14:00:00Z",
        "America/New_York",
    )


def test_settings_and_extra_fields_are_kept(api: httpx.Client) -> None:
    tracking = [{"field": "course", "value": "ALG-101"}]
    meeting = create_meeting(
        api,
        settings={
            "approval_type": 0,
            "mute_upon_entry": True,
            "waiting_room": True,
            "join_before_host": True,
            "breakout_room": {"enable": False},
        },
        tracking_fields=tracking,
        agenda="Chapter 1",
    )
    fetched = get_meeting(api, meeting["id"]).json()
    assert fetched["tracking_fields"] == tracking
    assert fetched["agenda"] == "Chapter 1"
    settings = fetched["settings"]
    assert (settings["approval_type"], settings["mute_upon_entry"]) == (0, True)
    assert settings["breakout_room"] == {"enable": False}
    # Zoom turns join-before-host off when the waiting room is on.
    assert (settings["waiting_room"], settings["join_before_host"]) == (True, False)
    assert fetched["registration_url"].startswith("http://127.0.0.1:")
    assert fetched["registration_url"] == meeting["registration_url"]


def test_meeting_types_instant_and_recurring_without_fixed_time(api: httpx.Client) -> None:
    instant = create_meeting(api, type=1, start_time=None)
    assert instant["type"] == 1
    assert instant["start_time"] == instant["created_at"]
    no_fixed_time = create_meeting(api, type=3, start_time=None)
    assert "start_time" not in no_fixed_time


def test_default_password_false_means_no_passcode(api: httpx.Client, zoomsim: LiveZoomsim) -> None:
    meeting = create_meeting(api, default_password=False)
    assert meeting["password"] == ""
    assert meeting["join_url"] == f"{zoomsim.base_url}/j/{meeting['id']}"


def test_basic_users_may_host_but_pending_inactive_and_strangers_may_not(api: httpx.Client) -> None:
    assert create_meeting(api, host="acme-basic")["host_id"] == "acme-basic"
    for host in ("acme-pending", "acme-inactive"):
        response = api.post(f"/v2/users/{host}/meetings", json={"topic": "x"})
        assert_matches_spec(response, "POST", "/users/{userId}/meetings")
        assert (response.status_code, response.json()["code"]) == (400, 3161)
    response = api.post("/v2/users/host@globex.test/meetings", json={"topic": "x"})
    assert_matches_spec(response, "POST", "/users/{userId}/meetings")
    assert response.json() == {"code": 1001, "message": "User does not exist: host@globex.test."}


def test_create_needs_a_meeting_write_scope(zoomsim: LiveZoomsim) -> None:
    token = zoomsim.token("acme-admin", scopes=["meeting:read:meeting:admin"])
    with zoomsim.client(token) as client:
        response = client.post("/v2/users/me/meetings", json={"topic": "x"})
    assert_matches_spec(response, "POST", "/users/{userId}/meetings")
    assert response.status_code == 400
    assert response.json()["code"] == 4711
    assert "meeting:write:meeting:admin" in response.json()["message"]


def test_slashy_uuids_knob_makes_uuids_that_need_double_encoding(
    zoomsim: LiveZoomsim, api: httpx.Client
) -> None:
    zoomsim.state.knobs.slashy_uuids = True
    for _ in range(10):
        uuid = create_meeting(api)["uuid"]
        assert uuid.startswith("/") or "//" in uuid
        assert len(base64.b64decode(uuid)) == 16


# --- alternative hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        "pending@acme.test",  # invited, not yet active
        "inactive@acme.test",  # deactivated
        "basic@acme.test",  # Basic: no license
        "cohost@globex.test",  # another account
        "host@acme.test",  # the host itself
        "nobody@acme.test",  # no such user
    ],
)
def test_alternative_hosts_must_be_active_licensed_users_of_the_account(
    zoomsim: LiveZoomsim, api: httpx.Client, entry: str
) -> None:
    response = api.post(
        "/v2/users/acme-host/meetings",
        json={"topic": "x", "settings": {"alternative_hosts": f"cohost@acme.test;{entry}"}},
    )
    assert_matches_spec(response, "POST", "/users/{userId}/meetings")
    knobs = zoomsim.state.knobs
    assert response.status_code == knobs.alt_host_error_status
    assert response.json()["code"] == knobs.alt_host_error_code
    assert entry in response.json()["message"]
    assert _list(api).json()["total_records"] == 0


def test_alternative_host_error_status_and_code_follow_the_knobs(
    zoomsim: LiveZoomsim, api: httpx.Client
) -> None:
    zoomsim.state.knobs.alt_host_error_status = 404
    zoomsim.state.knobs.alt_host_error_code = 3000
    response = api.post(
        "/v2/users/acme-host/meetings",
        json={"topic": "x", "settings": {"alternative_hosts": "basic@acme.test"}},
    )
    assert_matches_spec(response, "POST", "/users/{userId}/meetings")
    assert (response.status_code, response.json()["code"]) == (404, 3000)


def test_licensed_active_alternative_hosts_are_accepted_by_email_or_id(api: httpx.Client) -> None:
    meeting = create_meeting(api, settings={"alternative_hosts": "acme-cohost, admin@acme.test"})
    expected = "cohost@acme.test;admin@acme.test"
    assert meeting["settings"]["alternative_hosts"] == expected
    assert get_meeting(api, meeting["id"]).json()["settings"]["alternative_hosts"] == expected


# --- list and get --------------------------------------------------------------------------------


def test_list_pages_through_the_hosts_meetings(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    ids = [create_meeting(api, start_time=f"2027-03-0{day}T15:00:00Z")["id"] for day in (3, 1, 2)]
    create_meeting(api, host="acme-cohost")
    first = _list(api, page_size=2).json()
    assert (first["page_size"], first["total_records"]) == (2, 3)
    assert [item["id"] for item in first["meetings"]] == [ids[1], ids[2]]  # by start time
    second = _list(api, page_size=2, next_page_token=first["next_page_token"]).json()
    assert [item["id"] for item in second["meetings"]] == [ids[0]]
    assert second["next_page_token"] == ""


def test_list_rejects_tokens_of_other_listings_and_expired_ones(
    zoomsim: LiveZoomsim, api: httpx.Client
) -> None:
    for _ in range(3):
        create_meeting(api)
    token = _list(api, page_size=1).json()["next_page_token"]
    other = _list(api, host="acme-cohost", next_page_token=token)
    assert other.json() == {"code": 300, "message": "The next page token is invalid or expired."}
    zoomsim.state.clock.advance(zoomsim.state.knobs.page_token_ttl + 1)
    expired = _list(api, next_page_token=token)
    assert (expired.status_code, expired.json()["code"]) == (400, 300)


def test_list_filters_live_and_upcoming(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    upcoming = create_meeting(api)
    live = create_meeting(api)
    zoomsim.state.meetings[str(live["id"])].status = "started"  # set the scene
    assert [m["id"] for m in _list(api, type="live").json()["meetings"]] == [live["id"]]
    assert {m["id"] for m in _list(api, type="upcoming").json()["meetings"]} == {
        upcoming["id"],
        live["id"],
    }
    assert _list(api, type="previous_meetings").json()["meetings"] == []
    bad = _list(api, type="tomorrow")
    assert (bad.status_code, bad.json()["code"]) == (400, 300)


def test_get_unknown_or_foreign_meeting_is_3001(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    response = get_meeting(api, 12345678901)
    assert response.status_code == 404
    assert response.json() == {"code": 3001, "message": "Meeting does not exist: 12345678901."}
    with zoomsim.client(zoomsim.token("globex-admin")) as globex:
        foreign = create_meeting(globex, host="globex-host")["id"]
    assert get_meeting(api, foreign).json()["code"] == 3001
    own = create_meeting(api)["id"]
    assert get_meeting(api, own).headers["X-RateLimit-Category"] == "Light"


# --- update --------------------------------------------------------------------------------------


def test_patch_updates_merges_settings_and_emits_meeting_updated(
    api: httpx.Client, inbox: WebhookReceiver
) -> None:
    meeting = create_meeting(api, settings={"approval_type": 0, "mute_upon_entry": True})
    response = _patch(
        api,
        meeting["id"],
        {
            "topic": "Algebra, moved",
            "start_time": "2027-03-02T09:30:00",
            "timezone": "Europe/Berlin",
            "settings": {"host_video": True},
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    fetched = get_meeting(api, meeting["id"]).json()
    assert fetched["topic"] == "Algebra, moved"
    assert (fetched["start_time"], fetched["timezone"]) == ("2027-03-02T08:30:00Z", "Europe/Berlin")
    settings = fetched["settings"]
    assert (settings["host_video"], settings["mute_upon_entry"], settings["approval_type"]) == (
        True,
        True,
        0,
    )
    event = inbox.wait_for(1)[0].json()
    assert event["event"] == "meeting.updated"
    payload = event["payload"]
    assert (payload["operator"], payload["operator_id"]) == ("admin@acme.test", "acme-admin")
    assert payload["object"]["topic"] == "Algebra, moved"
    assert payload["object"]["settings"] == {"host_video": True}
    assert payload["old_object"]["topic"] == "Algebra, week 1"
    assert payload["old_object"]["start_time"] == FUTURE_START


def test_patch_of_a_started_meeting_is_refused(zoomsim: LiveZoomsim, api: httpx.Client) -> None:
    meeting = create_meeting(api)
    zoomsim.state.meetings[str(meeting["id"])].status = "started"  # set the scene
    response = _patch(api, meeting["id"], {"topic": "too late"})
    assert response.status_code == 400
    assert response.json() == {
        "code": 3000,
        "message": "You cannot update or delete meetings that have started using this method.",
    }
    assert get_meeting(api, meeting["id"]).json()["topic"] == meeting["topic"]
    assert _delete(api, meeting["id"]).json()["code"] == 3000


def test_patch_checks_alternative_hosts_too(api: httpx.Client) -> None:
    meeting = create_meeting(api)
    refused = _patch(api, meeting["id"], {"settings": {"alternative_hosts": "pending@acme.test"}})
    assert refused.status_code == 400
    accepted = _patch(api, meeting["id"], {"settings": {"alternative_hosts": "cohost@acme.test"}})
    assert accepted.status_code == 204
    settings = get_meeting(api, meeting["id"]).json()["settings"]
    assert settings["alternative_hosts"] == "cohost@acme.test"


# --- delete --------------------------------------------------------------------------------------


def test_delete_answers_204_then_the_meeting_is_gone(
    zoomsim: LiveZoomsim, api: httpx.Client, inbox: WebhookReceiver
) -> None:
    meeting = create_meeting(api)
    response = _delete(
        api, meeting["id"], schedule_for_reminder="true", cancel_meeting_reminder="false"
    )
    assert (response.status_code, response.content) == (204, b"")
    assert get_meeting(api, meeting["id"]).json()["code"] == 3001
    assert _delete(api, meeting["id"]).json()["code"] == 3001
    assert _patch(api, meeting["id"], {"topic": "x"}).json()["code"] == 3001
    assert _list(api).json()["total_records"] == 0
    # Which cancellation emails Zoom would have sent, for the control API to show.
    deleted_with = zoomsim.state.meetings[str(meeting["id"])].tracking["deleted_with"]
    assert deleted_with["schedule_for_reminder"] is True
    assert deleted_with["cancel_meeting_reminder"] is False
    event = inbox.wait_for(1)[0].json()
    assert event["event"] == "meeting.deleted"
    assert event["payload"]["object"]["id"] == meeting["id"]
    assert event["payload"]["object"]["uuid"] == meeting["uuid"]


# --- the host's daily limit ----------------------------------------------------------------------


def test_101st_create_or_update_of_a_host_in_a_day_gets_429_until_midnight_utc(
    zoomsim: LiveZoomsim,
) -> None:
    clock = zoomsim.state.clock
    clock.frozen_at = datetime(2027, 1, 10, 8, 0, tzinfo=UTC).timestamp()
    # A token that outlives the clock moves below.
    token = zoomsim.token("acme-admin", ttl=3 * 24 * 3600)
    with zoomsim.client(token) as api:
        meeting_id = create_meeting(api)["id"]
        for count in range(2, 101):
            clock.advance(1)  # stay under the per-second limits; the day is what counts
            if count % 2:
                assert _patch(api, meeting_id, {"agenda": f"take {count}"}).status_code == 204
            else:
                create_meeting(api)
        clock.advance(1)
        refused = api.post("/v2/users/acme-host/meetings", json={"topic": "one too many"})
        assert_matches_spec(refused, "POST", "/users/{userId}/meetings")
        assert refused.status_code == 429
        assert refused.json() == {"code": 429, "message": HOST_DAILY_LIMIT_MESSAGE}
        # Seen from Zoom: the endpoint's category header, but no X-RateLimit-Type or Retry-After.
        assert refused.headers["X-RateLimit-Category"] == "Medium"
        assert "X-RateLimit-Type" not in refused.headers
        assert "Retry-After" not in refused.headers
        assert _patch(api, meeting_id, {"agenda": "again"}).status_code == 429
        # Other hosts are not affected.
        create_meeting(api, host="acme-cohost")
        # 00:00 UTC the next day the count starts again.
        clock.frozen_at = datetime(2027, 1, 11, 0, 0, tzinfo=UTC).timestamp()
        assert create_meeting(api)["host_id"] == "acme-host"
