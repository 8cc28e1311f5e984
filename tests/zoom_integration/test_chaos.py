"""The chaos test of issue 8: attendance and recordings come back exactly, whatever Zoom does.

Real processes all the way, as at scale: zoomsim over HTTP (its own process); Campus's web app
under gunicorn, where zoomsim delivers Zoom's webhooks; a Celery beat and two Campus workers
(Celery on Redis, the test's PostgreSQL database, the Redis pacer).

During the whole run zoomsim fails 10% of the calls with a 500 and lets 5% time out (held past
the workers' 3-second read timeout, never acted on), adds latency, and at one point answers a
burst of 429s with Retry-After. The scene: two events, four sessions, learners registered in each;
meetings with rejoins and a guest; one meeting restarted (two instances); two cloud-recorded
sessions whose large MP4s are imported. While a large MP4 is downloading (the first, unless it
slips between two looks), the worker downloading it is SIGKILLed (process group and all); another
worker takes the row over once its lease expires and resumes with Range from what had arrived,
and a third worker is started. Then the account's tokens are revoked mid-run; the work pauses;
more meetings end meanwhile; the Org Admin re-authenticates through the real OAuth code exchange
(trying again when a fault hits a page), and everything missed is caught up by itself.

At the end Campus's data is compared with zoomsim's ground truth (`/_sim/instances`,
`/_sim/segments`, `/_sim/recordings`, and each file downloaded once more from zoomsim): per session
and person the same join segments, duration, first join, last leave and attended; every file
stored once, of Zoom's size and with the same bytes; no partial file left. Nothing missing,
nothing doubled, and the counts compared are printed.

Campus's own clock is moved on meanwhile: a retry Campus schedules minutes or hours ahead (a
report "not ready", a backoff) is made due now, as if that time had passed, so the whole story
fits in about a minute. Nothing else of Campus is shortened but the lease, the sweep and the
backoff (tests/zoom_integration/chaos_settings.py) and the read timeout; zoomsim gives the
intake 15 s instead of Zoom's 3 before a webhook retry (Zoom's retry comes 5 minutes later).
Randomness of the scene is seeded; zoomsim's faults fall where they fall, and the outcome must
not depend on where.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest
from django.db import connection
from django.utils import timezone
from pytest_django.fixtures import Settings

from courses.models import Course
from courses.services import course_enroll
from live_events.attendance_models import (
    AttendanceInstance,
    AttendanceRecord,
    AttendanceSegment,
    AttendanceSync,
    AttendanceSyncState,
)
from live_events.attendance_services import attendance_minimum_set
from live_events.inputs import EventOptions, SessionInput
from live_events.models import (
    LiveEvent,
    LiveEventRecording,
    LiveEventRecordingStatus,
    LiveEventRegistration,
    LiveEventSession,
)
from live_events.services import live_event_create, live_event_registration_create
from organizations.models import Organization, Role, User
from tests.django_conftest import People, first_lesson, make_member
from tests.support.waiting import eventually, free_port
from tests.zoom_integration.conftest import CAMPUS_CLIENT_ID, WEBHOOK_SECRET
from tests.zoom_integration.live_event_scenes import event_input, in_days
from tests.zoomsim.oauth_flow import CAMPUS_CALLBACK, location, query_of, sign_in, submit
from work.models import WorkItem, WorkState
from zoom_integration.models import ZoomAccount, ZoomAccountStatus
from zoom_integration.services.connection import zoom_connect_with_authorization_code
from zoom_integration.services.recordings import IMPORT_KIND
from zoomclient.paths import meeting_ref

PROJECT_DIR = Path(__file__).resolve().parents[2]
SEED = PROJECT_DIR / "seeds" / "zoomsim-test.json"
ACCOUNT = "acct-acme"
MIB = 1024 * 1024
LARGE_MP4 = 12 * MIB
FAULTS = {
    "failure_rate": 0.10,
    "timeout_rate": 0.05,
    "timeout_seconds": 5.0,  # longer than the workers' read timeout below
    "latency_ms": 100.0,
    "jitter_ms": 50.0,
}
# Short, so a timeout costs seconds, not Campus's 30; long enough that a busy shared machine
# alone does not make zoomsim's answers late.
READ_TIMEOUT_SECONDS = 3.0
SETTLE_TIMEOUT = 120.0

Say = Callable[[str], None]


def _services() -> tuple[str, str, str]:
    database = os.environ.get("DATABASE_URL", "")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    redis = os.environ.get("REDIS_URL", "")
    return database, broker, redis


def _on_services() -> bool:
    database, broker, redis = _services()
    return (
        database.startswith(("postgres://", "postgresql://"))
        and broker.startswith("redis://")
        and redis.startswith("redis://")
    )


pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not _on_services(),
        reason="needs DATABASE_URL=postgres://..., CELERY_BROKER_URL=redis://... and REDIS_URL",
    ),
]


@pytest.fixture(autouse=True)
def _eager_bell() -> None:
    """Not eager here: bells go to the Redis broker, and the worker processes answer them."""


# --- the processes --------------------------------------------------------------------------------


class Zoomsim:
    """zoomsim as its own process (`python -m zoomsim`), reached only over HTTP."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log = directory / "zoomsim.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "zoomsim", "--port", str(self.port), "--seed", str(SEED)],
                cwd=PROJECT_DIR,
                env={**os.environ, "PYTHONPATH": str(PROJECT_DIR / "src")},
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        eventually(self._healthy, timeout=30, interval=0.1, explain=self.log.read_text)

    def _healthy(self) -> bool:
        try:
            return httpx.get(f"{self.base_url}/_sim/health", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def control(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, timeout=30)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call to the control API (never faulted); its JSON."""
        with self.control() as sim:
            answer = sim.request(method, path, **kwargs)
        assert answer.status_code in (200, 201), (method, path, answer.text)
        return answer.json()

    def knobs(self, **values: Any) -> None:
        self.call("PATCH", "/_sim/knobs", json=values)

    def now(self) -> float:
        now: float = self.call("GET", "/_sim/clock")["now"]
        return now


@dataclass
class Campus:
    """Campus's background processes: one beat and any number of workers."""

    directory: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *arguments: str) -> subprocess.Popen[bytes]:
        celery = [sys.executable, "-m", "celery", "-A", "campus"]
        return self.start_program(name, [*celery, *arguments])

    def start_program(self, name: str, command: list[str]) -> subprocess.Popen[bytes]:
        with (self.directory / f"{name}.log").open("wb") as out:
            process = subprocess.Popen(
                command,
                cwd=PROJECT_DIR,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                # Its own process group: a kill takes the pool child with it, as when a machine
                # or container dies.
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(
            name, "worker", "--concurrency=1", "--loglevel=INFO", f"--hostname={name}@chaos"
        )

    def web(self) -> None:
        """gunicorn, as at scale (campus/gunicorn_config.py): Zoom's webhooks come in here. Its
        listen backlog takes a burst of deliveries that Django's development server drops."""
        self.start_program(
            "web",
            [
                *(sys.executable, "-m", "gunicorn", "-c", "python:campus.gunicorn_config"),
                "campus.wsgi:application",
            ],
        )
        eventually(
            self._web_answers,
            timeout=60,
            interval=0.2,
            explain=lambda: self.log_of("web"),
        )

    def _web_answers(self) -> bool:
        try:
            httpx.get(self.base_url + "/", timeout=2)
        except httpx.TransportError:
            return False
        return True

    @property
    def base_url(self) -> str:
        return self.env["CAMPUS_BASE_URL"]

    def beat(self) -> subprocess.Popen[bytes]:
        schedule = str(self.directory / "beat-schedule")
        return self.start("beat", "beat", "--loglevel=INFO", f"--schedule={schedule}")

    def running(self) -> list[tuple[str, subprocess.Popen[bytes]]]:
        """Every process started, by name (a copy: the killer thread may start one meanwhile)."""
        return list(self.processes.items())

    def kill(self, name: str) -> None:
        process = self.processes[name]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)

    def worker_running(self, pid: int) -> str | None:
        """The name of the live worker whose process group holds `pid`."""
        try:
            group = os.getpgid(pid)
        except ProcessLookupError:
            return None
        for name, process in self.running():
            if process.poll() is None and process.pid == group:
                return name
        return None

    def log_of(self, name: str) -> str:
        return (self.directory / f"{name}.log").read_text(errors="replace")

    def logs(self) -> str:
        return "\n".join(
            f"--- {name} (last lines)\n" + "\n".join(self.log_of(name).splitlines()[-40:])
            for name, _process in self.running()
        )

    def stop(self) -> None:
        for _name, process in self.running():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for _name, process in self.running():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


