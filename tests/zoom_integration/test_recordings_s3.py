"""The S3 path: with django-storages' S3 backend as STORAGES["default"], pointed at moto's
standalone S3 server on this machine, a recording imported from zoomsim lands in the bucket
whole, and the lesson page's player is served ranges of it (206, 416) without copying the
object first."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django.fixtures import Settings

from courses.models import Course
from live_events.models import LiveEventRecording
from organizations.models import Organization
from tests.django_conftest import People
from tests.support.moto_s3 import MotoS3, moto_server
from tests.support.zoomsim_server import LiveZoomsim
from tests.zoom_integration.recording_scenes import (
    advance_zoom_clock,
    deliver_to_campus,
    knobs,
    recorded_event,
    recording_completed_bodies,
    run_meeting,
)
from tests.zoom_integration.zoom_account_scenes import Connect
from zoomsim.media import generated_bytes

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
BUCKET = "campus-recordings"


@pytest.fixture(scope="module")
def moto() -> Iterator[MotoS3]:
    yield from moto_server()


@pytest.fixture
def s3_storage(moto: MotoS3, settings: Settings, tmp_path: Path) -> MotoS3:
    client = moto.client()
    if BUCKET not in [b["Name"] for b in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": moto.storage_options(BUCKET),
        },
    }
    settings.RECORDING_DOWNLOAD_DIR = tmp_path / "downloads"
    settings.RECORDING_PIECE_BYTES = 2 * MIB
    return moto


def test_an_imported_recording_is_in_the_bucket_and_served_in_ranges(
    zoomsim: LiveZoomsim,
    acme: Organization,
    acme_people: People,
    acme_course: Course,
    connect_acme_account: Connect,
    s3_storage: MotoS3,
) -> None:
    connect_acme_account(acme, acme_people.org_admin)
    size = 5 * MIB + 123
    knobs(zoomsim, recording_delay=90, large_recording_bytes=size)
    session = recorded_event(
        organization=acme, builder=acme_people.course_builder, course=acme_course
    )
    run_meeting(zoomsim, session)
    advance_zoom_clock(zoomsim, 120)
    [body] = recording_completed_bodies(zoomsim)

    deliver_to_campus(body)

    video = LiveEventRecording.objects.get(session=session, file_type="MP4")
    assert video.is_published
    head = s3_storage.client().head_object(Bucket=BUCKET, Key=video.file.name)
    assert head["ContentLength"] == size
    expected = b"".join(generated_bytes(video.zoom_file_id or "", 0, size))
    stored = s3_storage.client().get_object(Bucket=BUCKET, Key=video.file.name)["Body"].read()
    assert hashlib.sha256(stored).digest() == hashlib.sha256(expected).digest()

    learner = Client()
    learner.force_login(acme_people.learner)
    url = reverse("live_events:recording_file", args=[video.pk])
    start = 3 * MIB + 7
    seek = learner.get(url, headers={"Range": f"bytes={start}-{start + 999}"})
    assert seek.status_code == 206
    assert seek["Content-Range"] == f"bytes {start}-{start + 999}/{size}"
    assert b"".join(seek.streaming_content) == expected[start : start + 1000]  # type: ignore[attr-defined]
    assert learner.get(url, headers={"Range": f"bytes={size}-"}).status_code == 416
    whole = learner.get(url)
    assert whole.status_code == 200
    assert b"".join(whole.streaming_content) == expected  # type: ignore[attr-defined]
