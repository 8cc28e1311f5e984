"""From `meeting.ended` to attendance Campus can show on the lesson page (issue 8, figure 3).

Runs Campus as `make run` does (scripts/run_all.py on free ports and a temporary var/: gunicorn,
the Celery worker with beat on the filesystem broker, SQLite, zoomsim with the demo seed), then
sets zoomsim's `report_delay` to 0 (Zoom's report ready at once). In this process, Django on the
same SQLite database builds one organization connected to zoomsim's account through the real
OAuth code exchange, a course whose lesson holds a Zoom event of N sessions, and three learners
registered for each session; the running worker creates the meetings and registrants at zoomsim.

Then, one meeting after another: `POST /_sim/meetings/{id}/run` (the meeting ends now; zoomsim
sends `meeting.ended` to Campus's gunicorn, signed as Zoom signs it), and the clock runs until
the session's three learners' attendance is there, read every 20 ms through
`live_events.attendance_selectors.attendance_for_session` (the selector the lesson page's
attendance reads; main has no HTTP page showing attendance yet, see docs/benchmarks.md). The time
runs from just before the run call (so it includes zoomsim ending the meeting) to the first read
that sees all three rows. Prints p50, p95 and max, and the machine's load.

A meeting whose attendance has not come after `--give-up` seconds counts as that many seconds
(a lower bound) and is reported as missing, with how many `meeting.ended` deliveries Campus's
intake spooled (database busy) according to the log.

    .venv/bin/python bench/attendance_latency.py [--meetings 50] [--give-up 30] [--keep]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

import httpx

from campus_django import HOST, ROOT, free_port, percentile

LEARNERS_PER_SESSION = 3
TARGET_P95_SECONDS = 5.0
CALLBACK_PATH = "/admin-tools/integrations/zoom/callback"


def start_stack(var_dir: Path, web_port: int, zoomsim_port: int) -> subprocess.Popen[bytes]:
    """scripts/run_all.py, as `make run` starts it, its output in var/bench-run_all.out."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "CELERY_"))}
    out = (var_dir / "bench-run_all.out").open("wb")
    process = subprocess.Popen(
        [
            sys.executable, "scripts/run_all.py",
            "--web-port", str(web_port), "--zoomsim-port", str(zoomsim_port),
            "--var-dir", str(var_dir),
        ],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if "Campus is running." in (var_dir / "bench-run_all.out").read_text(errors="replace"):
            return process
        if process.poll() is not None:
            raise SystemExit(f"run_all exited; see {var_dir / 'bench-run_all.out'}")
        time.sleep(0.5)
    raise SystemExit("the stack did not come up within 180 s")


def stop_stack(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGINT)  # as Ctrl-C: run_all stops its children
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def django_on(var_dir: Path, web_url: str, zoomsim_url: str) -> None:
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "campus.settings",
            "CAMPUS_VAR_DIR": str(var_dir),
            "CAMPUS_LOG_LEVEL": "WARNING",
            "CAMPUS_BASE_URL": web_url,
            "ZOOM_OAUTH_BASE_URL": zoomsim_url,
            "ZOOM_API_BASE_URL": zoomsim_url + "/v2",
        }
    )
    for path in (ROOT / "src", ROOT):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()


def authorization_code(zoomsim_url: str, redirect_uri: str) -> str:
    """zoomsim's sign-in and consent pages, driven as a browser would, for a Zoom admin."""
    from tests.zoomsim.oauth_flow import location, query_of, sign_in, submit

    with httpx.Client(base_url=zoomsim_url, follow_redirects=False, timeout=10) as browser:
        consent = sign_in(browser, "admin@acme.test", redirect_uri=redirect_uri)
        redirect = submit(browser, consent, "consent-form", button="authorize")
    assert location(redirect).startswith(redirect_uri), location(redirect)
    return query_of(redirect)["code"]


class BenchCourse(NamedTuple):
    organization: Any
    builder: Any  # a Course Admin who may build courses
    course: Any
    lesson: Any


def bench_member(organization: Any, email: str, role: Any, codes: tuple[str, ...] = ()) -> Any:
    """A person of the bench's organization (password `bench-pass`)."""
    from organizations.services import member_get_or_create

    return member_get_or_create(
        organization=organization,
        email=email,
        password="bench-pass",
        role=role,
        first_name=email.split("@")[0].capitalize(),
        last_name="Bench",
        permission_codes=codes,
    ).user


def connected_bench_course(web_url: str, zoomsim_url: str, *, lesson_title: str) -> BenchCourse:
    """Bench University, connected by its Org Admin to zoomsim's account through the real OAuth
    code exchange, with a course builder and a course of one lesson."""
    from courses.models import Course
    from courses.services import lesson_create
    from organizations.models import Role
    from organizations.services import organization_get_or_create
    from zoom_integration.services.connection import zoom_connect_with_authorization_code

    org = organization_get_or_create(slug="bench", name="Bench University", time_zone="UTC")
    admin = bench_member(org, "admin@bench.example", Role.ORG_ADMIN)
    redirect_uri = web_url + CALLBACK_PATH
    zoom_connect_with_authorization_code(
        organization=org,
        actor=admin,
        code=authorization_code(zoomsim_url, redirect_uri),
        redirect_uri=redirect_uri,
        code_verifier="",
    )
    builder = bench_member(org, "builder@bench.example", Role.COURSE_ADMIN, ("course_builder",))
    course = Course.objects.create(organization=org, title="Bench course", description="")
    return BenchCourse(org, builder, course, lesson_create(course=course, title=lesson_title))