@contextmanager
def running(*, directory: Path, zoomsim: Zoomsim) -> Iterator[Campus]:
    database, broker, redis = _services()
    test_database = connection.settings_dict["NAME"]  # pytest-django's test_<name>
    web_port = free_port()
    from django.conf import settings

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.zoom_integration.chaos_settings",
        "PYTHONPATH": os.pathsep.join([str(PROJECT_DIR / "src"), str(PROJECT_DIR)]),
        "CHAOS_DIR": str(directory),
        "CHAOS_DATABASE_URL": urlunsplit(urlsplit(database)._replace(path=f"/{test_database}")),
        "CELERY_BROKER_URL": broker,
        "ZOOM_PACER_REDIS_URL": redis,
        "CAMPUS_VAR_DIR": str(directory / "var"),
        "CAMPUS_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CAMPUS_RECORDING_DOWNLOAD_DIR": str(settings.RECORDING_DOWNLOAD_DIR),
        "CAMPUS_RECORDING_PIECE_BYTES": str(MIB),
        "CAMPUS_BASE_URL": f"http://127.0.0.1:{web_port}",
        "CAMPUS_BIND": f"127.0.0.1:{web_port}",
        "CAMPUS_WEB_WORKERS": "1",
        "CAMPUS_LOG_LEVEL": "INFO",
        # The secrets this process encrypted (the connection's tokens) must open there too.
        "FIELD_ENCRYPTION_KEYS": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "ZOOM_OAUTH_BASE_URL": zoomsim.base_url,
        "ZOOM_API_BASE_URL": zoomsim.base_url + "/v2",
        "ZOOM_WEBHOOK_SECRET": WEBHOOK_SECRET,
        "ZOOM_READ_TIMEOUT_SECONDS": str(READ_TIMEOUT_SECONDS),
    }
    campus = Campus(directory, env)
    try:
        yield campus
    finally:
        campus.stop()
        connection.close()


