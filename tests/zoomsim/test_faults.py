"""Injected faults over HTTP: the next N calls fail, a random failure rate, a random timeout
rate, latency, dropped connections, and the account-side trouble (revoked tokens, uninstall) the
control API causes."""

from __future__ import annotations

import time

import httpx
import pytest

from tests.support.webhook_receiver import WebhookReceiver, point_app_at
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.oauth_flow import refresh
from tests.zoomsim.openapi_check import assert_matches_spec


def test_the_next_n_matching_calls_fail_then_calls_work_again(
    api: httpx.Client, control: httpx.Client
) -> None:
    response = control.post(
        "/_sim/faults",
        json={"path": "^/v2/users/me$", "count": 2, "status": 400, "code": 3000, "message": "No"},
    )
    assert response.status_code == 201
    fault_id = response.json()["id"]

    assert api.get("/v2/users/acme-host").status_code == 200  # another path is untouched
    for _ in range(2):
        failed = api.get("/v2/users/me")
        assert failed.status_code == 400
        assert failed.json() == {"code": 3000, "message": "No"}  # the code given, not the status
    assert api.get("/v2/users/me").status_code == 200
    assert all(f["id"] != fault_id for f in control.get("/_sim/faults").json()["faults"])


def test_a_fault_can_be_limited_to_a_method_and_carry_retry_after(
    api: httpx.Client, control: httpx.Client
) -> None:
    control.post(
        "/_sim/faults",
        json={
            "path": "/v2/users/",
            "method": "post",
            "status": 429,
            "code": 429,
            "retry_after": "2030-01-01T00:00:00Z",
        },
    )
    assert api.get("/v2/users/me").status_code == 200  # GET does not match a POST fault
    [rule] = control.get("/_sim/faults").json()["faults"]
    assert (rule["method"], rule["count"]) == ("POST", 1)
    control.delete("/_sim/faults")
    assert control.get("/_sim/faults").json()["faults"] == []

    control.post(
        "/_sim/faults",
        json={"path": "/v2/users/", "status": 429, "retry_after": "2030-01-01T00:00:00Z"},
    )
    limited = api.get("/v2/users/me")
    assert limited.status_code == 429
    assert limited.headers["retry-after"] == "2030-01-01T00:00:00Z"
    assert limited.json()["code"] == 429
    assert_matches_spec(limited, "GET", "/users/{userId}")


def test_count_minus_one_fails_until_the_fault_is_removed(
    api: httpx.Client, control: httpx.Client
) -> None:
    fault_id = control.post("/_sim/faults", json={"path": "/v2/", "count": -1}).json()["id"]
    assert [api.get("/v2/users/me").status_code for _ in range(5)] == [500] * 5
    assert control.delete(f"/_sim/faults/{fault_id}").status_code == 200
    assert api.get("/v2/users/me").status_code == 200
    assert control.delete(f"/_sim/faults/{fault_id}").status_code == 404


def test_failure_rate_one_fails_everything_and_zero_nothing(
    api: httpx.Client, control: httpx.Client
) -> None:
    control.patch("/_sim/knobs", json={"failure_rate": 1.0})
    statuses = {api.get("/v2/users/me").status_code for _ in range(20)}
    assert statuses == {500}
    assert control.get("/_sim/health").status_code == 200  # the control API never fails

    control.patch("/_sim/knobs", json={"failure_rate": 0})
    statuses = {api.get("/v2/users/me").status_code for _ in range(20)}
    assert statuses == {200}


def test_timeout_rate_holds_calls_past_the_clients_patience_and_acts_on_none(
    api: httpx.Client, control: httpx.Client
) -> None:
    control.patch("/_sim/knobs", json={"timeout_rate": 1.0, "timeout_seconds": 0.6})
    meetings_before = len(control.get("/_sim/meetings").json()["meetings"])
    create = {"topic": "Never made", "type": 2, "start_time": "2030-01-01T10:00:00Z"}

    started = time.monotonic()
    with pytest.raises(httpx.ReadTimeout):
        api.post("/v2/users/me/meetings", json=create, timeout=httpx.Timeout(5.0, read=0.2))
    assert time.monotonic() - started < 0.5  # the client gave up; zoomsim had not answered
    started = time.monotonic()
    patient = api.post("/v2/users/me/meetings", json=create, timeout=5.0)
    assert patient.status_code == 504  # whoever waits longer gets zoomsim giving up
    assert time.monotonic() - started >= 0.55
    assert control.get("/_sim/health").status_code == 200  # the control API never waits
    assert len(control.get("/_sim/meetings").json()["meetings"]) == meetings_before  # none made

    control.patch("/_sim/knobs", json={"timeout_rate": 0})
    assert api.get("/v2/users/me", timeout=httpx.Timeout(5.0, read=0.2)).status_code == 200
    assert control.patch("/_sim/knobs", json={"timeout_rate": 1.5}).status_code == 400


def test_latency_adds_measurable_delay(api: httpx.Client, control: httpx.Client) -> None:
    api.get("/v2/users/me")  # connection open, so only the server's time is measured
    started = time.monotonic()
    api.get("/v2/users/me")
    baseline = time.monotonic() - started

    control.patch("/_sim/knobs", json={"latency_ms": 300, "jitter_ms": 50})
    started = time.monotonic()
    assert api.get("/v2/users/me").status_code == 200
    slowed = time.monotonic() - started
    assert slowed >= 0.25
    assert slowed - baseline >= 0.2

    started = time.monotonic()
    control.get("/_sim/knobs")
    assert time.monotonic() - started < 0.2  # the control API is not slowed down


