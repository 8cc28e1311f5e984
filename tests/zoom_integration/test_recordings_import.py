"""Importing one large recording file from zoomsim over HTTP: streamed (the worker's memory stays
flat however large the file), resumed with Range after the connection drops mid-download, and a
size that does not match Zoom's `file_size` refused (no file on the page), then retried."""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
import tracemalloc
from pathlib import Path

import httpx
import pytest
from pytest_django.fixtures import Settings

from courses.models import Course
from live_events.models import LiveEventRecording, LiveEventRecordingStatus, LiveEventSession
from live_events.recording_services import live_event_recordings_to_import
from organizations.models import Organization
from tests.django_conftest import People
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.live_event_scenes import make_due_now, run_due_work
from tests.zoom_integration.recording_scenes import (
    advance_zoom_clock,
    deliver_to_campus,
    knobs,
    recorded_event,
    recording_completed_bodies,
    run_meeting,
)
from tests.zoom_integration.zoom_account_scenes import Connect
from work.models import WorkItem, WorkState
from zoom_integration.services.recordings import (
    IMPORT_KIND,
    IMPORT_TRIES,
    zoom_recordings_import_request,
)
from zoomsim.media import generated_bytes

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024


@pytest.fixture
def on_zoom(
    zoomsim: LiveZoomsim, acme: Organization, acme_people: People, connect_acme_account: Connect
) -> Organization:
    connect_acme_account(acme, acme_people.org_admin)
    return acme


@pytest.fixture(autouse=True)
def _downloads_in_tmp(settings: Settings, tmp_path: Path) -> None:
    settings.RECORDING_DOWNLOAD_DIR = tmp_path / "downloads"


def _listed_not_imported(
    zoomsim: LiveZoomsim, organization: Organization, people: People, course: Course
) -> LiveEventSession:
    """A meeting whose recording Campus has listed (from `recording.completed`), not imported."""
    session = recorded_event(
        organization=organization,
        builder=people.course_builder,
        course=course,
        auto_upload=False,
    )
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)
    deliver_to_campus(body)
    return session


def _video(session: LiveEventSession) -> LiveEventRecording:
    return LiveEventRecording.objects.get(session=session, file_type="MP4")


def _sha256_of_generated(file_id: str, size: int) -> str:
    digest = hashlib.sha256()
    for chunk in generated_bytes(file_id, 0, size):
        digest.update(chunk)
    return digest.hexdigest()


def _sha256_of_stored(recording: LiveEventRecording) -> str:
    digest = hashlib.sha256()
    with recording.file.open("rb") as stored:
        for chunk in stored.chunks():
            digest.update(chunk)
    return digest.hexdigest()


def _peak_rss() -> int:
    """This process's peak resident set size (Linux's VmHWM), in bytes; 0 elsewhere."""
    status = Path("/proc/self/status")
    if not status.exists():
        return 0
    for line in status.read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def _peak_rss_reset() -> int:
    """Start the peak again from the current RSS (Linux: `5` to /proc/self/clear_refs)."""
    clear = Path("/proc/self/clear_refs")
    if clear.exists():
        clear.write_text("5")
    return _peak_rss()


def _import(session: LiveEventSession) -> None:
    zoom_recordings_import_request(
        session=session, recording_ids=live_event_recordings_to_import(session=session)
    )
    run_due_work()


def test_a_large_file_is_streamed_with_memory_far_below_its_size(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
) -> None:
    # 48 MiB by default; CAMPUS_TEST_RECORDING_MIB measures a larger file by hand.
    size = int(os.environ.get("CAMPUS_TEST_RECORDING_MIB", "48")) * MIB
    knobs(zoomsim, recording_delay=60, large_recording_bytes=size)
    settings.RECORDING_PIECE_BYTES = 16 * MIB
    session = _listed_not_imported(zoomsim, on_zoom, acme_people, acme_course)

    rss_before = _peak_rss_reset()
    tracemalloc.start()
    started = time.monotonic()
    try:
        _import(session)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    seconds = time.monotonic() - started
    print(
        f"imported {size / MIB:.0f} MiB in {seconds:.1f} s, peak {peak / MIB:.2f} MiB traced; "
        f"process RSS {rss_before / MIB:.0f} MiB before, peak {_peak_rss() / MIB:.0f} MiB during"
    )

    video = _video(session)
    assert video.is_published
    assert video.file.size == size
    assert _sha256_of_stored(video) == _sha256_of_generated(video.zoom_file_id or "", size)
    # Python's peak allocation (both ends of the download run in this process) during the import
    # of a 48 MiB file: a few 1 MiB chunks, never the file.
    assert peak < 8 * MIB, f"peak {peak / MIB:.1f} MiB"


