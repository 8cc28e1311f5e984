"""Helpers of the attendance flow tests: a Zoom event whose meetings and registrants exist at
zoomsim, meetings run through zoomsim's control API, Zoom's `meeting.ended` delivered to Campus
as Zoom signs it, and the work run as a worker would."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.utils import timezone

from courses.models import Course
from courses.services import course_enroll
from live_events.inputs import EventInput, SessionInput
from live_events.models import LiveEvent, LiveEventRegistration, LiveEventSession
from live_events.services import live_event_create, live_event_registration_create
from organizations.models import Organization, Role, User
from tests.django_conftest import first_lesson, make_member
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.conftest import WEBHOOK_SECRET
from work.models import WorkItem, WorkState
from work.services import work_run
from zoom_integration.services.attendance import ATTENDANCE_FETCH_KIND
from zoom_integration.services.webhooks import WebhookOutcomeKind, zoom_webhook_receive
from zoomsim.webhooks import signed_headers


def in_days(days: float) -> datetime:
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.replace(second=0, microsecond=0, tzinfo=None)


def work_everything() -> None:
    """Run every due work row, as a worker would (these tests run inside a transaction, so the
    bell rung on commit never sounds)."""
    for _round in range(30):
        due = list(
            WorkItem.objects.filter(state=WorkState.PENDING, next_attempt_at__lte=timezone.now())
        )
        if not due:
            return
        for item in due:
            work_run(item_id=item.pk)


def fetch_item(session: LiveEventSession) -> WorkItem:
    return WorkItem.objects.get(kind=ATTENDANCE_FETCH_KIND, subject=f"session:{session.pk}")


def next_try_comes(session: LiveEventSession) -> None:
    """Campus's clock reaches the fetch's next try (the work row made due), and it runs."""
    WorkItem.objects.filter(
        kind=ATTENDANCE_FETCH_KIND, subject=f"session:{session.pk}", state=WorkState.PENDING
    ).update(next_attempt_at=timezone.now())
    work_everything()


def zoom_event(
    organization: Organization, builder: User, course: Course, *, sessions: int = 1
) -> LiveEvent:
    event = live_event_create(
        organization=organization,
        actor=builder,
        lesson=first_lesson(course),
        data=EventInput(
            topic="Office hours",
            host_email="host@acme.test",
            sessions=tuple(
                SessionInput(starts_at=in_days(2 + n), time_zone="UTC", duration_minutes=60)
                for n in range(sessions)
            ),
        ),
    )
    work_everything()
    return event


def learner(organization: Organization, course: Course, email: str, first: str, last: str) -> User:
    user = make_member(organization, email, Role.LEARNER)
    User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    user.refresh_from_db()
    course_enroll(course=course, learner=user)
    return user


def registered(organization: Organization, session: LiveEventSession, user: User) -> str:
    """Register `user` for `session` at Zoom; their registrant id."""
    live_event_registration_create(organization=organization, session=session, learner=user)
    work_everything()
    registration = LiveEventRegistration.objects.get(session=session, learner=user)
    assert registration.zoom_registrant_id, registration.problem
    return registration.zoom_registrant_id


def control(zoomsim: LiveZoomsim) -> httpx.Client:
    return httpx.Client(base_url=zoomsim.base_url, timeout=10)


def set_knobs(zoomsim: LiveZoomsim, **knobs: Any) -> None:
    with control(zoomsim) as sim:
        response = sim.patch("/_sim/knobs", json=knobs)
        assert response.status_code == 200, response.text


def advance_zoom_clock(zoomsim: LiveZoomsim, seconds: float) -> None:
    with control(zoomsim) as sim:
        response = sim.post("/_sim/clock/advance", json={"seconds": seconds})
        assert response.status_code == 200, response.text


def run_meeting(
    zoomsim: LiveZoomsim,
    session: LiveEventSession,
    participants: list[dict[str, Any]],
    duration_minutes: int = 60,
    **more: Any,
) -> dict[str, Any]:
    """One run of the session's meeting at zoomsim (start, joins, leaves, end); the instance."""
    body = {"participants": participants, "duration_minutes": duration_minutes, **more}
    with control(zoomsim) as sim:
        response = sim.post(f"/_sim/meetings/{session.zoom_meeting_id}/run", json=body)
    assert response.status_code == 201, response.text
    instance: dict[str, Any] = response.json()
    return instance


def deliver_meeting_ended(zoomsim: LiveZoomsim, instance_uuid: str) -> None:
    """Zoom's `meeting.ended` for that instance, signed as zoomsim signs it, into Campus's
    intake; then the work it caused runs."""
    with control(zoomsim) as sim:
        response = sim.get("/_sim/deliveries", params={"event": "meeting.ended"})
    assert response.status_code == 200, response.text
    bodies = [
        delivery["body"]
        for delivery in response.json()["deliveries"]
        if delivery["payload"]["payload"]["object"]["uuid"] == instance_uuid
    ]
    assert bodies, f"zoomsim sent no meeting.ended for {instance_uuid}"
    raw = bodies[-1].encode()
    stamp = str(int(time.time()))
    headers = signed_headers(WEBHOOK_SECRET, stamp, raw, "req-ended")
    answer = zoom_webhook_receive(
        raw_body=raw,
        timestamp=headers["x-zm-request-timestamp"],
        signature=headers["x-zm-signature"],
    )
    # Stored, its processing enqueued; or stored already, when zoomsim could reach Campus itself
    # (a live server in the browser tests).
    assert answer.kind in (WebhookOutcomeKind.ACCEPTED, WebhookOutcomeKind.DUPLICATE), answer
    work_everything()


def ground_truth_segments(zoomsim: LiveZoomsim, instance_uuid: str) -> list[dict[str, Any]]:
    with control(zoomsim) as sim:
        response = sim.get("/_sim/segments", params={"instance": instance_uuid})
    assert response.status_code == 200, response.text
    body = response.json()
    segments: list[dict[str, Any]] = body["segments"] if isinstance(body, dict) else body
    return segments