def test_jitter_spreads_the_added_latency(api: httpx.Client, control: httpx.Client) -> None:
    api.get("/v2/users/me")  # connection open
    control.patch("/_sim/knobs", json={"latency_ms": 100, "jitter_ms": 100})
    delays = []
    for _ in range(8):
        started = time.monotonic()
        assert api.get("/v2/users/me").status_code == 200
        delays.append(time.monotonic() - started)
    # Uniform in 0-200 ms: eight calls all within 40 ms of each other is about a 1-in-10,000 draw.
    assert max(delays) - min(delays) > 0.04, delays
    assert max(delays) < 0.2 + 0.15, delays


def test_drop_connection_breaks_the_response_mid_way(
    api: httpx.Client, control: httpx.Client
) -> None:
    control.post("/_sim/faults", json={"path": "/v2/users/me", "drop_connection": True})
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.get("/v2/users/me")
    assert api.get("/v2/users/me").status_code == 200  # the next call gets through


def test_bad_fault_requests_are_400_and_add_nothing(control: httpx.Client) -> None:
    bad_bodies = [
        {},
        {"path": "("},
        {"path": "/v2/", "count": 0},
        {"path": "/v2/", "count": "2"},
        {"path": "/v2/", "status": 200},
        {"path": "/v2/", "method": "FETCH"},
        {"path": "/v2/", "drop_connection": "yes"},
        {"path": "/v2/", "colour": "red"},
    ]
    for body in bad_bodies:
        response = control.post("/_sim/faults", json=body)
        assert response.status_code == 400, body
        assert set(response.json()) == {"code", "message"}
    not_json = control.post("/_sim/faults", content=b"{nope")
    assert not_json.status_code == 400
    assert control.get("/_sim/faults").json()["faults"] == []


def mint_with_refresh(control: httpx.Client) -> dict[str, str]:
    response = control.post(
        "/_sim/tokens",
        json={"client_id": "campus-client-id", "user_id": "acme-admin", "refresh": True},
    )
    assert response.status_code == 201
    minted: dict[str, str] = response.json()
    return minted


def test_revoked_tokens_get_401_124_and_refresh_is_refused(
    zoomsim: LiveZoomsim, control: httpx.Client
) -> None:
    minted = mint_with_refresh(control)
    with zoomsim.client(minted["access_token"]) as api:
        assert api.get("/v2/users/me").status_code == 200
        response = control.post("/_sim/apps/campus-client-id/accounts/acct-acme/revoke-tokens")
        assert response.status_code == 200
        assert response.json()["tokens_revoked"] == 1
        revoked = api.get("/v2/users/me")
    assert revoked.status_code == 401
    assert revoked.json() == {"code": 124, "message": "Invalid access token."}
    refused = refresh(zoomsim, minted["refresh_token"])
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_expire_refresh_tokens_leaves_access_tokens_working(
    zoomsim: LiveZoomsim, control: httpx.Client
) -> None:
    minted = mint_with_refresh(control)
    response = control.post("/_sim/apps/campus-client-id/accounts/acct-acme/expire-refresh-tokens")
    assert response.json() == {"refresh_tokens_expired": 1}
    with zoomsim.client(minted["access_token"]) as client:
        assert client.get("/v2/users/me").status_code == 200
    refused = refresh(zoomsim, minted["refresh_token"])
    assert refused.status_code == 400
    assert refused.json()["error"] == "invalid_grant"


def test_uninstall_kills_tokens_and_sends_app_deauthorized(
    zoomsim: LiveZoomsim, api: httpx.Client, control: httpx.Client
) -> None:
    with WebhookReceiver("deauth-secret") as receiver:
        point_app_at(zoomsim.state, receiver)
        response = control.post("/_sim/apps/campus-client-id/accounts/acct-acme/uninstall")
        assert response.status_code == 200
        assert response.json()["tokens_revoked"] == 1
        [request] = receiver.wait_for(1)

    event = request.json()
    assert event["event"] == "app_deauthorized"
    assert event["payload"]["account_id"] == "acct-acme"
    assert api.get("/v2/users/me").json()["code"] == 124
    [installation] = [
        i
        for i in control.get("/_sim/installations").json()["installations"]
        if i["account_id"] == "acct-acme" and i["client_id"] == "campus-client-id"
    ]
    assert installation["active"] is False
    again = control.post("/_sim/apps/campus-client-id/accounts/acct-acme/uninstall")
    assert again.status_code == 409


def test_token_trouble_for_unknown_apps_accounts_or_installations_is_404(
    control: httpx.Client,
) -> None:
    for path in (
        "/_sim/apps/nope/accounts/acct-acme/revoke-tokens",
        "/_sim/apps/campus-client-id/accounts/nope/revoke-tokens",
        "/_sim/apps/campus-client-id/accounts/acct-globex/uninstall",  # never installed there
    ):
        response = control.post(path)
        assert response.status_code == 404, path
        assert response.json()["code"] == 404
