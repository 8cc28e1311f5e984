"""The lesson page of a Zoom live event reads a fixed number of database queries, whether the
event has 1 session and 10 registered learners or 50 sessions and 500, and renders without a
single call to Zoom (issue 7, figure 2; the timing is bench/lesson_page_render.py).

The organization is connected to zoomsim for real (server-to-server credentials, over HTTP), so
the page has every reason to call Zoom it could have. Then Campus's Zoom URLs are pointed at a
listening socket that only counts connections: any call the page made, even one that failed,
would show there.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.fixtures import Settings

from organizations.models import Organization, Role, User
from tests.django_conftest import People, make_member, signed_in
from tests.live_events.lesson_page_scene import HOST_EMAIL, LessonPageScene, lesson_page_scene
from tests.support.zoomsim_fixtures import zoomsim_server  # noqa: F401
from tests.support.zoomsim_server import LiveZoomsim
from zoom_integration.services.connection import zoom_connect_server_to_server


class ConnectionCounter:
    """A loopback socket that accepts connections, counts them and closes them unanswered."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
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


@pytest.fixture
def zoom_counter(
    zoomsim_server: LiveZoomsim,  # noqa: F811
    settings: Settings,
    acme: Organization,
    acme_people: People,
) -> Iterator[ConnectionCounter]:
    """Acme connected to zoomsim's acct-acme, then Campus's Zoom URLs aimed at the counter."""
    zoomsim_server.reset()
    settings.ZOOM_OAUTH_BASE_URL = zoomsim_server.base_url
    settings.ZOOM_API_BASE_URL = zoomsim_server.base_url + "/v2"
    zoom_connect_server_to_server(
        organization=acme,
        actor=acme_people.org_admin,
        account_id="acct-acme",
        client_id="acme-s2s-client-id",
        client_secret="acme-s2s-secret",
    )
    counter = ConnectionCounter()
    settings.ZOOM_OAUTH_BASE_URL = counter.url
    settings.ZOOM_API_BASE_URL = counter.url + "/v2"
    yield counter
    counter.close()


def _queries_of_render(client: Client, scene: LessonPageScene) -> int:
    url = reverse("courses:lesson", args=[scene.course.pk, scene.lesson.pk])
    assert client.get(url).status_code == 200  # warm: the first request fills Django's caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    # The page really shows what the scene holds: every session, with its seats taken.
    assert html.count('class="session') >= len(scene.sessions)
    per_session = scene.learners // len(scene.sessions)
    # The viewer's registration is one more in the last session.
    last = per_session + (1 if scene.viewer is not None else 0)
    assert html.count(f"60 minutes · {per_session} registered") >= len(scene.sessions) - 1
    assert f"60 minutes · {last} registered" in html
    # And each session's attendance: its status for Course Admins, the learner's own row.
    if "data-my-attendance" in html:
        assert html.count("You were there 45 min") == 1
    else:
        assert html.count("attendance fetched") == len(scene.sessions)
    return len(captured.captured_queries)


def test_the_lesson_page_reads_the_same_queries_for_1_or_50_sessions_and_no_zoom(
    acme: Organization, acme_people: People, zoom_counter: ConnectionCounter
) -> None:
    viewer = acme_people.learner
    small = lesson_page_scene(
        organization=acme, title="Small", sessions=1, learners=10, viewer=viewer
    )
    large = lesson_page_scene(
        organization=acme, title="Large", sessions=50, learners=500, viewer=viewer
    )
    host: User = make_member(acme, HOST_EMAIL, Role.COURSE_ADMIN)
    viewers = {
        "learner": signed_in(viewer),
        "course builder": signed_in(acme_people.course_builder),
        "host": signed_in(host),
    }

    counts = {
        who: (_queries_of_render(client, small), _queries_of_render(client, large))
        for who, client in viewers.items()
    }

    assert all(small_count == large_count for small_count, large_count in counts.values()), counts
    assert zoom_counter.accepted == 0


def test_the_builders_edit_mode_reads_the_same_queries_too(
    acme: Organization, acme_people: People, zoom_counter: ConnectionCounter
) -> None:
    small = lesson_page_scene(organization=acme, title="Small", sessions=1, learners=10)
    large = lesson_page_scene(organization=acme, title="Large", sessions=50, learners=500)
    client = signed_in(acme_people.course_builder)

    def edit_mode_queries(scene: LessonPageScene) -> int:
        url = reverse("courses:lesson", args=[scene.course.pk, scene.lesson.pk]) + "?edit=1"
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        assert ">EDIT<" in response.content.decode()
        return len(captured.captured_queries)

    assert edit_mode_queries(small) == edit_mode_queries(large)
    assert zoom_counter.accepted == 0