def test_a_download_dropped_mid_way_resumes_with_range_from_what_arrived(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    size = 6 * MIB
    knobs(zoomsim, recording_delay=60, large_recording_bytes=size)
    settings.RECORDING_PIECE_BYTES = 1 * MIB
    session = _listed_not_imported(zoomsim, on_zoom, acme_people, acme_course)
    # Each call to Zoom takes 100 ms: time for the watcher below to cut the connection once the
    # first megabytes are in.
    knobs(zoomsim, latency_ms=100)
    partial_dir = tmp_path / "downloads"
    dropped = threading.Event()

    def drop_once_bytes_arrived() -> None:
        for _ in range(2000):
            parts = list(partial_dir.glob("*.part")) if partial_dir.exists() else []
            if parts and parts[0].stat().st_size >= 2 * MIB:
                answer = httpx.post(
                    f"{zoomsim.base_url}/_sim/faults",
                    json={"path": "^/rec/file/", "count": 1, "drop_connection": True},
                )
                assert answer.status_code == 201
                dropped.set()
                return
            dropped.wait(0.005)

    watcher = threading.Thread(target=drop_once_bytes_arrived)
    watcher.start()
    _import(session)
    watcher.join()

    assert dropped.is_set()
    video = _video(session)
    assert not video.is_published  # never half a file on the page
    assert "interrupted" in video.problem
    [part] = partial_dir.glob("*.part")
    kept = part.stat().st_size
    assert 2 * MIB <= kept < size
    item = WorkItem.objects.get(kind=IMPORT_KIND, payload__recording_id=video.pk)
    # The try brought bytes before the drop: it comes back, without counting as a try used up.
    assert (item.state, item.attempts) == (WorkState.PENDING, 0)

    knobs(zoomsim, latency_ms=0)
    caplog.set_level(logging.INFO, logger="zoom_integration.recordings")
    make_due_now()
    run_due_work()

    video.refresh_from_db()
    assert video.is_published
    resumed = [r for r in caplog.records if r.getMessage() == "zoom.recording.resuming"]
    assert [getattr(r, "offset", None) for r in resumed] == [kept]
    assert _sha256_of_stored(video) == _sha256_of_generated(video.zoom_file_id or "", size)
    assert not list(partial_dir.glob("*.part"))


def test_a_try_that_brought_bytes_before_zoom_failed_is_not_a_try_used_up(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
    tmp_path: Path,
) -> None:
    """A long download on a flaky line (Zoom's 5xx now and then) must not run out of tries while
    every try gets further: here the row has a single try, and a 500 comes after 2 MiB."""
    size = 6 * MIB
    knobs(zoomsim, recording_delay=60, large_recording_bytes=size)
    settings.RECORDING_PIECE_BYTES = 1 * MIB
    session = _listed_not_imported(zoomsim, on_zoom, acme_people, acme_course)
    video = _video(session)
    knobs(zoomsim, latency_ms=100)  # time for the watcher to add the fault once 2 MiB are in
    partial_dir = tmp_path / "downloads"
    failed = threading.Event()

    def fail_the_next_piece_once_bytes_arrived() -> None:
        for _ in range(2000):
            parts = list(partial_dir.glob("*.part")) if partial_dir.exists() else []
            if parts and parts[0].stat().st_size >= 2 * MIB:
                answer = httpx.post(
                    f"{zoomsim.base_url}/_sim/faults",
                    json={"path": "^/rec/download/", "count": 1, "status": 500},
                )
                assert answer.status_code == 201
                failed.set()
                return
            failed.wait(0.005)

    zoom_recordings_import_request(session=session, recording_ids=[video.pk])
    WorkItem.objects.filter(kind=IMPORT_KIND).update(max_attempts=1)
    watcher = threading.Thread(target=fail_the_next_piece_once_bytes_arrived)
    watcher.start()
    run_due_work()
    watcher.join()

    assert failed.is_set()
    video.refresh_from_db()
    assert video.status == LiveEventRecordingStatus.IMPORTING  # not failed, not published
    assert "interrupted" in video.problem
    item = WorkItem.objects.get(kind=IMPORT_KIND, payload__recording_id=video.pk)
    assert (item.state, item.attempts, item.max_attempts) == (WorkState.PENDING, 0, 1)
    [part] = partial_dir.glob("*.part")
    assert 2 * MIB <= part.stat().st_size < size

    knobs(zoomsim, latency_ms=0)
    make_due_now()
    run_due_work()

    video.refresh_from_db()
    assert video.is_published
    assert _sha256_of_stored(video) == _sha256_of_generated(video.zoom_file_id or "", size)
    assert not list(partial_dir.glob("*.part"))


def test_a_size_that_differs_from_zooms_file_size_is_refused_then_retried(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
    tmp_path: Path,
) -> None:
    listed_size = 3 * MIB
    knobs(zoomsim, recording_delay=60, large_recording_bytes=listed_size)
    settings.RECORDING_PIECE_BYTES = 1 * MIB
    session = _listed_not_imported(zoomsim, on_zoom, acme_people, acme_course)
    video = _video(session)
    assert video.file_size == listed_size
    # Zoom now serves a file 1,000 bytes shorter than it listed.
    served_size = listed_size - 1000
    zoomsim.state.recordings[video.zoom_file_id or ""].file_size = served_size

    _import(session)

    video.refresh_from_db()
    assert not video.is_published
    assert video.status == LiveEventRecordingStatus.IMPORTING
    assert f"Zoom serves {served_size} bytes but listed the file as {listed_size}" in video.problem
    assert not list((tmp_path / "downloads").glob("*.part"))  # the wrong bytes are not kept
    assert video.file_size == served_size  # Zoom's listing read again
    item = WorkItem.objects.get(kind=IMPORT_KIND, payload__recording_id=video.pk)
    assert (item.state, item.attempts) == (WorkState.PENDING, 1)

    make_due_now()
    run_due_work()

    video.refresh_from_db()
    assert video.is_published
    assert video.file.size == served_size


def test_an_import_out_of_tries_says_so_and_can_be_imported_again(
    zoomsim: LiveZoomsim,
    on_zoom: Organization,
    acme_people: People,
    acme_course: Course,
    settings: Settings,
) -> None:
    knobs(zoomsim, recording_delay=60, large_recording_bytes=2 * MIB)
    session = _listed_not_imported(zoomsim, on_zoom, acme_people, acme_course)
    video = _video(session)
    fault_every_file = httpx.post(
        f"{zoomsim.base_url}/_sim/faults",
        json={"path": f"^/rec/download/{video.zoom_file_id}", "count": -1, "status": 500},
    ).json()["id"]
    zoom_recordings_import_request(session=session, recording_ids=[video.pk])
    assert WorkItem.objects.get(kind=IMPORT_KIND).max_attempts == IMPORT_TRIES
    WorkItem.objects.filter(kind=IMPORT_KIND).update(max_attempts=2)
    run_due_work()
    make_due_now()
    run_due_work()

    video.refresh_from_db()
    assert WorkItem.objects.get(kind=IMPORT_KIND).state == WorkState.FAILED
    assert video.status == LiveEventRecordingStatus.FAILED
    assert video.problem.startswith("Import stopped after 2 tries")

    httpx.delete(f"{zoomsim.base_url}/_sim/faults/{fault_every_file}")
    _import(session)  # the Import button again

    video.refresh_from_db()
    assert video.is_published
