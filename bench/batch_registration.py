"""A cohort of learners registered into one Zoom session at once (issue 7, figure 1).

Starts `python -m zoomsim` (test seed) on a free loopback port and Campus's Django on a fresh
SQLite database pointed at it; connects the organization with acct-acme's Server-to-Server app,
puts a one-session Zoom event on a lesson (its meeting created at zoomsim by the work, run as a
worker would), enrolls the cohort, turns zoomsim's `latency_ms` knob up, then times the real path:
`live_event_session_register_batch` (what a Course Admin's "register the whole course" runs) and
the `zoom.registrants.batch` work it enqueues, which calls Zoom's `batch_registrants` 30 learners
at a time and stores each learner's registrant and personal link.

The Zoom calls are counted twice, independently: by zoomsim (its daily counter of the Heavy
category, where `batch_registrants` is charged: every call it saw and answered) and by Campus
(every `zoomclient.request` log record, whatever the endpoint). Afterwards every registration
must be registered with its own link, and zoomsim must hold that many approved registrants.

    .venv/bin/python bench/batch_registration.py [--learners 500] [--latency-ms 100]
"""

from __future__ import annotations

import argparse
import logging
import math
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from campus_django import HOST, django_on_fresh_sqlite, free_port, start_zoomsim, stop

BATCH = 30  # Zoom's batch_registrants takes at most 30 registrants a call


