"""How fast the lesson page of a big Zoom live event renders, in how many queries, and that it
calls no Zoom (issue 7, figure 2).

On the embedded default (a fresh SQLite database under a temporary var/), builds one lesson
holding one Zoom event of 50 sessions with 5,000 enrolled learners registered over them (the same
scene as tests/live_events/test_lesson_page_queries.py). The organization is connected to a real
`python -m zoomsim` process first (Server-to-Server credentials), so the page has a live Zoom
connection it could use; then zoomsim is stopped and Campus's Zoom URLs point at a loopback socket
that counts every connection made to it. The page is then rendered through Django's test Client
(the whole middleware stack: sessions, authentication, CSRF, CSP, axes) as a learner, a Course
Builder and the event's host, and in the builder's edit mode, many times each; it prints p50/p95
of the render time, the number of queries of one render, and the connections to "Zoom".

With `--gunicorn`, the same pages are also fetched from a real gunicorn (campus.gunicorn_config,
the `make run` server) on the same database, over keep-alive HTTP, with the viewers' session
cookies: the time a browser would wait, minus the network.

    .venv/bin/python bench/lesson_page_render.py [--sessions 50] [--learners 5000] [--renders 200]
        [--gunicorn]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from typing import Any

import httpx

from campus_django import (
    HOST,
    ROOT,
    django_on_fresh_sqlite,
    free_port,
    percentile,
    start_zoomsim,
    stop,
)


class ConnectionCounter:
    """A loopback socket that accepts connections, counts them and closes them unanswered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind((HOST, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.url = f"http://{HOST}:{self.sock.getsockname()[1]}"
        self.accepted = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                peer, _address = self.sock.accept()
            except TimeoutError:
                continue
            self.accepted += 1
            peer.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def build(sessions: int, learners: int) -> dict[str, Any]:
    """The organization, connected to zoomsim; the scene; the viewers' signed-in clients."""
    from django.test import Client
    from tests.live_events.lesson_page_scene import HOST_EMAIL, lesson_page_scene

    from organizations.models import Role
    from organizations.services import member_get_or_create, organization_get_or_create
    from zoom_integration.services.connection import zoom_connect_server_to_server

    acme = organization_get_or_create(
        slug="acme", name="Acme University", time_zone="America/New_York"
    )

    def member(email: str, role: Role, codes: tuple[str, ...] = ()) -> Any:
        return member_get_or_create(
            organization=acme,
            email=email,
            password="bench-pass",
            role=role,
            first_name=email.split("@")[0].capitalize(),
            permission_codes=codes,
        ).user

    admin = member("admin@acme.example", Role.ORG_ADMIN)
    zoom_connect_server_to_server(
        organization=acme,
        actor=admin,
        account_id="acct-acme",
        client_id="acme-s2s-client-id",
        client_secret="acme-s2s-secret",
    )
    learner = member("learner@acme.example", Role.LEARNER)
    built = time.monotonic()
    scene = lesson_page_scene(
        organization=acme, title="Big cohort", sessions=sessions, learners=learners, viewer=learner
    )
    print(f"  scene built in {time.monotonic() - built:.1f} s")
    viewers = {
        "learner": learner,
        "course builder": member("builder@acme.example", Role.COURSE_ADMIN, ("course_builder",)),
        "host (course admin)": member(HOST_EMAIL, Role.COURSE_ADMIN),
    }
    clients = {}
    for who, user in viewers.items():
        client = Client()
        client.force_login(user)
        clients[who] = client
    return {"scene": scene, "clients": clients}


def render_times(client: Any, url: str, renders: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each render. The CPU time (this thread's) is what the
    render costs; the wall time adds the waits for a core on a machine others are using."""
    wall, cpu = [], []
    for _ in range(renders):
        started, started_cpu = time.perf_counter(), time.thread_time()
        response = client.get(url)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.thread_time() - started_cpu) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
    return wall, cpu


def queries_of(client: Any, url: str) -> tuple[int, str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured.captured_queries), response.content.decode()


def start_gunicorn(port: int, zoom_url: str) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "CAMPUS_BIND": f"{HOST}:{port}",
        "CAMPUS_ACCESS_LOG": os.devnull,
        "ZOOM_OAUTH_BASE_URL": zoom_url,
        "ZOOM_API_BASE_URL": zoom_url + "/v2",
    }
    command = [sys.executable, "-m", "gunicorn", "-c", "python:campus.gunicorn_config"]
    process = subprocess.Popen([*command, "campus.wsgi:application"], cwd=ROOT, env=env)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://{HOST}:{port}/")
            return process
        except httpx.TransportError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start")


def over_gunicorn(
    views: list[tuple[str, Any, str]], renders: int, zoom_url: str, sessions: int
) -> list[str]:
    """The pages fetched from gunicorn; answers what missed the figure."""
    port = free_port()
    server = start_gunicorn(port, zoom_url)
    missed = []
    try:
        workers = os.environ.get("CAMPUS_WEB_WORKERS", "2")
        print(f"  over gunicorn (gthread, {workers} workers), keep-alive HTTP/1.1:")
        for who, client, url in views:
            cookies = {"sessionid": client.cookies["sessionid"].value}
            with httpx.Client(base_url=f"http://{HOST}:{port}", cookies=cookies) as browser:
                for _ in range(5):
                    browser.get(url)
                samples = []
                for _ in range(renders):
                    started = time.perf_counter()
                    response = browser.get(url)
                    samples.append((time.perf_counter() - started) * 1000)
                    if response.status_code != 200:
                        raise SystemExit(f"gunicorn: {url} answered {response.status_code}")
            shown = response.text.count('id="session-')
            p50, p95 = percentile(samples, 0.50), percentile(samples, 0.95)
            print(
                f"  {who:<27} wall p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {max(samples):6.1f} ms"
                f" | {shown} sessions shown"
            )
            if p95 >= 100 or shown != sessions:
                missed.append(f"gunicorn, {who}: p95 {p95:.1f} ms, {shown} sessions shown")
    finally:
        stop(server)
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--learners", type=int, default=5000)
    parser.add_argument("--renders", type=int, default=200, help="timed renders per viewer")
    parser.add_argument("--gunicorn", action="store_true", help="also fetch through gunicorn")
    args = parser.parse_args()

    port = free_port()
    zoomsim = start_zoomsim(port)
    try:
        django_on_fresh_sqlite(zoom_base_url=f"http://{HOST}:{port}")
        from django.conf import settings
        from django.urls import reverse

        print(f"lesson page: 1 event, {args.sessions} sessions, {args.learners:,} learners")
        built = build(args.sessions, args.learners)
    finally:
        stop(zoomsim)
    counter = ConnectionCounter()
    settings.ZOOM_OAUTH_BASE_URL = counter.url
    settings.ZOOM_API_BASE_URL = counter.url + "/v2"
    scene = built["scene"]
    page = reverse("courses:lesson", args=[scene.course.pk, scene.lesson.pk])
    views = [(who, client, page) for who, client in built["clients"].items()]
    views.append(
        ("course builder, edit mode", built["clients"]["course builder"], page + "?edit=1")
    )

    missed: list[str] = []
    for who, client, url in views:
        render_times(client, url, 5)  # warm-up: templates compiled, caches filled
        queries, html = queries_of(client, url)
        shown = html.count('id="session-')
        samples, cpu = render_times(client, url, args.renders)
        p50, p95 = percentile(samples, 0.50), percentile(samples, 0.95)
        print(
            f"  {who:<27} wall p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  max {max(samples):6.1f} ms"
            f" | CPU p50 {percentile(cpu, 0.5):5.1f} ms  p95 {percentile(cpu, 0.95):5.1f} ms"
            f" | {queries} queries, {len(html) / 1024:.0f} KiB, {shown} sessions shown"
        )
        if p95 >= 100 or shown != args.sessions:
            missed.append(f"{who}: p95 {p95:.1f} ms, {shown} sessions shown")
    if args.gunicorn:
        missed += over_gunicorn(views, args.renders, counter.url, args.sessions)
    counter.close()
    print(f"  connections to Zoom while rendering: {counter.accepted}")
    print(f"  load average at the end: {' '.join(f'{n:.1f}' for n in os.getloadavg())}")
    if counter.accepted:
        missed.append(f"{counter.accepted} connections to Zoom")
    if missed:
        raise SystemExit("FAILED: " + "; ".join(missed))


if __name__ == "__main__":
    main()
