"""The control API under /_sim/: knobs, clock, reset, tokens, ground truth; bad input is a 400
JSON answer that changes nothing."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.zoomsim_server import TEST_SEED, LiveZoomsim
from tests.zoomsim.meeting_runs import advance, recorded_meeting, registrant, run


def test_health(control: httpx.Client) -> None:
    response = control.get("/_sim/health")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_knobs_read_and_patch(control: httpx.Client) -> None:
    knobs = control.get("/_sim/knobs").json()
    assert knobs["rate_limits"] is True
    assert knobs["webhook_timeout"] == 3.0

    response = control.patch(
        "/_sim/knobs", json={"rate_limits": False, "latency_ms": 5, "user_data_retention": "true"}
    )
    assert response.status_code == 200
    patched = control.get("/_sim/knobs").json()
    assert (patched["rate_limits"], patched["latency_ms"]) == (False, 5.0)
    assert patched["user_data_retention"] == "true"


@pytest.mark.parametrize(
    "body",
    [
        {"rate_limits": "no"},
        {"access_token_ttl": 1.5},
        {"access_token_ttl": True},
        {"failure_rate": 2},
        {"webhook_timeout": 0},
        {"user_data_retention": "maybe"},
        {"no_such_knob": 1},
        {"latency_ms": 10, "failure_rate": -1},  # one bad value: nothing changes
    ],
)
def test_bad_knobs_are_400_and_change_nothing(
    control: httpx.Client, body: dict[str, object]
) -> None:
    before = control.get("/_sim/knobs").json()
    response = control.patch("/_sim/knobs", json=body)
    assert response.status_code == 400
    assert set(response.json()) == {"code", "message"}
    assert control.get("/_sim/knobs").json() == before


def test_non_json_bodies_are_400(control: httpx.Client) -> None:
    for content in (b"not json", b"[1, 2]", b"\xff\xfe"):
        response = control.patch("/_sim/knobs", content=content)
        assert response.status_code == 400
        assert response.json()["code"] == 400


def test_clock_freeze_advance_unfreeze(api: httpx.Client, control: httpx.Client) -> None:
    frozen = control.post("/_sim/clock/freeze").json()
    assert frozen["frozen"] is True
    assert control.get("/_sim/clock").json()["now"] == frozen["now"]

    month = 31 * 24 * 3600
    advanced = control.post("/_sim/clock/advance", json={"seconds": month}).json()
    assert advanced["now"] == frozen["now"] + month
    # The token the `api` client uses lives 30 days: the API sees the moved clock.
    assert api.get("/v2/users/me").json() == {"code": 124, "message": "Access token is expired."}

    running = control.post("/_sim/clock/unfreeze").json()
    assert running["frozen"] is False
    assert running["now"] >= advanced["now"]


@pytest.mark.parametrize("body", [{}, {"seconds": -5}, {"seconds": "60"}, {"secs": 60}])
def test_bad_clock_advance_is_400_and_moves_nothing(
    control: httpx.Client, body: dict[str, object]
) -> None:
    before = control.post("/_sim/clock/freeze").json()["now"]
    assert control.post("/_sim/clock/advance", json=body).status_code == 400
    assert control.get("/_sim/clock").json()["now"] == before


def test_reset_goes_back_to_the_seed(zoomsim: LiveZoomsim, control: httpx.Client) -> None:
    zoomsim.sim.seed = json.loads(TEST_SEED.read_text())
    control.patch("/_sim/knobs", json={"rate_limits": False})
    control.post("/_sim/faults", json={"path": "/v2/"})
    control.post("/_sim/tokens", json={"client_id": "campus-client-id", "user_id": "acme-admin"})
    control.post("/_sim/clock/advance", json={"seconds": 86400})
    base_url = zoomsim.state.knobs.base_url

    assert control.post("/_sim/reset").json() == {"reset": True, "seeded": True}
    assert control.get("/_sim/knobs").json()["rate_limits"] is True
    assert control.get("/_sim/knobs").json()["base_url"] == base_url
    assert control.get("/_sim/faults").json()["faults"] == []
    assert control.get("/_sim/tokens").json()["tokens"] == []
    accounts = control.get("/_sim/accounts").json()["accounts"]
    assert {a["id"] for a in accounts} == {"acct-acme", "acct-globex"}


def test_minted_token_works_and_listing_shows_only_a_prefix(
    zoomsim: LiveZoomsim, control: httpx.Client
) -> None:
    response = control.post(
        "/_sim/tokens",
        json={"client_id": "acme-s2s-client-id", "user_id": "acme-admin", "ttl": 600},
    )
    assert response.status_code == 201
    minted = response.json()
    assert minted["token_type"] == "bearer"
    assert minted["expires_in"] == 600
    assert "refresh_token" not in minted
    with zoomsim.client(minted["access_token"]) as client:
        assert client.get("/v2/users/me").json()["id"] == "acme-admin"

    listing = control.get("/_sim/tokens")
    assert minted["access_token"] not in listing.text
    [token] = listing.json()["tokens"]
    assert minted["access_token"].startswith(token["access_token_prefix"].rstrip("…"))
    assert token["client_id"] == "acme-s2s-client-id"
    assert token["access_expired"] is False


@pytest.mark.parametrize(
    "body",
    [
        {"client_id": "nope", "user_id": "acme-admin"},
        {"client_id": "campus-client-id", "user_id": "nobody"},
        {"client_id": "acme-s2s-client-id", "user_id": "globex-admin"},  # other account
        {"client_id": "campus-client-id", "user_id": "acme-admin", "scopes": "user:read"},
        {"client_id": "campus-client-id", "user_id": "acme-admin", "ttl": 0},
    ],
)
def test_bad_token_requests_are_400_and_mint_nothing(
    control: httpx.Client, body: dict[str, object]
) -> None:
    assert control.post("/_sim/tokens", json=body).status_code == 400
    assert control.get("/_sim/tokens").json()["tokens"] == []


def test_ground_truth_reads(zoomsim: LiveZoomsim, control: httpx.Client) -> None:
    zoomsim.token("acme-admin")
    users = control.get("/_sim/users", params={"account_id": "acct-globex"}).json()["users"]
    assert {u["account_id"] for u in users} == {"acct-globex"}
    assert all(u["password"] == "…" for u in users)

    [installation] = control.get("/_sim/installations").json()["installations"][-1:]
    assert installation["client_id"] == "campus-client-id"

    apps = control.get("/_sim/apps")
    assert "campus-client-secret" not in apps.text
    assert "campus-webhook-secret" not in apps.text

    for path in ("/_sim/meetings", "/_sim/instances", "/_sim/segments", "/_sim/recordings"):
        response = control.get(path)
        assert response.status_code == 200, path
    assert control.get("/_sim/deliveries").json() == {"deliveries": []}
    assert "counters" in control.get("/_sim/ratelimits").json()


def test_ground_truth_reads_reject_bad_ids(control: httpx.Client) -> None:
    assert control.get("/_sim/meetings/123/registrants").status_code == 404
    assert control.get("/_sim/meetings/abc/registrants").status_code == 400
    assert control.get("/_sim/instances", params={"meeting": "x"}).status_code == 400
    assert control.get("/_sim/recordings", params={"meeting": "x"}).status_code == 400


def test_app_webhook_url_can_be_repointed(control: httpx.Client) -> None:
    response = control.patch(
        "/_sim/apps/campus-client-id", json={"webhook_url": "http://127.0.0.1:9/hooks/"}
    )
    assert response.status_code == 200
    assert response.json()["webhook_url"] == "http://127.0.0.1:9/hooks/"
    for not_a_url in ("ftp://x", "http://", "http://[::1/hooks/", "http://" + "a" * 70_000):
        refused = control.patch("/_sim/apps/campus-client-id", json={"webhook_url": not_a_url})
        assert refused.status_code == 400, not_a_url[:20]
    assert control.get("/_sim/apps").json()["apps"][0]["webhook_url"] == "http://127.0.0.1:9/hooks/"
    assert control.patch("/_sim/apps/nope", json={}).status_code == 404


def test_app_redirect_urls_can_be_repointed_and_authorize_follows(
    control: httpx.Client, zoomsim: LiveZoomsim
) -> None:
    elsewhere = "http://127.0.0.1:8300/admin-tools/integrations/zoom/callback"
    authorize = {"response_type": "code", "client_id": "campus-client-id"}
    with zoomsim.client() as browser:
        before = browser.get("/oauth/authorize", params={**authorize, "redirect_uri": elsewhere})
    assert before.status_code == 400  # not a registered redirect URL yet

    response = control.patch("/_sim/apps/campus-client-id", json={"redirect_urls": [elsewhere]})

    assert response.status_code == 200
    assert response.json()["redirect_urls"] == [elsewhere]
    with zoomsim.client() as browser:
        after = browser.get("/oauth/authorize", params={**authorize, "redirect_uri": elsewhere})
    assert after.status_code == 200  # the sign-in form
    for bad in ("http://x", ["ftp://x"], [1], [elsewhere, "not a url"]):
        refused = control.patch("/_sim/apps/campus-client-id", json={"redirect_urls": bad})
        assert refused.status_code == 400, bad
    assert control.get("/_sim/apps").json()["apps"][0]["redirect_urls"] == [elsewhere]


def test_save_without_a_state_file_says_so(control: httpx.Client) -> None:
    assert control.post("/_sim/save").json() == {"saved": False, "path": None}


def test_tick_with_nothing_due(control: httpx.Client) -> None:
    assert control.post("/_sim/tick").json() == {"deliveries_attempted": 0}


def test_unknown_control_routes_and_methods_answer_json(control: httpx.Client) -> None:
    missing = control.get("/_sim/nothing-here")
    assert missing.status_code == 404
    assert missing.json()["code"] == 404
    wrong_method = control.delete("/_sim/knobs")
    assert wrong_method.status_code == 405
    assert wrong_method.json()["code"] == 405


def test_ground_truth_shows_deleted_meetings_with_their_reminders_and_registrants(
    api: httpx.Client, control: httpx.Client
) -> None:
    created = api.post(
        "/v2/users/acme-host/meetings",
        json={"topic": "Seminar", "type": 2, "settings": {"approval_type": 0}},
    )
    assert created.status_code == 201
    meeting_id = created.json()["id"]
    registrant = api.post(
        f"/v2/meetings/{meeting_id}/registrants",
        json={"email": "sam@student.test", "first_name": "Sam"},
    )
    assert registrant.status_code == 201
    deleted = api.delete(f"/v2/meetings/{meeting_id}", params={"cancel_meeting_reminder": "true"})
    assert deleted.status_code == 204

    [meeting] = control.get("/_sim/meetings").json()["meetings"]
    assert (meeting["id"], meeting["deleted"]) == (meeting_id, True)
    assert meeting["tracking"]["deleted_with"]["cancel_meeting_reminder"] is True
    [stored] = control.get(f"/_sim/meetings/{meeting_id}/registrants").json()["registrants"]
    assert stored["id"] == registrant.json()["registrant_id"]
    assert stored["email"] == "sam@student.test"


def test_ground_truth_reads_back_what_happened(api: httpx.Client, control: httpx.Client) -> None:
    today = control.get("/_sim/clock").json()["iso"][:10]
    meeting_id = recorded_meeting(api)
    lea = registrant(api, meeting_id, "lea@campus.test", "Lea", "Learner")
    people = [{"user_id": "acme-host"}, {"registrant_id": lea, "segments": [[0, 10], [20, 30]]}]
    first = run(control, meeting_id, people, 30)
    advance(control, 1800)
    second = run(control, meeting_id, [{"guest_name": "Sam"}, {"guest_name": "Sam"}], 30)

    instances = control.get("/_sim/instances", params={"meeting": meeting_id}).json()["instances"]
    assert {i["uuid"] for i in instances} == {first["uuid"], second["uuid"]}
    assert control.get("/_sim/instances", params={"meeting": "1"}).json() == {"instances": []}

    def segments(uuid: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = control.get(
            "/_sim/segments", params={"instance": uuid}
        ).json()["segments"]
        assert {s["instance_uuid"] for s in found} == {uuid}
        return found

    earlier = segments(first["uuid"])
    assert sorted(s["registrant_id"] for s in earlier) == ["", lea, lea]
    assert len({s["user_id"] for s in earlier}) == 3  # a new user_id on the rejoin
    sams = segments(second["uuid"])
    assert [s["name"] for s in sams] == ["Sam", "Sam"]
    assert len({s["person_key"] for s in sams}) == 2  # one name, two people

    files = control.get("/_sim/recordings", params={"meeting": meeting_id}).json()["recordings"]
    assert len(files) == 6  # MP4, transcript and chat of each run
    by_instance = control.get("/_sim/recordings", params={"instance": second["uuid"]}).json()
    assert {f["instance_uuid"] for f in by_instance["recordings"]} == {second["uuid"]}

    ended = control.get("/_sim/deliveries", params={"event": "meeting.ended"}).json()
    uuids = [d["payload"]["payload"]["object"]["uuid"] for d in ended["deliveries"]]
    assert uuids == [first["uuid"], second["uuid"]]

    counters = control.get("/_sim/ratelimits").json()["counters"]
    assert counters[f"host:acme-host:{today}"] == 1  # one create
    assert counters[f"registrant:{meeting_id}:lea@campus.test:{today}"] == 1
