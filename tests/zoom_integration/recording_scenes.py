"""Scenes for the recording tests: a cloud-recorded event on Acme's lesson page, a meeting run on
zoomsim (which makes its recording after `recording_delay`, as Zoom does), zoomsim's own
`recording.completed` delivery handed to Campus's webhook intake, and what zoomsim holds."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import httpx
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from courses.models import Course
from live_events.inputs import EventOptions, SessionInput
from live_events.models import LiveEvent, LiveEventSession
from live_events.services import live_event_create
from organizations.models import User
from tests.django_conftest import first_lesson
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.conftest import WEBHOOK_SECRET
from tests.zoom_integration.live_event_scenes import event_input, in_days, run_due_work
from zoomsim.webhooks import signed_headers


def knobs(zoomsim: LiveZoomsim, **values: Any) -> None:
    answer = httpx.patch(f"{zoomsim.base_url}/_sim/knobs", json=values)
    assert answer.status_code == 200, answer.text


def advance_zoom_clock(zoomsim: LiveZoomsim, seconds: float) -> None:
    answer = httpx.post(f"{zoomsim.base_url}/_sim/clock/advance", json={"seconds": seconds})
    assert answer.status_code == 200, answer.text


def recorded_event(
    *, organization: Any, builder: User, course: Course, auto_upload: bool = True
) -> LiveEventSession:
    """A Zoom event recording to the cloud, its one session's meeting created at zoomsim."""
    event = live_event_create(
        organization=organization,
        actor=builder,
        lesson=first_lesson(course),
        data=event_input(
            sessions=(SessionInput(starts_at=in_days(2), time_zone="UTC", duration_minutes=60),),
            options=EventOptions(auto_record_cloud=True, auto_upload_recording=auto_upload),
        ),
    )
    run_due_work()
    session = LiveEventSession.objects.get(event=event)
    assert session.zoom_meeting_id is not None, session.zoom_problem
    return session


def run_meeting(zoomsim: LiveZoomsim, session: LiveEventSession) -> dict[str, Any]:
    """The session's meeting happens on zoomsim (ending now, Zoom's time) and, in Campus's
    time, the session is over too."""
    answer = httpx.post(
        f"{zoomsim.base_url}/_sim/meetings/{session.zoom_meeting_id}/run",
        json={
            "participants": [{"guest_name": "Ada Guest"}, {"guest_name": "Ben Guest"}],
            "duration_minutes": 60,
        },
    )
    assert answer.status_code == 201, answer.text
    LiveEventSession.objects.filter(pk=session.pk).update(
        starts_at=timezone.now() - timedelta(minutes=61)
    )
    instance: dict[str, Any] = answer.json()
    return instance


def sim_recordings(zoomsim: LiveZoomsim, session: LiveEventSession) -> list[dict[str, Any]]:
    answer = httpx.get(
        f"{zoomsim.base_url}/_sim/recordings", params={"meeting_id": session.zoom_meeting_id}
    )
    found: list[dict[str, Any]] = answer.json()["recordings"]
    return found


def recording_completed_bodies(zoomsim: LiveZoomsim) -> list[bytes]:
    """The bodies zoomsim sent as `recording.completed` (after making due ones go out)."""
    httpx.post(f"{zoomsim.base_url}/_sim/recordings/due")
    found = httpx.get(
        f"{zoomsim.base_url}/_sim/deliveries", params={"event": "recording.completed"}
    ).json()["deliveries"]
    return [delivery["body"].encode() for delivery in found]


def deliver_to_campus(body: bytes) -> int:
    """Zoom's delivery through Campus's own intake (signed as Zoom signs), then the work."""
    stamp = str(int(time.time()))
    headers = signed_headers(WEBHOOK_SECRET, stamp, body, "req-rec")
    sent = {k: v for k, v in headers.items() if k != "content-type"}
    answer = Client().post(
        reverse("zoom_integration:webhook"),
        data=body,
        content_type="application/json",
        headers=sent,
    )
    run_due_work()
    return answer.status_code


def stored_files(event: LiveEvent) -> list[str]:
    return sorted(r.file.name for s in event.sessions.all() for r in s.recordings.all() if r.file)
