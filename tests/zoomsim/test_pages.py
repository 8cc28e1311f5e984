"""The pages for running meetings by hand (/sim/) and the join links a person opens (/w/, /j/)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_calls import add_registrant, get_meeting
from tests.zoomsim.meeting_runs import recorded_meeting, sim_path_uuid


@pytest.fixture
def browser(zoomsim: LiveZoomsim) -> Iterator[httpx.Client]:
    """What a person's browser does: no credentials, forms, redirects it follows by itself."""
    with zoomsim.client() as client:
        yield client


def current_uuid(api: httpx.Client, meeting_id: int) -> str:
    uuid: str = get_meeting(api, meeting_id).json()["uuid"]
    return uuid


def instance(browser: httpx.Client, uuid: str) -> dict[str, Any]:
    response = browser.get(f"/_sim/instances/{sim_path_uuid(uuid)}")
    assert response.status_code == 200
    found: dict[str, Any] = response.json()
    return found


def test_run_a_meeting_by_hand(api: httpx.Client, browser: httpx.Client) -> None:
    meeting_id = recorded_meeting(api, topic="Poetry hour")
    registration = add_registrant(api, meeting_id, "lea@campus.test", first_name="Lea")
    lea = registration.json()["registrant_id"]

    page = browser.get("/sim/")
    assert page.status_code == 200
    assert "text/html" in page.headers["content-type"]
    assert "Acme University" in page.text
    assert f"/sim/meetings/{meeting_id}/start" in page.text
    assert "+1 hour" in page.text

    started = browser.post(f"/sim/meetings/{meeting_id}/start")
    assert (started.status_code, started.headers["location"]) == (303, "/sim/")
    uuid = current_uuid(api, meeting_id)
    assert get_meeting(api, meeting_id).json()["status"] == "started"
    page = browser.get("/sim/").text
    assert "Join as registrant" in page
    assert lea in page

    join_url = f"/sim/instances/{sim_path_uuid(uuid)}/join"
    for form in (
        {"kind": "registrant", "registrant_id": lea},
        {"kind": "user", "user_id": "acme-cohost"},
        {"kind": "guest", "guest_name": "Sam"},
        {"kind": "guest", "guest_name": "Sam"},
    ):
        assert browser.post(join_url, data=form).status_code == 303
    segments = instance(browser, uuid)["segments"]
    assert segments[0]["registrant_id"] == lea
    assert segments[1]["participant_user_id"] == "acme-cohost"
    sams = [s for s in segments if s["name"] == "Sam"]
    assert len({s["person_key"] for s in sams}) == 2  # same name, two people

    assert browser.post(f"/sim/segments/{segments[0]['id']}/leave").status_code == 303
    assert instance(browser, uuid)["segments"][0]["leave_time"] is not None
    assert browser.post(f"/sim/instances/{sim_path_uuid(uuid)}/end").status_code == 303
    ended = instance(browser, uuid)
    assert ended["end_time"] is not None
    assert all(s["leave_time"] for s in ended["segments"])
    assert get_meeting(api, meeting_id).json()["status"] == "waiting"


def test_the_page_says_when_zoom_will_have_processed_an_ended_meeting(
    api: httpx.Client, browser: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api, topic="Poetry hour")
    people = [{"user_id": "acme-host"}, {"guest_name": "Sam"}]
    ran = browser.post(f"/_sim/meetings/{meeting_id}/run", json={"participants": people})
    assert ran.status_code == 201
    ended = ran.json()
    page = browser.get("/sim/").text
    assert f"report processing until {ended['report_available_at']}" in page
    assert "recording processing until" in page
    assert browser.post("/sim/clock/advance", data={"step": "hour"}).status_code == 303
    page = browser.get("/sim/").text
    assert "report ready · recording ready" in page