# --- the scene ------------------------------------------------------------------------------------


def authorization_code(zoomsim: Zoomsim) -> str:
    """zoomsim's sign-in and consent pages, driven as a browser would, for acme's Zoom admin."""
    with httpx.Client(base_url=zoomsim.base_url, follow_redirects=False, timeout=10) as browser:
        consent = sign_in(browser, "admin@acme.test")
        redirect = submit(browser, consent, "consent-form", button="authorize")
    assert location(redirect).startswith(CAMPUS_CALLBACK + "?")
    return query_of(redirect)["code"]


def connect(
    zoomsim: Zoomsim, organization: Organization, admin: User, *, tries: int, say: Say
) -> None:
    """The Org Admin authenticates (the first connect and a re-authentication are one path).
    Under faults a page or the exchange may fail; the admin simply tries again."""
    for attempt in range(1, tries + 1):
        try:
            zoom_connect_with_authorization_code(
                organization=organization,
                actor=admin,
                code=authorization_code(zoomsim),
                redirect_uri=CAMPUS_CALLBACK,
                code_verifier="",
            )
        except Exception as error:  # a 500 or timeout on a page or the exchange
            say(f"chaos: authentication attempt {attempt} failed: {type(error).__name__}")
            continue
        return
    raise AssertionError(f"no authentication got through in {tries} tries")


@dataclass
class Scene:
    organization: Organization
    recorded: LiveEvent
    plain: LiveEvent
    learners: list[User]

    def sessions(self) -> list[LiveEventSession]:
        return list(
            LiveEventSession.objects.filter(event__in=[self.recorded, self.plain]).order_by(
                "event_id", "starts_at", "pk"
            )
        )


def build_scene(organization: Organization, people: People, course: Course) -> Scene:
    """Two events of two sessions each (the first cloud-recorded with automatic upload, and
    counting 10 minutes as attended), 12 learners, each registered for one session of each."""

    def sessions(first_day: int) -> tuple[SessionInput, ...]:
        return tuple(
            SessionInput(starts_at=in_days(first_day + n), time_zone="UTC", duration_minutes=60)
            for n in range(2)
        )

    recorded = live_event_create(
        organization=organization,
        actor=people.course_builder,
        lesson=first_lesson(course),
        data=event_input(
            topic="Recorded seminar",
            sessions=sessions(3),
            options=EventOptions(auto_record_cloud=True, auto_upload_recording=True),
        ),
    )
    attendance_minimum_set(
        organization=organization,
        actor=people.course_builder,
        event_id=recorded.pk,
        kind="minutes",
        value=10,
    )
    plain = live_event_create(
        organization=organization,
        actor=people.course_builder,
        lesson=first_lesson(course),
        data=event_input(topic="Office hours", sessions=sessions(6)),
    )
    learners = []
    for number in range(12):
        learner = make_member(organization, f"chaos{number}@acme.example", Role.LEARNER)
        course_enroll(course=course, learner=learner)
        learners.append(learner)
    for event in (recorded, plain):
        first, second = event.sessions.order_by("starts_at")
        for number, learner in enumerate(learners):
            session = first if number % 2 == 0 else second
            live_event_registration_create(
                organization=organization, session=session, learner=learner
            )
    return Scene(organization, recorded, plain, learners)


