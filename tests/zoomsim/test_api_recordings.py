"""Cloud recordings: the list, downloads like zoom.us serves them (redirect, Range, tokens), and
trash/delete."""

from __future__ import annotations

import hashlib
import tracemalloc
from pathlib import Path
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
    run,
    set_knobs,
    wait_for_event,
)
from tests.zoomsim.openapi_check import assert_matches_spec

# These tests are about what recordings hold, so the data is ready when the meeting ends; the
# tests of the wait set the delays themselves.
pytestmark = pytest.mark.usefixtures("processed_at_once")

LIST = "/meetings/{meetingId}/recordings"
FILE = "/meetings/{meetingId}/recordings/{recordingId}"
FIXTURE = Path(__file__).resolve().parents[2] / "src" / "zoomsim" / "fixtures" / "recording.mp4"


def recorded_run(api: httpx.Client, control: httpx.Client) -> tuple[int, dict[str, Any]]:
    meeting_id = recorded_meeting(api)
    people = [{"user_id": "acme-host"}, {"guest_name": "Sam Student", "segments": [[2, 20]]}]
    return meeting_id, run(control, meeting_id, people, duration_minutes=30)


def recordings(api: httpx.Client, ref: str | int, **params: Any) -> httpx.Response:
    response = api.get(f"/v2/meetings/{ref}/recordings", params=params)
    assert_matches_spec(response, "GET", LIST)
    return response


def by_type(body: dict[str, Any], file_type: str) -> dict[str, Any]:
    found: dict[str, Any] = next(f for f in body["recording_files"] if f["file_type"] == file_type)
    return found


