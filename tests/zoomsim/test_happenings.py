"""Meetings that happen, driven through the control API: instances, joins, rejoins, leaves, ends,
and the webhooks Zoom sends for each."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.zoomsim.meeting_calls import get_meeting
from tests.zoomsim.meeting_runs import (
    advance,
    events,
    recorded_meeting,
    registrant,
    run,
    set_knobs,
    sim_path_uuid,
    wait_for_event,
)


def start(control: httpx.Client, meeting_id: int) -> str:
    response = control.post(f"/_sim/meetings/{meeting_id}/start")
    assert response.status_code == 201, response.text
    uuid: str = response.json()["uuid"]
    return uuid


def join(control: httpx.Client, uuid: str, **who: Any) -> dict[str, Any]:
    response = control.post(f"/_sim/instances/{sim_path_uuid(uuid)}/join", json=who)
    assert response.status_code == 201, response.text
    segment: dict[str, Any] = response.json()
    return segment


def end(control: httpx.Client, uuid: str) -> dict[str, Any]:
    response = control.post(f"/_sim/instances/{sim_path_uuid(uuid)}/end")
    assert response.status_code == 200, response.text
    instance: dict[str, Any] = response.json()
    return instance


def test_each_run_has_a_new_uuid_and_the_meeting_status_follows(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    first = start(control, meeting_id)
    meeting = get_meeting(api, meeting_id).json()
    assert (meeting["status"], meeting["uuid"]) == ("started", first)

    end(control, first)
    meeting = get_meeting(api, meeting_id).json()
    assert meeting["status"] == "waiting"
    assert meeting["uuid"] != first  # Zoom makes the next instance's UUID after each instance

    second = start(control, meeting_id)
    assert second not in (first, "")
    assert second == get_meeting(api, meeting_id).json()["uuid"]


def test_every_join_is_a_segment_with_a_new_user_id_and_the_same_person(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    lea = registrant(api, meeting_id, "lea@campus.test", "Lea", "Learner")
    uuid = start(control, meeting_id)

    first = join(control, uuid, registrant_id=lea)
    left = control.post(f"/_sim/segments/{first['id']}/leave")
    assert left.status_code == 200
    assert left.json()["leave_time"] is not None
    again = join(control, uuid, registrant_id=lea)

    assert first["user_id"] != again["user_id"]
    assert first["person_key"] == again["person_key"]
    for segment in (first, again):
        assert segment["registrant_id"] == lea
        assert (segment["name"], segment["email"]) == ("Lea Learner", "lea@campus.test")
        assert segment["participant_user_id"] == ""


def test_account_users_and_guests_join_as_zoom_reports_them(
    api: httpx.Client, control: httpx.Client
) -> None:
    uuid = start(control, recorded_meeting(api))
    host = join(control, uuid, user_id="acme-host")
    assert (host["participant_user_id"], host["email"], host["name"]) == (
        "acme-host",
        "host@acme.test",
        "Hal Host",
    )
    guest = join(control, uuid, guest_name="Sam")
    assert (guest["participant_user_id"], guest["email"], guest["registrant_id"]) == ("", "", "")

    # Two different people may type the same name; a guest rejoins by giving back its person_key.
    other_sam = join(control, uuid, guest_name="Sam")
    assert other_sam["person_key"] != guest["person_key"]
    sam_again = join(control, uuid, guest_name="Sam", person_key=guest["person_key"])
    assert sam_again["person_key"] == guest["person_key"]

    instance = control.get(f"/_sim/instances/{sim_path_uuid(uuid)}").json()
    # Sam's rejoin while still in (a reconnect) closed Sam's first stay.
    first_sam = next(s for s in instance["segments"] if s["id"] == guest["id"])
    assert first_sam["leave_time"] == sam_again["join_time"]


def test_end_closes_open_segments_and_sends_zoom_shaped_webhooks(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    lea = registrant(api, meeting_id, "lea@campus.test", "Lea", "Learner")
    uuid = start(control, meeting_id)
    segment = join(control, uuid, registrant_id=lea)
    instance = end(control, uuid)
    assert instance["segments"][0]["leave_time"] == instance["end_time"]

    started = events(control, "meeting.started")[-1]["payload"]["object"]
    assert started["id"] == str(meeting_id)  # a string in meeting.* events
    assert started["uuid"] == uuid
    assert set(started) == {
        "id",
        "uuid",
        "host_id",
        "topic",
        "type",
        "start_time",
        "timezone",
        "duration",
    }
    joined = events(control, "meeting.participant_joined")[-1]["payload"]["object"]
    assert joined["participant"]["user_id"] == segment["user_id"]
    assert joined["participant"]["registrant_id"] == lea
    assert joined["participant"]["email"] == "lea@campus.test"
    left = events(control, "meeting.participant_left")[-1]["payload"]["object"]
    assert left["participant"]["leave_time"] == instance["end_time"]
    assert left["participant"]["participant_uuid"] == joined["participant"]["participant_uuid"]
    ended = events(control, "meeting.ended")[-1]["payload"]["object"]
    assert (ended["uuid"], ended["end_time"]) == (uuid, instance["end_time"])


def test_run_lays_out_a_whole_meeting_ending_now(api: httpx.Client, control: httpx.Client) -> None:
    meeting_id = recorded_meeting(api)
    lea = registrant(api, meeting_id, "lea@campus.test", "Lea", "Learner")
    now = control.get("/_sim/clock").json()["now"]
    result = run(
        control,
        meeting_id,
        [
            {"user_id": "acme-host"},
            {"registrant_id": lea, "segments": [[5, 20], [25, 60]]},
            {"guest_name": "Sam", "segments": [[10, 30]]},
        ],
        duration_minutes=60,
    )
    segments = result["segments"]
    assert len(segments) == 4
    lea_rows = [s for s in segments if s["registrant_id"] == lea]
    assert len({s["user_id"] for s in lea_rows}) == 2
    assert result["end_time"] is not None
    assert abs(_ts(result["end_time"]) - now) < 5
    assert _ts(result["end_time"]) - _ts(result["start_time"]) == 3600
    assert [_ts(s["join_time"]) - _ts(result["start_time"]) for s in lea_rows] == [300, 1500]


def _ts(iso_time: str) -> float:
    return datetime.fromisoformat(iso_time.replace("Z", "+00:00")).timestamp()


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({}, "exactly one"),
        ({"guest_name": "Sam", "user_id": "acme-host"}, "exactly one"),
        ({"registrant_id": "nobody"}, "not registered"),
        ({"user_id": "no-such-user"}, "does not exist"),
        ({"guest_name": "   "}, "display name"),
        ({"guest_name": "Sam", "at": "yesterday"}, "`at`"),
        ({"guest_name": "Sam", "at": 4102444800}, "future"),
    ],
)
def test_bad_joins_get_a_400_and_change_nothing(
    api: httpx.Client, control: httpx.Client, body: dict[str, Any], fragment: str
) -> None:
    uuid = start(control, recorded_meeting(api))
    response = control.post(f"/_sim/instances/{sim_path_uuid(uuid)}/join", json=body)
    assert response.status_code == 400
    assert response.json()["code"] == 400
    assert fragment in response.json()["message"]
    assert control.get(f"/_sim/instances/{sim_path_uuid(uuid)}").json()["segments"] == []


def test_malformed_and_unknown_things_are_json_errors(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api)
    assert control.post("/_sim/meetings/999/start").status_code == 404
    assert control.post("/_sim/instances/nope/join", json={"guest_name": "A"}).status_code == 404
    assert control.post("/_sim/segments/nope/leave").status_code == 404
    garbled = control.post(
        f"/_sim/meetings/{meeting_id}/start",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert garbled.status_code == 400
    assert garbled.json()["code"] == 400

    uuid = start(control, meeting_id)
    again = control.post(f"/_sim/meetings/{meeting_id}/start")
    assert (again.status_code, again.json()["code"]) == (400, 400)
    end(control, uuid)
    assert control.post(f"/_sim/instances/{sim_path_uuid(uuid)}/end").status_code == 400
    late = control.post(f"/_sim/instances/{sim_path_uuid(uuid)}/join", json={"guest_name": "A"})
    assert late.status_code == 400


@pytest.mark.parametrize(
    "body",
    [
        {"participants": [{"guest_name": "A", "segments": [[10, 5]]}]},
        {"participants": [{"guest_name": "A", "segments": [[0, 20], [10, 30]]}]},
        {"participants": [{"guest_name": "A", "segments": [[0, 61]]}]},
        {"participants": [{"user_id": "acme-host"}, {"user_id": "acme-host"}]},
        {"participants": "everyone"},
        {"participants": [], "duration_minutes": 0},
        {"participants": [], "start_time": "2999-01-01T00:00:00Z"},
    ],
)
def test_a_bad_run_starts_nothing(
    api: httpx.Client, control: httpx.Client, body: dict[str, Any]
) -> None:
    meeting_id = recorded_meeting(api)
    response = control.post(
        f"/_sim/meetings/{meeting_id}/run", json={"duration_minutes": 60, **body}
    )
    assert response.status_code == 400, response.text
    assert response.json()["code"] == 400
    assert events(control, "meeting.started") == []
    assert get_meeting(api, meeting_id).json()["status"] == "waiting"


def test_slashy_uuids_work_in_control_routes(api: httpx.Client, control: httpx.Client) -> None:
    set_knobs(control, slashy_uuids=True)
    meeting_id = recorded_meeting(api)
    uuid = start(control, meeting_id)
    assert uuid.startswith("/") or "//" in uuid
    segment = join(control, uuid, guest_name="Sam")
    assert segment["instance_uuid"] == uuid
    assert end(control, uuid)["uuid"] == uuid


def test_by_default_zoom_takes_minutes_to_process_a_meeting(
    api: httpx.Client, control: httpx.Client
) -> None:
    # The seed leaves the delays at their defaults: nothing is ready the instant a meeting ends,
    # as at Zoom (3001 from reports and past meetings, 3301 from recordings, for a while).
    knobs = control.get("/_sim/knobs").json()
    assert (knobs["report_delay"], knobs["recording_delay"]) == (600, 1800)
    meeting_id = recorded_meeting(api)
    run(control, meeting_id, [{"user_id": "acme-host"}, {"guest_name": "Sam"}], 30)

    def codes() -> tuple[int, int, int]:
        report = api.get(f"/v2/report/meetings/{meeting_id}/participants")
        past = api.get(f"/v2/past_meetings/{meeting_id}")
        recordings = api.get(f"/v2/meetings/{meeting_id}/recordings")
        return (
            report.json().get("code", 200),
            past.json().get("code", 200),
            recordings.json().get("code", 200),
        )

    assert codes() == (3001, 3001, 3301)
    assert events(control, "recording.completed") == []
    advance(control, 600)
    assert codes() == (200, 200, 3301)
    advance(control, 1200)
    assert codes() == (200, 200, 200)
    assert wait_for_event(control, "recording.completed")["download_token"]


def test_recording_completed_goes_out_once_the_files_are_ready(
    api: httpx.Client, control: httpx.Client
) -> None:
    set_knobs(control, recording_delay=3600)
    meeting_id = recorded_meeting(api)
    result = run(control, meeting_id, [{"user_id": "acme-host"}, {"guest_name": "Sam"}], 30)
    assert events(control, "recording.completed") == []

    advance(control, 3601)
    envelope = wait_for_event(control, "recording.completed")
    assert envelope["download_token"]  # beside `payload`, as Zoom sends it
    recording = envelope["payload"]["object"]
    assert recording["uuid"] == result["uuid"]
    assert recording["id"] == meeting_id
    assert recording["host_email"] == "host@acme.test"
    kinds = {
        (f["file_type"], f["file_extension"], f["recording_type"])
        for f in recording["recording_files"]
    }
    assert kinds == {
        ("MP4", "MP4", "shared_screen_with_speaker_view"),
        ("TRANSCRIPT", "VTT", "audio_transcript"),
        ("CHAT", "TXT", "chat_file"),
    }
    assert all(f["meeting_id"] == result["uuid"] for f in recording["recording_files"])
    # Once per instance, however often the loop looks.
    assert control.post("/_sim/recordings/due").json() == {"sent": 0}
    assert len(events(control, "recording.completed")) == 1


def test_meetings_without_cloud_recording_record_nothing(
    api: httpx.Client, control: httpx.Client
) -> None:
    meeting_id = recorded_meeting(api, auto_recording="none")
    result = run(control, meeting_id, [{"user_id": "acme-host"}], 10)
    assert result["recording_files"] == []
    assert control.post("/_sim/recordings/due").json() == {"sent": 0}
