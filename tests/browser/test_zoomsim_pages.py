"""zoomsim's pages for running a meeting by hand, clicked through in Chromium: what a demo does
between "the course builder scheduled a meeting" and "attendance came back"."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.support.zoomsim_server import LiveZoomsim

pytestmark = pytest.mark.browser


def a_recorded_meeting_with_a_registrant(zoomsim: LiveZoomsim) -> tuple[int, str]:
    with zoomsim.client(zoomsim.token("acme-admin")) as api:
        meeting = api.post(
            "/v2/users/acme-host/meetings",
            json={
                "topic": "Intro to Data Science, session 1",
                "start_time": "2026-12-01T15:00:00Z",
                "timezone": "America/New_York",
                "duration": 60,
                "settings": {"approval_type": 0, "auto_recording": "cloud"},
            },
        ).json()
        registrant = api.post(
            f"/v2/meetings/{meeting['id']}/registrants",
            json={"email": "learner1@campus.test", "first_name": "Lena", "last_name": "Learner"},
        ).json()
    return meeting["id"], registrant["join_url"]


def test_a_meeting_runs_by_hand_and_zoom_reports_every_join(page: Page, zoom: LiveZoomsim) -> None:
    meeting_id, personal_link = a_recorded_meeting_with_a_registrant(zoom)

    page.goto(f"{zoom.base_url}/sim/")
    page.get_by_role("button", name="Start an instance").click()
    expect(page.get_by_text("running")).to_be_visible()

    # The learner opens the personal link Campus would show on the lesson page.
    page.goto(personal_link)
    expect(
        page.get_by_text("You are joining Intro to Data Science, session 1 as Lena")
    ).to_be_visible()
    screenshot(page, "zoomsim-02-personal-link")
    page.get_by_role("button", name="Join").click()

    page.goto(f"{zoom.base_url}/sim/")
    page.get_by_placeholder("Guest name").fill("Sam (phone)")
    page.get_by_role("button", name="Join as guest").click()
    expect(page.get_by_text("Sam (phone)")).to_be_visible()
    screenshot(page, "zoomsim-01-meeting-running")
    page.get_by_role("button", name="End the instance").click()
    expect(page.get_by_text("report processing until")).to_be_visible()

    token = zoom.token("acme-admin", ttl=24 * 3600)
    with zoom.client(token) as api:
        path = f"/v2/report/meetings/{meeting_id}/participants"
        params = {"include_fields": "registrant_id"}
        # As at Zoom, the report is not there the moment the meeting ends.
        assert api.get(path, params=params).json()["code"] == 3001
        page.get_by_role("button", name="+1 hour").click()
        expect(page.get_by_text("report ready")).to_be_visible()
        report = api.get(path, params=params).json()
    names = sorted(row["name"] for row in report["participants"])
    assert names == ["Lena Learner", "Sam (phone)"]
    lena = next(row for row in report["participants"] if row["name"] == "Lena Learner")
    assert lena["registrant_id"]


def test_the_cloud_recording_plays_in_chromium(page: Page, zoom: LiveZoomsim) -> None:
    meeting_id, _ = a_recorded_meeting_with_a_registrant(zoom)
    people = [{"user_id": "acme-host"}, {"guest_name": "Sam"}]
    with zoom.client() as control:
        ran = control.post(
            f"/_sim/meetings/{meeting_id}/run",
            json={"participants": people, "duration_minutes": 10},
        )
        assert ran.status_code == 201, ran.text
        # Zoom takes a while to process a cloud recording.
        assert control.post("/_sim/clock/advance", json={"seconds": 3600}).status_code == 200
    with zoom.client(zoom.token("acme-admin")) as api:
        recording = api.get(f"/v2/meetings/{meeting_id}/recordings").json()
    mp4 = next(f for f in recording["recording_files"] if f["file_type"] == "MP4")

    page.goto(f"{mp4['play_url']}?pwd={recording['recording_play_passcode']}")
    played = page.evaluate(
        """async () => {
            const video = document.querySelector("video");
            video.muted = true;
            await video.play();
            await new Promise((resolve) => setTimeout(resolve, 500));
            return {error: video.error && video.error.code, duration: video.duration,
                    width: video.videoWidth, height: video.videoHeight, at: video.currentTime};
        }"""
    )
    assert played["error"] is None
    assert (played["width"], played["height"]) == (160, 120)
    assert played["duration"] == pytest.approx(3, abs=0.5)
    assert played["at"] > 0  # it really played, not just loaded