def test_recordings_of_the_latest_instance(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id, result = recorded_run(api, control)
    response = recordings(api, meeting_id)
    assert response.status_code == 200
    body = response.json()
    assert (body["uuid"], body["id"], body["account_id"]) == (
        result["uuid"],
        meeting_id,
        "acct-acme",
    )
    assert (body["host_id"], body["duration"], body["type"]) == ("acme-host", 30, "2")
    assert body["recording_count"] == 3
    assert body["total_size"] == sum(f["file_size"] for f in body["recording_files"])
    assert body["password"]
    assert body["recording_play_passcode"]
    assert body["share_url"]
    mp4 = by_type(body, "MP4")
    assert mp4["file_size"] == FIXTURE.stat().st_size
    assert mp4["download_url"] == f"{api.base_url}/rec/download/{mp4['id']}"
    assert (mp4["status"], mp4["meeting_id"]) == ("completed", result["uuid"])
    assert (mp4["recording_start"], mp4["recording_end"]) == (
        result["start_time"],
        result["end_time"],
    )
    assert "download_access_token" not in body
    assert recordings(api, path_uuid(result["uuid"])).json() == body


def test_files_are_not_listed_while_processing(api: httpx.Client, control: httpx.Client) -> None:
    set_knobs(control, recording_delay=1800)
    meeting_id, _ = recorded_run(api, control)
    processing = recordings(api, meeting_id)
    assert processing.status_code == 404
    assert processing.json() == {"code": 3301, "message": "There is no recording for this meeting."}
    advance(control, 1800)
    assert recordings(api, meeting_id).json()["recording_count"] == 3


def test_no_recording_and_other_accounts_are_3301(
    api: httpx.Client, control: httpx.Client, zoomsim: LiveZoomsim
) -> None:
    unrecorded = recorded_meeting(api, auto_recording="none")
    run(control, unrecorded, [{"user_id": "acme-host"}], 30)
    assert recordings(api, unrecorded).json()["code"] == 3301
    meeting_id, _ = recorded_run(api, control)
    with zoomsim.client(zoomsim.token("globex-admin")) as globex:
        response = globex.get(f"/v2/meetings/{meeting_id}/recordings")
    assert_matches_spec(response, "GET", LIST)
    assert (response.status_code, response.json()["code"]) == (404, 3301)


def test_download_redirects_to_a_signed_url_that_serves_the_fixture(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id, _ = recorded_run(api, control)
    mp4 = by_type(recordings(api, meeting_id).json(), "MP4")
    redirect = api.get(mp4["download_url"])
    assert redirect.status_code == 302
    signed = redirect.headers["location"]
    assert "/rec/file/" in signed
    assert "sig=" in signed

    with httpx.Client() as anonymous:  # the signed URL needs no credentials
        whole = anonymous.get(signed)
        assert whole.status_code == 200
        assert whole.headers["content-type"] == "video/mp4"
        assert int(whole.headers["content-length"]) == FIXTURE.stat().st_size
        assert whole.content == FIXTURE.read_bytes()

        part = anonymous.get(signed, headers={"Range": "bytes=100-199"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100-199/{FIXTURE.stat().st_size}"
        assert part.content == FIXTURE.read_bytes()[100:200]
        tail = anonymous.get(signed, headers={"Range": "bytes=-10"})
        assert tail.content == FIXTURE.read_bytes()[-10:]

        beyond = anonymous.get(signed, headers={"Range": "bytes=99999999-"})
        assert beyond.status_code == 416
        assert beyond.headers["content-range"] == f"bytes */{FIXTURE.stat().st_size}"

        advance(control, 11 * 60)  # signed URLs are short-lived
        assert anonymous.get(signed).status_code == 403


def test_transcript_and_chat_name_the_participants(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id, _ = recorded_run(api, control)
    body = recordings(api, meeting_id).json()
    for file_type, content_type, opening in (
        ("TRANSCRIPT", "text/vtt", "WEBVTT"),
        ("CHAT", "text/plain", "00:00:02 From  Hal Host  to  Everyone:"),
    ):
        listed = by_type(body, file_type)
        response = api.get(listed["download_url"], follow_redirects=True)
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(content_type)
        assert len(response.content) == listed["file_size"]
        assert response.text.startswith(opening)
        assert "Sam Student" in response.text


def test_download_tokens_from_the_webhook_and_the_api_go_in_the_header(
    api: httpx.Client, control: httpx.Client, zoomsim: LiveZoomsim
) -> None:
    meeting_id, _ = recorded_run(api, control)
    webhook_token = wait_for_event(control, "recording.completed")["download_token"]
    body = recordings(api, meeting_id, include_fields="download_access_token").json()
    api_token = body["download_access_token"]
    url = by_type(body, "MP4")["download_url"]

    with httpx.Client() as anonymous:
        assert anonymous.get(url).json() == {"code": 124, "message": "Requires an access token."}
        for token in (webhook_token, api_token):
            as_bearer = anonymous.get(
                url, headers={"Authorization": f"Bearer {token}"}, follow_redirects=True
            )
            assert as_bearer.content == FIXTURE.read_bytes()
        forged = anonymous.get(url, headers={"Authorization": "Bearer forged"})
        assert forged.json() == {"code": 124, "message": "Invalid access token."}

        with zoomsim.client(zoomsim.token("globex-admin")) as globex:
            assert globex.get(url).status_code == 404  # another account's recording

        advance(control, 24 * 3600 + 1)  # the webhook's download_token lasts 24 hours
        expired = anonymous.get(url, headers={"Authorization": f"Bearer {webhook_token}"})
        assert expired.json() == {"code": 124, "message": "Access token is expired."}


def test_a_token_in_the_download_url_is_refused_as_zoom_does_since_2023(
    api: httpx.Client, control: httpx.Client
) -> None:
    # Zoom's "Access token change FAQ": from 14 Feb 2023 tokens go only in the Authorization
    # header, recording.completed's download_token included; one in the URL gets 401/124.
    meeting_id, _ = recorded_run(api, control)
    webhook_token = wait_for_event(control, "recording.completed")["download_token"]
    body = recordings(api, meeting_id, include_fields="download_access_token").json()
    url = by_type(body, "MP4")["download_url"]
    api_token = api.headers["Authorization"].removeprefix("Bearer ")
    invalid = {"code": 124, "message": "Invalid access token."}
    with httpx.Client() as anonymous:
        for token in (webhook_token, body["download_access_token"], api_token):
            by_query = anonymous.get(url, params={"access_token": token})
            assert (by_query.status_code, by_query.json()) == (401, invalid)
    # Not even beside a good header: the token in the URL is what fails.
    both = api.get(url, params={"access_token": webhook_token})
    assert (both.status_code, both.json()) == (401, invalid)


def _expected_generated(file_id: str, start: int, stop: int) -> bytes:
    """The documented content of a generated recording (zoomsim.media.generated_bytes)."""
    block = b"".join(hashlib.sha256(f"{file_id}:{k}".encode()).digest() for k in range(2048))
    return bytes(block[i % len(block)] for i in range(start, stop))


def test_large_recordings_are_generated_and_streamed(
    api: httpx.Client, control: httpx.Client
) -> None:
    size = 3 * 1024 * 1024 + 17
    set_knobs(control, large_recording_bytes=size)
    meeting_id, _ = recorded_run(api, control)
    mp4 = by_type(recordings(api, meeting_id).json(), "MP4")
    assert mp4["file_size"] == size

    digest = hashlib.sha256()
    with api.stream("GET", mp4["download_url"], follow_redirects=True) as response:
        assert response.status_code == 200
        assert int(response.headers["content-length"]) == size
        for chunk in response.iter_bytes():
            digest.update(chunk)
    assert digest.hexdigest() == hashlib.sha256(_expected_generated(mp4["id"], 0, size)).hexdigest()

    start = 2 * 1024 * 1024 - 5
    part = api.get(
        mp4["download_url"], headers={"Range": f"bytes={start}-{start + 99}"}, follow_redirects=True
    )
    assert part.status_code == 206
    assert part.content == _expected_generated(mp4["id"], start, start + 100)


def test_large_recordings_are_never_held_in_memory(
    api: httpx.Client, control: httpx.Client
) -> None:
    # zoomsim serves from this test process, so tracemalloc sees the server's allocations too: a
    # file joined in memory anywhere on its way out would show as a peak of its whole size.
    size = 64 * 1024 * 1024
    set_knobs(control, large_recording_bytes=size)
    meeting_id, _ = recorded_run(api, control)
    mp4 = by_type(recordings(api, meeting_id).json(), "MP4")
    received = 0
    tracemalloc.start()
    try:
        with api.stream("GET", mp4["download_url"], follow_redirects=True) as response:
            for chunk in response.iter_bytes():
                received += len(chunk)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert received == size
    assert peak < size // 8, f"peak {peak} bytes while streaming {size}"


def test_slashy_uuid_recordings_need_double_encoding(
    api: httpx.Client, control: httpx.Client
) -> None:
    set_knobs(control, slashy_uuids=True)
    _, result = recorded_run(api, control)
    single = api.get(f"/v2/meetings/{quote(result['uuid'], safe='')}/recordings")
    assert single.status_code == 404
    assert recordings(api, double_encoded(result["uuid"])).json()["uuid"] == result["uuid"]


def test_trash_all_recordings_of_an_instance(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id, _ = recorded_run(api, control)
    response = api.delete(f"/v2/meetings/{meeting_id}/recordings")
    # Zoom answers 204 (reference §2; the 2025 spec says 200): openapi_check.REAL_STATUSES.
    assert_matches_spec(response, "DELETE", LIST)
    assert (response.status_code, response.content) == (204, b"")
    assert recordings(api, meeting_id).json()["code"] == 3301
    again = api.delete(f"/v2/meetings/{meeting_id}/recordings", params={"action": "delete"})
    assert_matches_spec(again, "DELETE", LIST)
    assert (again.status_code, again.json()["code"]) == (404, 3301)


def test_delete_one_file(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id, result = recorded_run(api, control)
    chat = by_type(recordings(api, meeting_id).json(), "CHAT")
    bad = api.delete(f"/v2/meetings/{meeting_id}/recordings/{chat['id']}", params={"action": "x"})
    assert_matches_spec(bad, "DELETE", FILE)
    assert (bad.status_code, bad.json()["code"]) == (400, 300)

    response = api.delete(
        f"/v2/meetings/{path_uuid(result['uuid'])}/recordings/{chat['id']}",
        params={"action": "delete"},
    )
    assert_matches_spec(response, "DELETE", FILE)
    assert (response.status_code, response.content) == (204, b"")
    left = recordings(api, meeting_id).json()
    assert {f["file_type"] for f in left["recording_files"]} == {"MP4", "TRANSCRIPT"}
    assert api.get(chat["download_url"]).status_code == 404

    gone = api.delete(f"/v2/meetings/{meeting_id}/recordings/{chat['id']}")
    assert_matches_spec(gone, "DELETE", FILE)
    assert (gone.status_code, gone.json()["code"]) == (404, 3301)


def test_deleting_from_a_running_instance_is_3303(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id, _ = recorded_run(api, control)
    mp4 = by_type(recordings(api, meeting_id).json(), "MP4")
    assert control.post(f"/_sim/meetings/{meeting_id}/start").status_code == 201
    response = api.delete(f"/v2/meetings/{meeting_id}/recordings/{mp4['id']}")
    assert_matches_spec(response, "DELETE", FILE)
    assert response.status_code == 400
    assert response.json() == {
        "code": 3303,
        "message": "You can not delete an uncompleted meeting.",
    }


def test_play_url_shows_the_recording_behind_its_passcode(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id, _ = recorded_run(api, control)
    body = recordings(api, meeting_id).json()
    mp4 = by_type(body, "MP4")
    with httpx.Client() as anonymous:
        asked = anonymous.get(mp4["play_url"])
        assert asked.status_code == 200
        assert "Passcode" in asked.text
        assert "<video" not in asked.text
        wrong = anonymous.get(mp4["play_url"], params={"pwd": "wrong"})
        assert wrong.status_code == 401
        shown = anonymous.get(mp4["play_url"], params={"pwd": body["recording_play_passcode"]})
        assert "<video" in shown.text
        assert "/rec/file/" in shown.text
        shared = anonymous.get(body["share_url"], params={"pwd": body["recording_play_passcode"]})
        assert "<video" in shared.text
