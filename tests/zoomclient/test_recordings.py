from __future__ import annotations

import hashlib
import io
from datetime import UTC, date, datetime, timedelta

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.conftest import MintingTokenSource
from tests.zoomclient.meeting_runs import (
    RECORDING_DELAY,
    meeting_with_registrants,
    run_meeting,
    wait_for_processing,
)
from tests.zoomsim.meeting_runs import events, wait_for_event
from zoomclient import (
    MeetingRecordings,
    ZoomClient,
    ZoomDownloadInterrupted,
    ZoomEndpoints,
    ZoomNotFound,
    ZoomUnauthorized,
)
from zoomsim.model import FaultRule

FIXTURE_MP4 = "src/zoomsim/fixtures/recording.mp4"


class Stop(Exception):
    """The worker dies mid-download."""


def recorded_meeting(zoomsim: LiveZoomsim, client: ZoomClient) -> tuple[str, MeetingRecordings]:
    """A recorded meeting that ended, once Zoom has processed its recording."""
    meeting_id, registrant_ids = meeting_with_registrants(client, 1, auto_recording="cloud")
    uuid = run_meeting(zoomsim, meeting_id, [{"registrant_id": registrant_ids[0]}], 30)["uuid"]
    wait_for_processing(zoomsim, RECORDING_DELAY)
    return uuid, client.list_recordings(uuid, include_download_access_token=True)