def build(meetings: int, web_url: str, zoomsim_url: str) -> Any:
    from courses.services import course_enroll
    from live_events.inputs import EventInput, SessionInput
    from live_events.services import live_event_create, live_event_registration_create
    from organizations.models import Role

    org, builder, course, lesson = connected_bench_course(web_url, zoomsim_url, lesson_title="Live")
    first = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    event = live_event_create(
        organization=org,
        actor=builder,
        lesson=lesson,
        data=EventInput(
            topic="Figure 3",
            host_email="host@acme.test",
            sessions=tuple(
                SessionInput(
                    starts_at=(first + timedelta(hours=n)).replace(tzinfo=None),
                    time_zone="UTC",
                    duration_minutes=30,
                )
                for n in range(meetings)
            ),
        ),
    )
    sessions = list(event.sessions.order_by("starts_at"))
    for index, session in enumerate(sessions):
        for n in range(LEARNERS_PER_SESSION):
            person = bench_member(org, f"learner{index}-{n}@bench.example", Role.LEARNER)
            course_enroll(course=course, learner=person)
            live_event_registration_create(organization=org, session=session, learner=person)
    return org, event


def wait_for_zoom(event: Any, expected: int) -> None:
    """Until the running worker has made every meeting and registrant at zoomsim."""
    from live_events.models import LiveEventRegistration

    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        meetings = event.sessions.filter(zoom_meeting_id__isnull=False).count()
        registrants = (
            LiveEventRegistration.objects.filter(event=event).exclude(zoom_registrant_id="").count()
        )
        if meetings == event.sessions.count() and registrants == expected:
            return
        time.sleep(0.5)
    raise SystemExit(f"the worker made {meetings} meetings and {registrants} registrants in time")


def play(sim: httpx.Client, session: Any) -> None:
    from live_events.models import LiveEventRegistration, RegistrationStatus

    registrants = LiveEventRegistration.objects.filter(
        session=session, status=RegistrationStatus.REGISTERED
    ).values_list("zoom_registrant_id", flat=True)
    participants: list[dict[str, Any]] = [
        {"registrant_id": registrant, "segments": [[0, 10], [12, 30]]} for registrant in registrants
    ]
    participants.append({"guest_name": "Guest", "segments": [[5, 25]]})
    answer = sim.post(
        f"/_sim/meetings/{session.zoom_meeting_id}/run",
        json={"duration_minutes": 30, "participants": participants},
    )
    if answer.status_code != 201:
        raise SystemExit(f"zoomsim refused the run of session {session.pk}: {answer.text}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--meetings", type=int, default=50)
    parser.add_argument("--give-up", type=float, default=30.0, help="seconds per meeting")
    parser.add_argument("--keep", action="store_true", help="keep the temporary var/ directory")
    args = parser.parse_args()
    var_dir = Path(tempfile.mkdtemp(prefix="campus-bench-attendance-"))
    web_port, zoomsim_port = free_port(), free_port()
    web_url, zoomsim_url = f"http://{HOST}:{web_port}", f"http://{HOST}:{zoomsim_port}"
    print(f"Figure 3: meeting.ended to attendance, {args.meetings} meetings, var {var_dir}")
    stack = start_stack(var_dir, web_port, zoomsim_port)
    try:
        with httpx.Client(base_url=zoomsim_url, timeout=30) as sim:
            sim.patch("/_sim/knobs", json={"report_delay": 0}).raise_for_status()
            django_on(var_dir, web_url, zoomsim_url)
            from live_events.attendance_selectors import attendance_for_session

            built = time.monotonic()
            org, event = build(args.meetings, web_url, zoomsim_url)
            wait_for_zoom(event, args.meetings * LEARNERS_PER_SESSION)
            print(f"  scene built and at zoomsim in {time.monotonic() - built:.1f} s")
            latencies: list[float] = []
            missing: list[int] = []
            for session in event.sessions.order_by("starts_at"):
                began = time.monotonic()
                play(sim, session)
                while True:
                    rows = attendance_for_session(organization=org, session_id=session.pk)
                    if len(rows) == LEARNERS_PER_SESSION:
                        assert all(row.duration_seconds == 28 * 60 for row in rows), rows
                        latencies.append(time.monotonic() - began)
                        break
                    if time.monotonic() - began > args.give_up:
                        missing.append(session.pk)
                        latencies.append(args.give_up)
                        break
                    time.sleep(0.02)
        log = (var_dir / "log" / "run_all.log").read_text(errors="replace")
        spooled = sum(
            1
            for line in log.splitlines()
            if "zoom.webhook.spooled" in line and "event='meeting.ended'" in line
        )
        left_in_spool = len(list((var_dir / "zoom-webhook-spool").glob("*.json")))
    finally:
        stop_stack(stack)
        if not args.keep:
            shutil.rmtree(var_dir, ignore_errors=True)
    load = os.getloadavg()
    p50, p95 = percentile(latencies, 0.50), percentile(latencies, 0.95)
    print(
        f"  meetings: {len(latencies)}; "
        f"attendance missing after {args.give_up:.0f} s: {len(missing)}"
    )
    print(
        f"  meeting.ended deliveries spooled (database busy): {spooled}; files left in the "
        f"spool at the end: {left_in_spool}"
    )
    worst = max(latencies)
    print(f"  meeting.ended -> attendance: p50 {p50:.2f} s, p95 {p95:.2f} s, max {worst:.2f} s")
    print(f"  load average (1, 5, 15 min) at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"  cores: {os.cpu_count()}")
    verdict = "met" if p95 < TARGET_P95_SECONDS else "NOT met"
    print(f"  target p95 < {TARGET_P95_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
