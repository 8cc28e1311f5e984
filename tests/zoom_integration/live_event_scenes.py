"""Scenes for the live-event flow tests: a connected Acme, a builder's event input, running the
due Zoom work as a worker would, and zoomsim's ground truth over HTTP."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from live_events.inputs import EventInput, EventOptions, SessionInput
from live_events.models import LiveEvent, LiveEventSession
from tests.support.zoomsim_server import LiveZoomsim
from work.models import WorkItem, WorkState
from work.services import work_run

HOST = "host@acme.test"
COHOST = "cohost@acme.test"


def in_days(days: int, hour: int = 15) -> datetime:
    """A wall-clock time `days` from now at `hour`:00, naive (the session's zone places it)."""
    moment = timezone.now() + timedelta(days=days)
    return moment.astimezone(UTC).replace(hour=hour, minute=0, second=0, microsecond=0, tzinfo=None)


def event_input(
    *,
    sessions: tuple[SessionInput, ...] | None = None,
    topic: str = "Office hours",
    description: str = "Bring questions.",
    host_email: str = HOST,
    alternative_hosts: tuple[str, ...] = (),
    options: EventOptions | None = None,
) -> EventInput:
    return EventInput(
        topic=topic,
        description=description,
        sessions=sessions
        if sessions is not None
        else (
            SessionInput(starts_at=in_days(3), time_zone="America/New_York", duration_minutes=60),
            SessionInput(starts_at=in_days(10), time_zone="Europe/Berlin", duration_minutes=90),
        ),
        host_email=host_email,
        alternative_hosts=alternative_hosts,
        options=options or EventOptions(),
    )


def same_sessions(event: LiveEvent, data: EventInput) -> EventInput:
    """`data` naming the event's existing sessions, as an edit form sends them back."""
    rows = list(event.sessions.filter(removed_at__isnull=True).order_by("starts_at", "id"))
    return replace(
        data,
        sessions=tuple(
            SessionInput(
                starts_at=row.starts_at,
                time_zone=row.time_zone,
                duration_minutes=row.duration_minutes,
                session_id=row.pk,
            )
            for row in rows
        ),
    )


def edit_form_post(
    client: Client, event: LiveEvent, *, follow: bool = False, **changes: str
) -> Any:
    """The event's edit form submitted as it is shown, with `changes` over it; then the due work
    runs, as a worker would. Returns the form's answer (followed when `follow`)."""
    form = client.get(reverse("live_events:edit", args=[event.pk]))
    assert form.status_code == 200
    initial = form.context["form"].initial
    rows = form.context["sessions"].initial
    data: dict[str, Any] = {
        "topic": initial["topic"],
        "description": initial["description"],
        "host_email": initial["host_email"],
        "alternative_hosts": initial["alternative_hosts"],
        "sessions-TOTAL_FORMS": str(len(rows)),
        "sessions-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(rows):
        data[f"sessions-{index}-starts_at"] = row["starts_at"].strftime("%Y-%m-%dT%H:%M")
        data[f"sessions-{index}-time_zone"] = row["time_zone"]
        data[f"sessions-{index}-duration_minutes"] = str(row["duration_minutes"])
        data[f"sessions-{index}-session_id"] = str(row["session_id"])
    data.update(changes)
    response = client.post(reverse("live_events:edit", args=[event.pk]), data, follow=follow)
    run_due_work()
    return response


def run_due_work(*, rounds: int = 30) -> list[WorkItem]:
    """Run every due pending work row, as workers would, until none is due; returns the rows
    run (as they ended). Work scheduled for later (backoff, a 429's time) is left waiting."""
    ran: list[WorkItem] = []
    for _round in range(rounds):
        due = list(
            WorkItem.objects.filter(
                state=WorkState.PENDING, next_attempt_at__lte=timezone.now()
            ).order_by("id")
        )
        if not due:
            return ran
        for item in due:
            finished = work_run(item_id=item.pk)
            if finished is not None:
                ran.append(finished)
    raise AssertionError("work kept coming back due")


def make_due_now() -> None:
    """Waiting out the backoff: every pending row due now (as time passing would make it)."""
    WorkItem.objects.filter(state=WorkState.PENDING).update(next_attempt_at=timezone.now())


def run_pending_work_now(*, rounds: int = 10) -> None:
    """Run every pending work row, its retries too, as workers would once each retry time came."""
    for _round in range(rounds):
        if not WorkItem.objects.filter(state=WorkState.PENDING).exists():
            return
        make_due_now()
        run_due_work()


def sim_meetings(zoomsim: LiveZoomsim, *, include_deleted: bool = False) -> list[dict[str, Any]]:
    found = httpx.get(f"{zoomsim.base_url}/_sim/meetings").json()["meetings"]
    return [m for m in found if include_deleted or not m.get("deleted")]


def sim_meeting(zoomsim: LiveZoomsim, session: LiveEventSession) -> dict[str, Any]:
    session.refresh_from_db()
    assert session.zoom_meeting_id is not None, session.zoom_problem
    for meeting in sim_meetings(zoomsim, include_deleted=True):
        if meeting["id"] == session.zoom_meeting_id:
            return meeting
    raise AssertionError(f"zoomsim has no meeting {session.zoom_meeting_id}")


def sim_registrants_listed(zoomsim: LiveZoomsim, meeting_id: int | None) -> list[dict[str, Any]]:
    """The meeting's registrants at zoomsim but the cancelled ones (Zoom lists those as denied)."""
    response = httpx.get(f"{zoomsim.base_url}/_sim/meetings/{meeting_id}/registrants")
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()["registrants"]
    return [row for row in rows if row.get("status") != "denied"]


def host_writes_counted(zoomsim: LiveZoomsim, host_id: str = "acme-host") -> int:
    """zoomsim's count of meeting creates + updates for the host today."""
    counters = httpx.get(f"{zoomsim.base_url}/_sim/ratelimits").json()["counters"]
    return sum(count for key, count in counters.items() if key.startswith(f"host:{host_id}:"))


def fault(zoomsim: LiveZoomsim, **rule: Any) -> str:
    response = httpx.post(f"{zoomsim.base_url}/_sim/faults", json=rule)
    assert response.status_code == 201, response.text
    fault_id: str = response.json()["id"]
    return fault_id


def zoom_loses_create_answers(zoomsim: LiveZoomsim) -> None:
    """The next meeting create is made at Zoom, but its answer never reaches Campus."""
    fault(zoomsim, path="^/v2/users/[^/]+/meetings$", method="POST", drop_after_handling=True)


def fault_remove(zoomsim: LiveZoomsim, fault_id: str) -> None:
    response = httpx.delete(f"{zoomsim.base_url}/_sim/faults/{fault_id}")
    assert response.status_code in (200, 204), response.text


def faults_clear(zoomsim: LiveZoomsim) -> None:
    httpx.delete(f"{zoomsim.base_url}/_sim/faults")


def knobs(zoomsim: LiveZoomsim, **values: Any) -> None:
    response = httpx.patch(f"{zoomsim.base_url}/_sim/knobs", json=values)
    assert response.status_code == 200, response.text