class ZoomCalls(logging.Handler):
    """Counts the Zoom requests Campus's client makes (one `zoomclient.request` record each)."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.paths: list[str] = []
        self.milliseconds = 0.0

    def emit(self, record: logging.LogRecord) -> None:
        if record.getMessage() == "zoomclient.request":
            path = getattr(record, "path_template", None) or getattr(record, "path", "?")
            self.paths.append(f"{record.method} {path} {record.status}")  # type: ignore[attr-defined]
            self.milliseconds += float(getattr(record, "duration_ms", 0.0))


def heavy_calls(base_url: str, account_id: str) -> int:
    """zoomsim's count of today's Heavy (and Resource-intensive) calls of the account."""
    counters: dict[str, int] = httpx.get(f"{base_url}/_sim/ratelimits").json()["counters"]
    prefix = f"day:{account_id}:Heavy+RI:"
    return sum(value for key, value in counters.items() if key.startswith(prefix))


def run_due_work() -> int:
    """Run every due work row as a worker would; answers how many runs it made."""
    from django.utils import timezone

    from work.models import WorkItem, WorkState
    from work.services import work_run

    runs = 0
    for _round in range(50):
        due = list(
            WorkItem.objects.filter(
                state=WorkState.PENDING, next_attempt_at__lte=timezone.now()
            ).values_list("pk", flat=True)
        )
        if not due:
            break
        for item_id in due:
            work_run(item_id=item_id)
            runs += 1
    return runs


def scene(learners: int) -> tuple[Any, Any, list[Any]]:
    """Acme connected to zoomsim, a course with `learners` enrolled, a one-session Zoom event
    on its lesson with the meeting created. Answers (organization, session, learners)."""
    from courses.models import Course, Enrollment
    from courses.services import lesson_create
    from live_events.inputs import EventInput, SessionInput
    from live_events.models import LiveEventSession
    from live_events.services import live_event_create
    from organizations.models import Membership, Role, User
    from organizations.services import member_get_or_create, organization_get_or_create
    from zoom_integration.services.connection import zoom_connect_server_to_server

    acme = organization_get_or_create(slug="acme", name="Acme University", time_zone="UTC")
    admin = member_get_or_create(
        organization=acme, email="admin@acme.example", password="bench-pass", role=Role.ORG_ADMIN
    ).user
    builder = member_get_or_create(
        organization=acme,
        email="builder@acme.example",
        password="bench-pass",
        role=Role.COURSE_ADMIN,
        permission_codes=("course_builder",),
    ).user
    zoom_connect_server_to_server(
        organization=acme,
        actor=admin,
        account_id="acct-acme",
        client_id="acme-s2s-client-id",
        client_secret="acme-s2s-secret",
    )
    course = Course.objects.create(organization=acme, title="Cohort", description="")
    lesson = lesson_create(course=course, title="Kick-off")
    people = User.objects.bulk_create(
        User(
            username=f"learner{n}@acme.example",
            email=f"learner{n}@acme.example",
            first_name=f"Learner{n}",
            last_name="Cohort",
            password="!",
        )
        for n in range(learners)
    )
    Membership.objects.bulk_create(
        Membership(user=user, organization=acme, role=Role.LEARNER) for user in people
    )
    Enrollment.objects.bulk_create(Enrollment(course=course, learner=user) for user in people)
    start = (datetime.now(UTC) + timedelta(days=7)).replace(second=0, microsecond=0, tzinfo=None)
    event = live_event_create(
        organization=acme,
        actor=builder,
        lesson=lesson,
        data=EventInput(
            topic="Cohort kick-off",
            host_email="host@acme.test",
            sessions=(SessionInput(starts_at=start, time_zone="UTC", duration_minutes=60),),
        ),
    )
    run_due_work()  # the meeting is created at zoomsim
    session = LiveEventSession.objects.get(event=event)
    if session.zoom_meeting_id is None:
        raise SystemExit(
            f"the meeting was not created: {session.zoom_state} {session.zoom_problem}"
        )
    cohort = list(
        User.objects.filter(enrollments__course=course).select_related("membership").order_by("id")
    )
    return acme, session, cohort


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learners", type=int, default=500)
    parser.add_argument("--latency-ms", type=float, default=100.0, help="zoomsim's latency knob")
    args = parser.parse_args()

    port = free_port()
    base_url = f"http://{HOST}:{port}"
    zoomsim = start_zoomsim(port)
    try:
        django_on_fresh_sqlite(zoom_base_url=base_url)
        from live_events.models import LiveEventRegistration, RegistrationStatus
        from live_events.services import live_event_session_register_batch

        organization, session, cohort = scene(args.learners)
        counted = ZoomCalls()
        zoomclient_log = logging.getLogger("zoomclient")
        zoomclient_log.setLevel(logging.INFO)
        zoomclient_log.addHandler(counted)
        zoomclient_log.propagate = False  # counted, not printed
        httpx.patch(f"{base_url}/_sim/knobs", json={"latency_ms": args.latency_ms})
        heavy_before = heavy_calls(base_url, "acct-acme")

        started = time.monotonic()
        made = live_event_session_register_batch(
            organization=organization, session=session, learners=cohort
        )
        enqueued = time.monotonic()
        work_runs = run_due_work()
        finished = time.monotonic()

        zoomclient_log.removeHandler(counted)
        zoomsim_saw = heavy_calls(base_url, "acct-acme") - heavy_before
        registrations = list(LiveEventRegistration.objects.filter(session=session))
        linked = [
            r for r in registrations if r.status == RegistrationStatus.REGISTERED and r.join_url
        ]
        links = {r.join_url for r in linked}
        at_zoom = httpx.get(f"{base_url}/_sim/meetings/{session.zoom_meeting_id}/registrants")
        body = at_zoom.json()
        rows = body.get("registrants", body) if isinstance(body, dict) else body
        approved = [row for row in rows if row.get("status") == "approved"]
    finally:
        stop(zoomsim)

    most_calls = math.ceil(args.learners / BATCH)
    print(f"batch registration of {args.learners} learners into one session")
    print(
        f"  wall time: {finished - started:.2f} s, "
        f"zoomsim adding {args.latency_ms:.0f} ms to each call"
    )
    print(
        f"    (service call {enqueued - started:.2f} s: {made} registrations saved and the work "
        f"enqueued; the work {finished - enqueued:.2f} s in {work_runs} run(s))"
    )
    print(
        f"  Zoom calls: zoomsim counted {zoomsim_saw} Heavy calls; "
        f"Campus's client made {len(counted.paths)}"
    )
    for line in sorted(set(counted.paths)):
        print(f"    {counted.paths.count(line)} x {line}")
    print(
        f"    {counted.milliseconds / 1000:.2f} s of the work waiting on Zoom, "
        f"{finished - enqueued - counted.milliseconds / 1000:.2f} s in Campus (storing links)"
    )
    print(
        f"  registered with a personal link: {len(linked)} of {len(registrations)} "
        f"({len(links)} distinct links); approved registrants at zoomsim: {len(approved)}"
    )
    problems = []
    if len(counted.paths) > most_calls or zoomsim_saw > most_calls:
        problems.append(f"more than {most_calls} Zoom calls")
    if len(linked) != args.learners or len(links) != args.learners:
        problems.append("a learner without a personal link")
    if len(approved) != args.learners:
        problems.append("zoomsim does not hold every registrant")
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))


if __name__ == "__main__":
    main()