def at_zoom(scene: Scene) -> bool:
    """Every meeting and registrant made at zoomsim by the workers."""
    sessions = scene.sessions()
    registrations = LiveEventRegistration.objects.filter(event__in=[scene.recorded, scene.plain])
    return all(s.zoom_meeting_id for s in sessions) and not registrations.filter(
        zoom_registrant_id=""
    )


def participants(
    session: LiveEventSession, rng: random.Random, minutes: int, *, present: float = 0.85
) -> list[dict[str, Any]]:
    """The session's registrants (most come, some rejoin once or twice) and one guest."""
    joined = []
    for registrant in (
        LiveEventRegistration.objects.filter(session=session)
        .order_by("pk")
        .values_list("zoom_registrant_id", flat=True)
    ):
        if rng.random() > present:
            continue  # registered, never came
        cuts = sorted(rng.sample(range(1, minutes), 2 * rng.randint(0, 2)))
        edges = [0, *cuts, minutes]
        windows = [[edges[i], edges[i + 1]] for i in range(0, len(edges) - 1, 2)]
        joined.append({"registrant_id": registrant, "segments": windows})
    joined.append({"guest_name": "Visiting Guest", "segments": [[2, minutes // 2]]})
    return joined


def play(
    zoomsim: Zoomsim,
    session: LiveEventSession,
    rng: random.Random,
    *,
    minutes: int,
    ends_minutes_ago: int = 0,
) -> None:
    body: dict[str, Any] = {
        "duration_minutes": minutes,
        "participants": participants(session, rng, minutes),
    }
    if ends_minutes_ago:
        body["start_time"] = zoomsim.now() - (ends_minutes_ago + minutes) * 60
    zoomsim.call("POST", f"/_sim/meetings/{session.zoom_meeting_id}/run", json=body)


def campus_clock_moves_on() -> None:
    """A retry Campus scheduled minutes or hours ahead (a report not ready yet, a backoff) is due
    now, as if that time had passed; the sweeper rings it."""
    now = timezone.now()
    WorkItem.objects.filter(
        state=WorkState.PENDING, next_attempt_at__gt=now + timedelta(seconds=4)
    ).update(next_attempt_at=now, rung_at=None)


def wait(probe: Any, *, timeout: float, what: str, campus: Campus, zoomsim: Zoomsim) -> Any:
    def probe_with_time() -> Any:
        campus_clock_moves_on()
        return probe()

    return eventually(
        probe_with_time,
        timeout=timeout,
        interval=0.25,
        explain=lambda: f"{what}\n{work_summary()}\n{deliveries_summary(zoomsim)}\n{campus.logs()}",
    )


def deliveries_summary(zoomsim: Zoomsim) -> str:
    """zoomsim's webhook deliveries by state (a delivery not delivered waits 5 minutes)."""
    deliveries = zoomsim.call("GET", "/_sim/deliveries")["deliveries"]
    states = Counter(delivery["state"] for delivery in deliveries)
    late = [d["event"] for d in deliveries if d["state"] != "delivered"]
    return f"webhook deliveries: {dict(states)}; not delivered: {late}"


def work_summary() -> str:
    rows = WorkItem.objects.exclude(state=WorkState.DONE).values_list(
        "kind", "state", "attempts", "last_error"
    )
    return "work not done: " + "; ".join(f"{k} {s} x{a} {e[:120]}" for k, s, a, e in rows)


class MidDownloadKiller(threading.Thread):
    """Watches the partial files, and SIGKILLs (process group and all) the worker downloading a
    large MP4 once some of it, not all, has arrived; then starts another worker. Once."""

    def __init__(self, campus: Campus, download_dir: Path) -> None:
        super().__init__(name="chaos-mid-download-killer", daemon=True)
        self.campus = campus
        self.download_dir = download_dir
        self.killed: tuple[str, int, int] | None = None  # worker, recording id, bytes kept
        self.stopping = threading.Event()

    def run(self) -> None:
        try:
            while self.killed is None and not self.stopping.is_set():
                self.killed = self._kill_one_downloading()
                self.stopping.wait(0.01)
            if self.killed is not None:
                self.campus.worker("worker-3")
        finally:
            connection.close()  # this thread's own database connection

    def _kill_one_downloading(self) -> tuple[str, int, int] | None:
        parts = list(self.download_dir.glob("*.part")) if self.download_dir.exists() else []
        for part in parts:
            try:
                size = part.stat().st_size
            except FileNotFoundError:
                continue
            if not MIB <= size < LARGE_MP4:
                continue
            recording_id = int(part.name.split("-", 1)[0])
            item = WorkItem.objects.filter(
                kind=IMPORT_KIND, payload__recording_id=recording_id, state=WorkState.RUNNING
            ).first()
            if item is None:
                continue
            pid = int(item.locked_by.split("#", 1)[0].rsplit(":", 1)[1])
            name = self.campus.worker_running(pid)
            if name is not None:
                self.campus.kill(name)
                return name, recording_id, part.stat().st_size
        return None


# --- ground truth ---------------------------------------------------------------------------------


def instances_of(zoomsim: Zoomsim, session: LiveEventSession) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = zoomsim.call(
        "GET", "/_sim/instances", params={"meeting": session.zoom_meeting_id}
    )["instances"]
    return found


def zoom_second(timestamp: float) -> datetime:
    """A zoomsim time as Zoom writes it (whole seconds, UTC): what a report carries."""
    return datetime.fromtimestamp(timestamp, tz=UTC).replace(microsecond=0)


def union_seconds(intervals: list[tuple[datetime, datetime]]) -> int:
    total, reach = 0.0, None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            total += (end - start).total_seconds()
            reach = end
        elif end > reach:
            total += (end - reach).total_seconds()
            reach = end
    return int(total)


@dataclass
class Person:
    segments: list[tuple[str, datetime, datetime]] = field(default_factory=list)
    present: list[tuple[datetime, datetime]] = field(default_factory=list)


def truth_of_session(
    zoomsim: Zoomsim, session: LiveEventSession
) -> tuple[list[dict[str, Any]], int, dict[Any, dict[str, Any]]]:
    """zoomsim's instances of the session's meeting, its segment count, and per person (learner
    id, or ("guest", name)) what Campus should hold."""
    instances = instances_of(zoomsim, session)
    learner_of = dict(
        LiveEventRegistration.objects.filter(session=session).values_list(
            "zoom_registrant_id", "learner_id"
        )
    )
    people: dict[Any, Person] = defaultdict(Person)
    segment_count = 0
    for instance in instances:
        start, end = zoom_second(instance["start_time"]), zoom_second(instance["end_time"])
        for segment in zoomsim.call("GET", "/_sim/segments", params={"instance": instance["uuid"]})[
            "segments"
        ]:
            segment_count += 1
            who = learner_of.get(segment["registrant_id"]) or ("guest", segment["name"])
            joined, left = zoom_second(segment["join_time"]), zoom_second(segment["leave_time"])
            people[who].segments.append((instance["uuid"], joined, left))
            if min(left, end) > max(joined, start):
                people[who].present.append((max(joined, start), min(left, end)))
    minimum = 10 * 60 if session.event.attendance_minimum == "minutes" else 1
    truth = {
        who: {
            "segments": sorted(person.segments, key=lambda s: (s[1], s[2], s[0])),
            "duration": union_seconds(person.present),
            "first_join": min(start for start, _ in person.present),
            "last_leave": max(end for _, end in person.present),
            "attended": union_seconds(person.present) >= minimum,
        }
        for who, person in people.items()
    }
    return instances, segment_count, truth


def stored_of_session(session: LiveEventSession) -> dict[Any, dict[str, Any]]:
    stored: dict[Any, dict[str, Any]] = {}
    for record in AttendanceRecord.objects.filter(session=session):
        who = record.learner_id or ("guest", record.name)
        assert who not in stored, f"{who} twice in session {session.pk}"
        stored[who] = {
            "segments": sorted(
                (
                    (uuid, datetime.fromisoformat(joined), datetime.fromisoformat(left))
                    for uuid, joined, left in record.segments
                ),
                key=lambda s: (s[1], s[2], s[0]),
            ),
            "duration": record.duration_seconds,
            "first_join": record.first_join_at,
            "last_leave": record.last_leave_at,
            "attended": record.attended,
        }
    return stored


def sha256_of_zoom_file(zoomsim: Zoomsim, token: str, instance_uuid: str) -> dict[str, str]:
    """Each file of the instance downloaded from zoomsim once more (faults off): id -> sha256."""
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=zoomsim.base_url, timeout=60, headers=headers) as api:
        listing = api.get(f"/v2/meetings/{meeting_ref(instance_uuid)}/recordings")
        assert listing.status_code == 200, listing.text
        digests = {}
        for file in listing.json()["recording_files"]:
            digest = hashlib.sha256()
            with api.stream("GET", file["download_url"], follow_redirects=True) as download:
                assert download.status_code == 200, download.status_code
                for chunk in download.iter_bytes(MIB):
                    digest.update(chunk)
            digests[file["id"]] = digest.hexdigest()
    return digests


def sha256_of_stored(recording: LiveEventRecording) -> str:
    digest = hashlib.sha256()
    with recording.file.open("rb") as stored:
        for chunk in stored.chunks(MIB):
            digest.update(chunk)
    return digest.hexdigest()


# --- the test -------------------------------------------------------------------------------------


@pytest.mark.timeout(300)
def test_under_chaos_attendance_and_recordings_equal_zooms_ground_truth(
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    def say(text: str) -> None:
        """The counts and events of the run, shown even when pytest captures output."""
        with capsys.disabled():
            print(text)

    began = time.monotonic()
    rng = random.Random(8)
    settings.RECORDING_DOWNLOAD_DIR = tmp_path / "downloads"
    zoomsim = Zoomsim(tmp_path)
    zoomsim.start()
    try:
        with running(directory=tmp_path, zoomsim=zoomsim) as campus:
            run_chaos(zoomsim, campus, rng, acme, acme_people, acme_course, settings, say)
    finally:
        zoomsim.stop()
    say(f"chaos: finished in {time.monotonic() - began:.0f} s")


def run_chaos(
    zoomsim: Zoomsim,
    campus: Campus,
    rng: random.Random,
    organization: Organization,
    people: People,
    course: Course,
    settings: Settings,
    say: Say,
) -> None:
    settings.ZOOM_OAUTH_BASE_URL = zoomsim.base_url
    settings.ZOOM_API_BASE_URL = zoomsim.base_url + "/v2"
    settings.ZOOM_CLIENT_ID = CAMPUS_CLIENT_ID
    settings.ZOOM_WEBHOOK_SECRET = WEBHOOK_SECRET
    zoomsim.call(
        "PATCH",
        f"/_sim/apps/{CAMPUS_CLIENT_ID}",
        json={"webhook_url": f"{campus.base_url}/zoom/webhooks/"},
    )
    # Zoom's report and recordings ready as soon as a meeting ends (the flow tests cover the
    # waits); each cloud recording's MP4 large enough to be caught mid-download. Zoom waits 3 s
    # for a webhook's answer and retries 5 minutes later: on this shared machine the intake is
    # given 15 s, so that a busy moment cannot push a retry past the test's minutes (the
    # webhook flow tests hold Campus to the 3 s).
    zoomsim.knobs(
        report_delay=0,
        recording_delay=0,
        large_recording_bytes=LARGE_MP4,
        webhook_timeout=15.0,
    )
    campus.web()
    connect(zoomsim, organization, people.org_admin, tries=1, say=say)
    # The Course Builder's forms check the host at Zoom while the builder waits: done before the
    # faults begin (the form's own failures are tested in the live-event flow tests).
    scene = build_scene(organization, people, course)
    zoomsim.knobs(**FAULTS)
    campus.beat()
    campus.worker("worker-1")
    campus.worker("worker-2")
    wait(
        lambda: at_zoom(scene),
        timeout=SETTLE_TIMEOUT,
        what="meetings and registrants never all reached zoomsim",
        campus=campus,
        zoomsim=zoomsim,
    )
    # Told apart before their times are made equal below.
    recorded_first, recorded_restarted = scene.recorded.sessions.order_by("starts_at", "pk")
    plain_first, plain_second = scene.plain.sessions.order_by("starts_at", "pk")
    # In Campus's time too, the sessions were held an hour and a half ago.
    LiveEventSession.objects.filter(event__in=[scene.recorded, scene.plain]).update(
        starts_at=timezone.now() - timedelta(minutes=90)
    )

    # 1. Two meetings end; while the recording's MP4 downloads, its worker is SIGKILLed (the
    # killer keeps watching the later MP4s too, should this one slip through between polls).
    killer = MidDownloadKiller(campus, Path(settings.RECORDING_DOWNLOAD_DIR))
    killer.start()
    try:
        play(zoomsim, recorded_first, rng, minutes=45)
        play(zoomsim, plain_first, rng, minutes=50)
        until(lambda: killer.killed, seconds=45)
        chaos_goes_on(
            zoomsim, campus, rng, (recorded_restarted, plain_second), organization, people, say
        )
        sessions = scene.sessions()
        wait(
            lambda: settled(zoomsim, sessions),
            timeout=SETTLE_TIMEOUT,
            what="Campus never caught up with zoomsim",
            campus=campus,
            zoomsim=zoomsim,
        )
    finally:
        killer.stopping.set()
        killer.join(timeout=30)
    assert killer.killed is not None, "no large MP4 download was caught mid-way"
    killed, recording_id, kept = killer.killed
    say(f"chaos: SIGKILLed {killed} with {kept} of {LARGE_MP4} bytes of recording {recording_id}")
    zoomsim.knobs(failure_rate=0, timeout_rate=0, latency_ms=0, jitter_ms=0)
    left = zoomsim.call("GET", "/_sim/faults")["faults"]
    assert not left, f"the burst of 429s was not all answered: {left}"
    say(f"chaos: Zoom's failures as Campus's processes logged them: {faults_seen(campus)}")

    compare(
        zoomsim,
        sessions,
        Path(settings.RECORDING_DOWNLOAD_DIR),
        Path(settings.MEDIA_ROOT),
        say=say,
    )
    resumed = [
        line
        for name, _process in campus.running()
        if name != killed
        for line in campus.log_of(name).splitlines()
        if "zoom.recording.resuming" in line and f"recording_id={recording_id}" in line
    ]
    assert resumed, f"no worker resumed recording {recording_id} with Range\n{campus.logs()}"


def until(probe: Callable[[], object], *, seconds: float) -> None:
    """Wait up to `seconds` for `probe`, Campus's clock moving on meanwhile; then go on anyway."""
    deadline = time.monotonic() + seconds
    while not probe() and time.monotonic() < deadline:
        campus_clock_moves_on()
        time.sleep(0.25)


def chaos_goes_on(
    zoomsim: Zoomsim,
    campus: Campus,
    rng: random.Random,
    later: tuple[LiveEventSession, LiveEventSession],
    organization: Organization,
    people: People,
    say: Say,
) -> None:
    """429s, the tokens revoked, two more meetings meanwhile (`later`: the recorded one is
    restarted, two instances), and the Org Admin's re-authentication."""
    recorded_restarted, plain_second = later
    # A burst of 429s: Zoom's rate limit, Retry-After in seconds.
    zoomsim.call(
        "POST",
        "/_sim/faults",
        json={"path": "^/v2/", "count": 12, "status": 429, "code": 429, "retry_after": "2"},
    )

    # 2. The account's tokens are revoked mid-run; meanwhile two more meetings end, one of them
    # restarted (two instances), both recorded.
    zoomsim.call("POST", f"/_sim/apps/{CAMPUS_CLIENT_ID}/accounts/{ACCOUNT}/revoke-tokens")
    play(zoomsim, recorded_restarted, rng, minutes=30, ends_minutes_ago=50)
    play(zoomsim, recorded_restarted, rng, minutes=40)
    play(zoomsim, plain_second, rng, minutes=55)
    wait(
        lambda: (
            ZoomAccount.objects.filter(
                zoom_account_id=ACCOUNT, status=ZoomAccountStatus.NEEDS_REAUTH
            ).exists()
            and WorkItem.objects.filter(state=WorkState.PAUSED).exists()
        ),
        timeout=SETTLE_TIMEOUT,
        what="the revoked connection never paused the work",
        campus=campus,
        zoomsim=zoomsim,
    )
    paused = WorkItem.objects.filter(state=WorkState.PAUSED).count()
    # 3. The Org Admin re-authenticates through the real code exchange, under the same faults.
    connect(zoomsim, organization, people.org_admin, tries=40, say=say)
    say(f"chaos: re-authenticated; {paused} paused work rows to catch up")


def faults_seen(campus: Campus) -> str:
    lines = [
        line
        for name, _process in campus.running()
        for line in campus.log_of(name).splitlines()
        if "zoomclient.request" in line
    ]
    errors = sum("status=5" in line for line in lines)
    timeouts = sum("error='ReadTimeout'" in line for line in lines)
    limited = sum("status=429" in line for line in lines)
    return f"{len(lines)} calls, {errors} 5xx, {timeouts} timeouts, {limited} 429s"


def settled(zoomsim: Zoomsim, sessions: list[LiveEventSession]) -> bool:
    """Attendance fetched for every instance zoomsim has, every file zoomsim made imported, and
    no work left to do."""
    if WorkItem.objects.filter(
        state__in=[WorkState.PENDING, WorkState.RUNNING, WorkState.PAUSED]
    ).exists():
        return False
    files = zoomsim.call("GET", "/_sim/recordings")["recordings"]
    imported = LiveEventRecording.objects.filter(status=LiveEventRecordingStatus.IMPORTED)
    if imported.count() < len(files):
        return False
    for session in sessions:
        instances = instances_of(zoomsim, session)
        fetched = AttendanceInstance.objects.filter(session=session, fetched_at__isnull=False)
        if fetched.count() < len(instances):
            return False
    return AttendanceSync.objects.filter(
        session__in=sessions, state=AttendanceSyncState.FETCHED
    ).count() == len(sessions)


def compare(
    zoomsim: Zoomsim,
    sessions: list[LiveEventSession],
    download_dir: Path,
    media_root: Path,
    *,
    say: Say,
) -> None:
    missing = doubled = 0
    counts: Counter[str] = Counter()
    for session in sessions:
        session.refresh_from_db()
        instances, segment_count, truth = truth_of_session(zoomsim, session)
        stored = stored_of_session(session)
        counts["sessions"] += 1
        counts["instances"] += len(instances)
        counts["segments"] += segment_count
        counts["people"] += len(truth)
        campus_instances = AttendanceInstance.objects.filter(session=session)
        assert sorted(campus_instances.values_list("zoom_uuid", flat=True)) == sorted(
            i["uuid"] for i in instances
        ), f"session {session.pk}: instances differ"
        campus_segments = AttendanceSegment.objects.filter(instance__session=session).count()
        missing += max(segment_count - campus_segments, 0) + len(truth.keys() - stored.keys())
        doubled += max(campus_segments - segment_count, 0) + len(stored.keys() - truth.keys())
        for who in truth.keys() & stored.keys():
            assert stored[who] == truth[who], f"session {session.pk}, {who}"

    zoom_files = zoomsim.call("GET", "/_sim/recordings")["recordings"]
    token = zoomsim.call(
        "POST", "/_sim/tokens", json={"client_id": CAMPUS_CLIENT_ID, "user_id": "acme-admin"}
    )["access_token"]
    zoom_digests: dict[str, str] = {}
    for instance_uuid in {file["instance_uuid"] for file in zoom_files}:
        zoom_digests.update(sha256_of_zoom_file(zoomsim, token, instance_uuid))
    campus_files = Counter(
        LiveEventRecording.objects.values_list("zoom_file_id", flat=True).order_by()
    )
    for file in zoom_files:
        counts["files"] += 1
        counts["bytes"] += file["file_size"]
        recording = LiveEventRecording.objects.filter(zoom_file_id=file["id"]).first()
        if recording is None or recording.status != LiveEventRecordingStatus.IMPORTED:
            missing += 1
            continue
        assert recording.file_size == file["file_size"] == recording.file.size, file
        assert sha256_of_stored(recording) == zoom_digests[file["id"]], file
    doubled += sum(n - 1 for n in campus_files.values() if n > 1)
    doubled += len(set(campus_files) - {file["id"] for file in zoom_files})
    on_disk = [p for p in (media_root / "recordings").rglob("*") if p.is_file()]
    doubled += max(len(on_disk) - len(zoom_files), 0)
    partial = list(download_dir.glob("*.part")) if download_dir.exists() else []

    # Nothing doubled at Zoom either: one meeting per session, one registrant per registration.
    meetings = [
        m
        for m in zoomsim.call("GET", "/_sim/meetings", params={"account_id": ACCOUNT})["meetings"]
        if not m.get("deleted")
    ]
    zoom_registrants = sum(
        len(zoomsim.call("GET", f"/_sim/meetings/{s.zoom_meeting_id}/registrants")["registrants"])
        for s in sessions
    )
    registrations = LiveEventRegistration.objects.filter(session__in=sessions).count()
    say(
        f"chaos: {counts['sessions']} sessions, {counts['instances']} instances, "
        f"{counts['segments']} segments, {counts['people']} people, {counts['files']} files "
        f"({counts['bytes']} bytes), {len(meetings)} meetings and {zoom_registrants} registrants "
        f"at Zoom; {missing} missing, {doubled} doubled, {len(partial)} partial files left"
    )
    assert (missing, doubled, partial) == (0, 0, [])
    assert len(meetings) == len(sessions)
    assert zoom_registrants == registrations
    assert not WorkItem.objects.filter(state=WorkState.FAILED).exists(), work_summary()
