"""Zoom's per-account rate limits over HTTP: per-second budgets by plan and category, the shared
Heavy daily cap with Retry-After at the next 00:00 UTC, and the knob that turns them off.

The clock is frozen so "one second" is exact however slow the machine is."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.openapi_check import (
    MEETINGS_SPEC,
    SHARED,
    USERS_SPEC,
    USERS_SPEC_PATHS,
    assert_matches_spec,
)

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. Refer to the response header "
    "for details on when you can make another request."
)


@pytest.fixture
def frozen_at(control: httpx.Client) -> float:
    # Start at the beginning of a second, so the calls of one test cannot straddle two windows
    # however the real clock ran before freezing.
    now: float = control.post("/_sim/clock/freeze").json()["now"]
    control.post("/_sim/clock/advance", json={"seconds": int(now) + 1 - now})
    return int(now) + 1


def light_calls(client: httpx.Client, count: int) -> list[httpx.Response]:
    return [client.get("/v2/users/me") for _ in range(count)]


def test_pro_account_gets_429_on_the_31st_light_call_in_one_second(
    api: httpx.Client, control: httpx.Client, frozen_at: float
) -> None:
    allowed = light_calls(api, 30)
    assert {r.status_code for r in allowed} == {200}
    assert_matches_spec(allowed[0], "GET", "/users/{userId}")

    limited = api.get("/v2/users/me")
    assert limited.status_code == 429
    assert limited.json() == {"code": 429, "message": QPS_MESSAGE}
    assert limited.headers["X-RateLimit-Category"] == "Light"
    assert limited.headers["X-RateLimit-Type"] == "QPS"
    assert limited.headers["X-RateLimit-Limit"] == "30"
    assert limited.headers["X-RateLimit-Remaining"] == "0"
    # Zoom's per-second 429 says when the window ends; Retry-After is only on daily caps (§4).
    assert limited.headers["X-RateLimit-Reset"] == str(int(frozen_at) + 1)
    assert "Retry-After" not in limited.headers
    assert_matches_spec(limited, "GET", "/users/{userId}")
    # The control API counts the refusals of the day, for load tests that must have none.
    day = datetime.fromtimestamp(frozen_at, tz=UTC).strftime("%Y-%m-%d")
    counters = control.get("/_sim/ratelimits").json()["counters"]
    assert counters[f"429:acct-acme:Light:{day}"] == 1

    control.post("/_sim/clock/advance", json={"seconds": 1})
    assert api.get("/v2/users/me").status_code == 200  # a new second, a new budget


def test_business_account_allows_80_light_calls_a_second(
    zoomsim: LiveZoomsim, frozen_at: float
) -> None:
    with zoomsim.client(zoomsim.token("globex-admin")) as globex:
        allowed = light_calls(globex, 80)
        assert {r.status_code for r in allowed} == {200}
        limited = globex.get("/v2/users/me")
    assert limited.status_code == 429
    assert limited.headers["X-RateLimit-Limit"] == "80"


def test_accounts_have_separate_budgets(
    zoomsim: LiveZoomsim, api: httpx.Client, frozen_at: float
) -> None:
    light_calls(api, 30)
    assert api.get("/v2/users/me").status_code == 429
    with zoomsim.client(zoomsim.token("globex-admin")) as globex:
        assert globex.get("/v2/users/me").status_code == 200


def test_rate_limits_knob_off_never_answers_429(
    api: httpx.Client, control: httpx.Client, frozen_at: float
) -> None:
    control.patch("/_sim/knobs", json={"rate_limits": False})
    assert {r.status_code for r in light_calls(api, 100)} == {200}


def test_heavy_daily_cap_answers_429_with_retry_after_at_next_midnight_utc(
    zoomsim: LiveZoomsim, api: httpx.Client, control: httpx.Client, frozen_at: float
) -> None:
    # Close to Pro's shared Heavy + Resource-intensive cap of 30,000 calls a day, set through the
    # state rather than by sending 29,999 calls.
    today = datetime.fromtimestamp(frozen_at, tz=UTC)
    zoomsim.state.counters[f"day:acct-acme:Heavy+RI:{today:%Y-%m-%d}"] = 29_999
    heavy = "/v2/report/meetings/81000000001/participants"

    # The meeting does not exist (404), but the call still counts against the cap.
    assert api.get(heavy).status_code != 429

    capped = api.get(heavy)
    assert capped.status_code == 429
    assert capped.json() == {"code": 429, "message": DAILY_MESSAGE}
    assert capped.headers["X-RateLimit-Category"] == "Heavy"
    assert capped.headers["X-RateLimit-Type"] == "Daily-limit"
    assert capped.headers["X-RateLimit-Limit"] == "30000"
    assert capped.headers["X-RateLimit-Remaining"] == "0"
    midnight = (today + timedelta(days=1)).strftime("%Y-%m-%dT00:00:00Z")
    assert capped.headers["Retry-After"] == midnight
    assert_matches_spec(capped, "GET", "/report/meetings/{meetingId}/participants")
    assert api.get("/v2/users/me").status_code == 200  # Light calls have no daily cap on Pro

    seconds_to_midnight = datetime.fromisoformat(midnight).timestamp() - frozen_at
    control.post("/_sim/clock/advance", json={"seconds": seconds_to_midnight})
    assert api.get(heavy).status_code != 429  # a new day at 00:00 UTC


UNKNOWN = "98765432101"
# Every endpoint zoomsim serves: (method, spec path, a request path). Unknown meetings are fine:
# a refused call is counted and labelled like any other.
OPERATIONS = [
    ("GET", "/users", "/v2/users"),
    ("GET", "/users/{userId}", "/v2/users/me"),
    ("GET", "/users/{userId}/recordings", "/v2/users/acme-host/recordings"),
    ("POST", "/users/{userId}/meetings", "/v2/users/acme-host/meetings"),
    ("GET", "/users/{userId}/meetings", "/v2/users/acme-host/meetings"),
    ("GET", "/meetings/{meetingId}", f"/v2/meetings/{UNKNOWN}"),
    ("PATCH", "/meetings/{meetingId}", f"/v2/meetings/{UNKNOWN}"),
    ("DELETE", "/meetings/{meetingId}", f"/v2/meetings/{UNKNOWN}"),
    ("POST", "/meetings/{meetingId}/registrants", f"/v2/meetings/{UNKNOWN}/registrants"),
    ("GET", "/meetings/{meetingId}/registrants", f"/v2/meetings/{UNKNOWN}/registrants"),
    (
        "POST",
        "/meetings/{meetingId}/batch_registrants",
        f"/v2/meetings/{UNKNOWN}/batch_registrants",
    ),
    (
        "PUT",
        "/meetings/{meetingId}/registrants/status",
        f"/v2/meetings/{UNKNOWN}/registrants/status",
    ),
    (
        "DELETE",
        "/meetings/{meetingId}/registrants/{registrantId}",
        f"/v2/meetings/{UNKNOWN}/registrants/someone",
    ),
    ("GET", "/past_meetings/{meetingId}", f"/v2/past_meetings/{UNKNOWN}"),
    ("GET", "/past_meetings/{meetingId}/instances", f"/v2/past_meetings/{UNKNOWN}/instances"),
    (
        "GET",
        "/past_meetings/{meetingId}/participants",
        f"/v2/past_meetings/{UNKNOWN}/participants",
    ),
    (
        "GET",
        "/report/meetings/{meetingId}/participants",
        f"/v2/report/meetings/{UNKNOWN}/participants",
    ),
    ("GET", "/meetings/{meetingId}/recordings", f"/v2/meetings/{UNKNOWN}/recordings"),
    ("DELETE", "/meetings/{meetingId}/recordings", f"/v2/meetings/{UNKNOWN}/recordings"),
    (
        "DELETE",
        "/meetings/{meetingId}/recordings/{recordingId}",
        f"/v2/meetings/{UNKNOWN}/recordings/some-file",
    ),
]


def spec_rate_limit_label(method: str, path: str) -> str:
    name = USERS_SPEC if path in USERS_SPEC_PATHS else MEETINGS_SPEC
    document = json.loads((SHARED / name).read_text(encoding="utf-8"))
    description = document["paths"][path][method.lower()].get("description", "")
    label = re.search(r"Rate Limit Label[^`]*`([A-Z-]+)`", description)
    assert label is not None, f"the spec names no rate-limit label for {method} {path}"
    return label.group(1).capitalize()


@pytest.mark.parametrize(("method", "path", "url"), OPERATIONS, ids=lambda v: str(v))
def test_every_endpoint_counts_in_the_category_its_spec_names(
    zoomsim: LiveZoomsim, method: str, path: str, url: str
) -> None:
    scopes = [*zoomsim.state.apps["campus-client-id"].scopes, "meeting:delete:registrant:admin"]
    with zoomsim.client(zoomsim.token("acme-admin", scopes=scopes)) as client:
        response = client.request(method, url, json={} if method in ("POST", "PATCH") else None)
    assert response.status_code < 500, response.text
    assert response.headers["X-RateLimit-Category"] == spec_rate_limit_label(method, path)