def test_refusals_come_back_as_a_message_on_the_page(
    api: httpx.Client, browser: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    browser.post(f"/sim/meetings/{meeting_id}/start")
    again = browser.post(f"/sim/meetings/{meeting_id}/start")
    assert again.status_code == 303
    error = parse_qs(urlsplit(again.headers["location"]).query)["error"][0]
    assert "already in progress" in error
    page = browser.get(again.headers["location"])
    assert "already in progress" in page.text

    uuid = current_uuid(api, meeting_id)
    blank = browser.post(f"/sim/instances/{sim_path_uuid(uuid)}/join", data={"kind": "guest"})
    assert "error=" in blank.headers["location"]
    assert instance(browser, uuid)["segments"] == []


def test_clock_buttons_move_the_clock(browser: httpx.Client) -> None:
    before = browser.get("/_sim/clock").json()["now"]
    assert browser.post("/sim/clock/advance", data={"step": "hour"}).status_code == 303
    assert browser.post("/sim/clock/advance", data={"step": "day"}).status_code == 303
    after = browser.get("/_sim/clock").json()["now"]
    assert 25 * 3600 <= after - before < 25 * 3600 + 30
    unknown = browser.post("/sim/clock/advance", data={"step": "year"})
    assert "error=" in unknown.headers["location"]


def test_personal_join_link_joins_that_registrant(api: httpx.Client, browser: httpx.Client) -> None:
    meeting_id = recorded_meeting(api, topic="Poetry hour")
    registration = add_registrant(
        api, meeting_id, "lea@campus.test", first_name="Lea", last_name="Learner"
    ).json()
    join_url = registration["join_url"]
    link = urlsplit(join_url)
    assert link.path == f"/w/{meeting_id}"

    waiting = browser.get(join_url)
    assert waiting.status_code == 200
    assert "has not started" in waiting.text

    browser.post(f"/sim/meetings/{meeting_id}/start")
    page = browser.get(join_url)
    assert "You are joining Poetry hour as Lea Learner" in page.text
    token = parse_qs(link.query)["tk"][0]
    joined = browser.post(f"/w/{meeting_id}", data={"tk": token})
    assert joined.status_code == 200
    assert "You are in Poetry hour" in joined.text

    [segment] = instance(browser, current_uuid(api, meeting_id))["segments"]
    assert segment["registrant_id"] == registration["registrant_id"]
    assert (segment["name"], segment["email"]) == ("Lea Learner", "lea@campus.test")

    left = browser.post(f"/w/{meeting_id}/leave", data={"segment": segment["id"]})
    assert "You left Poetry hour" in left.text
    assert instance(browser, current_uuid(api, meeting_id))["segments"][0]["leave_time"]

    forged = browser.get(f"/w/{meeting_id}", params={"tk": "forged"})
    assert forged.status_code == 404
    assert browser.post(f"/w/{meeting_id}", data={"tk": "forged"}).status_code == 404


def test_guest_link_asks_for_a_name(api: httpx.Client, browser: httpx.Client) -> None:
    meeting_id = recorded_meeting(api, topic="Open lecture")
    assert "has not started" in browser.get(f"/j/{meeting_id}").text
    browser.post(f"/sim/meetings/{meeting_id}/start")

    form = browser.get(f"/j/{meeting_id}")
    assert form.status_code == 200
    assert 'name="name"' in form.text or "name=name" in form.text
    joined = browser.post(f"/j/{meeting_id}", data={"name": "Visiting Vera"})
    assert "You are in Open lecture" in joined.text
    [segment] = instance(browser, current_uuid(api, meeting_id))["segments"]
    assert (segment["name"], segment["email"], segment["participant_user_id"]) == (
        "Visiting Vera",
        "",
        "",
    )
    assert browser.post(f"/j/{meeting_id}", data={"name": ""}).status_code == 400
    assert browser.get("/j/123").status_code == 404


def test_pages_handle_uuids_with_slashes(api: httpx.Client, browser: httpx.Client) -> None:
    assert browser.patch("/_sim/knobs", json={"slashy_uuids": True}).status_code == 200
    meeting_id = recorded_meeting(api)
    browser.post(f"/sim/meetings/{meeting_id}/start")
    uuid = current_uuid(api, meeting_id)
    assert uuid.startswith("/") or "//" in uuid
    assert f"/sim/instances/{sim_path_uuid(uuid)}/join" in browser.get("/sim/").text
    joined = browser.post(
        f"/sim/instances/{sim_path_uuid(uuid)}/join", data={"kind": "guest", "guest_name": "Sam"}
    )
    assert joined.headers["location"] == "/sim/"
    assert browser.post(f"/sim/instances/{sim_path_uuid(uuid)}/end").headers["location"] == "/sim/"
    assert instance(browser, uuid)["end_time"] is not None