def test_recordings_are_3301_until_zoom_has_processed_them(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    meeting_id, registrant_ids = meeting_with_registrants(client, 1, auto_recording="cloud")
    uuid = run_meeting(zoomsim, meeting_id, [{"registrant_id": registrant_ids[0]}], 30)["uuid"]
    with zoomsim.client() as control:
        assert events(control, "recording.completed") == []
    wait_for_processing(zoomsim, RECORDING_DELAY - 1)
    with pytest.raises(ZoomNotFound) as raised:
        client.list_recordings(uuid)
    assert raised.value.code == 3301
    wait_for_processing(zoomsim, 1)
    assert len(client.list_recordings(uuid).recording_files) == 3
    with zoomsim.client() as control:
        assert wait_for_event(control, "recording.completed")["payload"]["object"]["uuid"] == uuid


def mp4_of(recordings: MeetingRecordings) -> tuple[str, int]:
    [mp4] = [f for f in recordings.recording_files if f.file_type == "MP4"]
    assert mp4.is_ready
    return mp4.download_url, mp4.file_size


def expected_mp4() -> bytes:
    with open(FIXTURE_MP4, "rb") as handle:
        return handle.read()


def test_recordings_list_files_and_a_download_access_token(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    uuid, recordings = recorded_meeting(zoomsim, client)
    assert recordings.uuid == uuid
    assert {f.file_type for f in recordings.recording_files} == {"MP4", "TRANSCRIPT", "CHAT"}
    assert all(f.meeting_uuid == uuid for f in recordings.recording_files)
    assert recordings.download_access_token
    assert recordings.download_access_token not in repr(recordings)
    assert client.list_recordings(uuid).download_access_token is None


def test_download_streams_the_file_with_the_oauth_token(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    _, recordings = recorded_meeting(zoomsim, client)
    url, size = mp4_of(recordings)
    buffer = io.BytesIO()
    result = client.download_recording_file(url, buffer)
    assert buffer.getvalue() == expected_mp4()
    assert (result.bytes_written, result.total_size, result.complete) == (size, size, True)
    assert result.content_type == "video/mp4"


def test_download_with_a_download_token_alone(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints, client: ZoomClient
) -> None:
    _, recordings = recorded_meeting(zoomsim, client)
    url, _ = mp4_of(recordings)
    dead = MintingTokenSource(zoomsim, token="not-an-oauth-token")
    with zoomsim.client() as control:
        webhook_token = wait_for_event(control, "recording.completed")["download_token"]
    with ZoomClient(endpoints, dead) as zoom:
        # Both go in the Authorization header: zoomsim, like Zoom since 2023, refuses them in
        # the URL (`?access_token=`).
        for token in (recordings.download_access_token, webhook_token):
            buffer = io.BytesIO()
            zoom.download_recording_file(url, buffer, access_token=token)
            assert buffer.getvalue() == expected_mp4()
        # An explicit token has nothing to refresh to: a rejection is final.
        with pytest.raises(ZoomUnauthorized):
            zoom.download_recording_file(url, io.BytesIO(), access_token="dl-forged")
    assert dead.refreshes == []


def test_a_download_cut_short_resumes_with_a_range_request(
    zoomsim: LiveZoomsim, client: ZoomClient, spec_checked_http: httpx.Client
) -> None:
    _, recordings = recorded_meeting(zoomsim, client)
    url, size = mp4_of(recordings)
    received = bytearray()
    file_answers: list[tuple[str | None, int]] = []

    def note_file_answer(response: httpx.Response) -> None:
        if response.request.url.path.startswith("/rec/file/"):
            file_answers.append((response.request.headers.get("Range"), response.status_code))

    hooks = spec_checked_http.event_hooks
    spec_checked_http.event_hooks = {**hooks, "response": [*hooks["response"], note_file_answer]}

    def write_until_killed(chunk: bytes) -> None:
        if len(received) >= 4096:
            raise Stop
        received.extend(chunk)

    with pytest.raises(Stop):
        client.download_recording_file(url, write_until_killed, chunk_size=1024)
    assert 0 < len(received) < size

    resumed = client.download_recording_file(url, received.extend, offset=len(received))
    assert bytes(received) == expected_mp4()
    assert resumed.offset == 4096
    assert resumed.total_size == size
    assert resumed.complete
    # Only the rest was asked for and sent (the redirect kept the Range header).
    assert file_answers[-1] == ("bytes=4096-", 206)


def test_a_piece_of_the_file_is_asked_with_a_bounded_range(
    zoomsim: LiveZoomsim, client: ZoomClient, spec_checked_http: httpx.Client
) -> None:
    _, recordings = recorded_meeting(zoomsim, client)
    url, size = mp4_of(recordings)
    asked: list[str | None] = []

    def note_range(response: httpx.Response) -> None:
        if response.request.url.path.startswith("/rec/file/"):
            asked.append(response.request.headers.get("Range"))

    hooks = spec_checked_http.event_hooks
    spec_checked_http.event_hooks = {**hooks, "response": [*hooks["response"], note_range]}
    received = bytearray()

    first = client.download_recording_file(url, received.extend, stop=1000)
    second = client.download_recording_file(url, received.extend, offset=1000, stop=size)

    assert asked == ["bytes=0-999", f"bytes=1000-{size - 1}"]
    assert (first.bytes_written, first.total_size, first.complete) == (1000, size, False)
    assert second.complete
    assert bytes(received) == expected_mp4()
    with pytest.raises(ValueError, match="stop must be after offset"):
        client.download_recording_file(url, received.extend, offset=10, stop=10)


def test_a_large_file_arrives_in_chunks(zoomsim: LiveZoomsim, client: ZoomClient) -> None:
    zoomsim.state.knobs.large_recording_bytes = 3 * 1024 * 1024 + 17
    _, recordings = recorded_meeting(zoomsim, client)
    url, size = mp4_of(recordings)
    [mp4] = [f for f in recordings.recording_files if f.file_type == "MP4"]
    digest = hashlib.sha256()
    chunk_sizes: list[int] = []

    def consume(chunk: bytes) -> None:
        chunk_sizes.append(len(chunk))
        digest.update(chunk)

    result = client.download_recording_file(url, consume, chunk_size=256 * 1024)
    assert result.bytes_written == size == sum(chunk_sizes)
    assert max(chunk_sizes) <= 256 * 1024
    # zoomsim's generated content: byte i is block[i % 65536], block = the sha256 digests of
    # f"{file_id}:{k}" for k in 0..2047 (docs/zoomsim).
    block = b"".join(hashlib.sha256(f"{mp4.id}:{k}".encode()).digest() for k in range(2048))
    expected = hashlib.sha256((block * (size // len(block) + 1))[:size]).hexdigest()
    assert digest.hexdigest() == expected


def test_a_dropped_download_says_how_far_it_got(zoomsim: LiveZoomsim, client: ZoomClient) -> None:
    _, recordings = recorded_meeting(zoomsim, client)
    url, _ = mp4_of(recordings)
    zoomsim.state.faults["cut"] = FaultRule(
        id="cut", path_pattern="^/rec/file/", drop_connection=True
    )
    with pytest.raises(ZoomDownloadInterrupted) as raised:
        client.download_recording_file(url, io.BytesIO())
    assert (raised.value.offset, raised.value.bytes_written) == (0, 0)


def test_deleted_recordings_are_not_found_3301(zoomsim: LiveZoomsim, client: ZoomClient) -> None:
    uuid, recordings = recorded_meeting(zoomsim, client)
    [chat] = [f for f in recordings.recording_files if f.file_type == "CHAT"]
    client.delete_recording_file(uuid, chat.id)
    assert len(client.list_recordings(uuid).recording_files) == 2
    client.delete_recordings(uuid)
    with pytest.raises(ZoomNotFound) as raised:
        client.list_recordings(uuid)
    assert raised.value.code == 3301


def test_a_download_with_an_expired_oauth_token_refreshes_once(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints, client: ZoomClient
) -> None:
    _, recordings = recorded_meeting(zoomsim, client)
    url, _ = mp4_of(recordings)
    expired = zoomsim.token("acme-admin", ttl=-1)
    tokens = MintingTokenSource(zoomsim, token=expired)
    buffer = io.BytesIO()
    with ZoomClient(endpoints, tokens) as zoom:
        zoom.download_recording_file(url, buffer)
    assert tokens.refreshes == [expired]
    assert buffer.getvalue() == expected_mp4()


# --- a host's recordings ---------------------------------------------------------------------


def sim_today(zoomsim: LiveZoomsim) -> date:
    with zoomsim.client() as control:
        now = control.get("/_sim/clock").json()["now"]
    return datetime.fromtimestamp(now, tz=UTC).date()


def test_a_hosts_recordings_are_found_by_date_across_pages(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    # What the polling safety net does: find recordings by host and day, in case a
    # recording.completed webhook never arrived.
    first, _ = recorded_meeting(zoomsim, client)
    zoomsim.state.clock.advance(60)
    second, _ = recorded_meeting(zoomsim, client)
    today = sim_today(zoomsim)
    found = client.list_user_recordings(
        "acme-host", from_date=today - timedelta(days=1), to_date=today, page_size=1
    )
    assert client.last_rate_limit.category == "Medium"
    assert [recordings.uuid for recordings in found] == [second, first]  # newest first
    assert all(len(recordings.recording_files) == 3 for recordings in found)
    assert all(recordings.download_access_token is None for recordings in found)
    by_email = client.list_user_recordings(
        "host@acme.test", from_date=today - timedelta(days=1), to_date=today
    )
    assert [recordings.uuid for recordings in by_email] == [second, first]


def test_a_hosts_recording_is_listed_once_zoom_has_processed_it(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    meeting_id, registrant_ids = meeting_with_registrants(client, 1, auto_recording="cloud")
    uuid = run_meeting(zoomsim, meeting_id, [{"registrant_id": registrant_ids[0]}], 30)["uuid"]
    today = sim_today(zoomsim)
    window = {"from_date": today - timedelta(days=1), "to_date": today}
    assert client.list_user_recordings("acme-host", **window) == []
    wait_for_processing(zoomsim, RECORDING_DELAY)
    [found] = client.list_user_recordings("acme-host", meeting_id=meeting_id, **window)
    assert found.uuid == uuid
    # Downloadable with the connection's token, as the list gives no download token.
    buffer = io.BytesIO()
    client.download_recording_file(mp4_of(found)[0], buffer)
    assert buffer.getvalue() == expected_mp4()


@pytest.mark.parametrize(
    ("from_date", "to_date", "message"),
    [
        (date(2026, 10, 31), date(2026, 12, 1), "no earlier than 2026-11-01"),
        (date(2026, 2, 27), date(2026, 3, 31), "no earlier than 2026-02-28"),
        (date(2026, 12, 2), date(2026, 12, 1), "before"),
        (datetime(2026, 12, 1, tzinfo=UTC), date(2026, 12, 1), "must be a date"),
    ],
)
def test_a_range_zoom_would_cut_short_is_refused_before_calling(
    client: ZoomClient, from_date: date, to_date: date, message: str
) -> None:
    # Zoom answers a range over a month with the last month only, silently (zoom/api#36).
    with pytest.raises(ValueError, match=message):
        client.list_user_recordings("acme-host", from_date=from_date, to_date=to_date)


def test_exactly_a_month_is_allowed(client: ZoomClient) -> None:
    found = client.list_user_recordings(
        "acme-host", from_date=date(2026, 11, 1), to_date=date(2026, 12, 1)
    )
    assert found == []
