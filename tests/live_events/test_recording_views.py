"""The recording view: Range requests answered as a seeking player needs them (206 with
Content-Range, 416 past the end, a malformed range ignored, RFC 9110's edge cases), validators
(a strong ETag, Last-Modified, If-Range, If-None-Match), and only the people of the course
(learners enrolled, the organization's course admins) see anything; everyone else gets 404."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.http import http_date

from courses.models import Course
from live_events.models import LiveEventRecording, LiveEventRecordingStatus
from organizations.models import Organization, Role, User
from tests.django_conftest import People, make_member
from tests.live_events.recording_rows import CONTENT, published_recording

pytestmark = pytest.mark.django_db


def _client(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _url(recording: LiveEventRecording) -> str:
    return reverse("live_events:recording_file", args=[recording.pk])


def _body(answer: object) -> bytes:
    return b"".join(answer.streaming_content)  # type: ignore[attr-defined]


@pytest.fixture
def recording(acme_course: Course) -> LiveEventRecording:
    return published_recording(acme_course)


def test_the_whole_file_says_it_takes_ranges(
    recording: LiveEventRecording, acme_people: People
) -> None:
    answer = _client(acme_people.learner).get(_url(recording))

    assert answer.status_code == 200
    assert answer["Accept-Ranges"] == "bytes"
    assert answer["Content-Type"] == "video/mp4"
    assert answer["Content-Length"] == str(len(CONTENT))
    assert _body(answer) == CONTENT


@pytest.mark.parametrize(
    ("header", "start", "stop"),
    [
        ("bytes=0-99", 0, 100),
        ("bytes=5000-", 5000, len(CONTENT)),
        ("bytes=-240", len(CONTENT) - 240, len(CONTENT)),
        ("bytes=10000-99999", 10000, len(CONTENT)),
        ("bytes=1-" + "9" * 23, 1, len(CONTENT)),
        ("bytes=-" + "9" * 25, 0, len(CONTENT)),
        ("bytes=0000000000000000000000005-9", 5, 10),
        ("bytes=0-1,", 0, 2),
        ("bytes=, 0-1 ,,", 0, 2),
    ],
    ids=[
        "first-bytes",
        "from-here-on",
        "suffix",
        "past-the-end-clipped",
        "huge-last-clipped",
        "huge-suffix-whole",
        "leading-zeros",
        "empty-list-element-dropped",
        "empty-elements-around",
    ],
)
def test_a_range_is_answered_206_with_its_content_range(
    recording: LiveEventRecording, acme_people: People, header: str, start: int, stop: int
) -> None:
    answer = _client(acme_people.learner).get(_url(recording), headers={"Range": header})

    assert answer.status_code == 206
    assert answer["Content-Range"] == f"bytes {start}-{stop - 1}/{len(CONTENT)}"
    assert answer["Content-Length"] == str(stop - start)
    assert _body(answer) == CONTENT[start:stop]


@pytest.mark.parametrize(
    "header", ["bytes=10240-", "bytes=99999-100000", "bytes=-0", "bytes=" + "9" * 20 + "-"]
)
def test_a_range_past_the_end_is_416_with_the_size(
    recording: LiveEventRecording, acme_people: People, header: str
) -> None:
    answer = _client(acme_people.learner).get(_url(recording), headers={"Range": header})

    assert answer.status_code == 416
    assert answer["Content-Range"] == f"bytes */{len(CONTENT)}"


@pytest.mark.parametrize(
    "header",
    [
        "bytes=abc-",
        "bytes=5-2",
        "items=0-5",
        "bytes=0-1,5-6",
        "bytes=٣-",
        "bytes=,",
        "bytes=" + "9" * 5000 + "-1",
        "bytes=" + ",0-1" * 20,
    ],
)
def test_a_malformed_range_is_ignored_and_the_whole_file_served(
    recording: LiveEventRecording, acme_people: People, header: str
) -> None:
    answer = _client(acme_people.learner).get(_url(recording), headers={"Range": header})

    assert answer.status_code == 200
    assert _body(answer) == CONTENT


def test_people_of_the_course_see_it(recording: LiveEventRecording, acme_people: People) -> None:
    for person in (acme_people.learner, acme_people.course_assistant, acme_people.org_admin):
        assert _client(person).get(_url(recording)).status_code == 200, person


def test_outsiders_get_404_and_visitors_the_sign_in_page(
    recording: LiveEventRecording, acme: Organization, globex_admin: User
) -> None:
    not_enrolled = make_member(acme, "elsewhere@acme.example", Role.LEARNER)

    assert _client(not_enrolled).get(_url(recording)).status_code == 404
    assert _client(globex_admin).get(_url(recording)).status_code == 404
    visitor = _client(None).get(_url(recording))
    assert visitor.status_code == 302
    assert "/sign-in" in visitor["Location"] or "login" in visitor["Location"]


def test_a_file_not_yet_imported_is_404_even_for_course_admins(
    recording: LiveEventRecording, acme_people: People
) -> None:
    LiveEventRecording.objects.filter(pk=recording.pk).update(
        status=LiveEventRecordingStatus.IMPORTING
    )

    assert _client(acme_people.org_admin).get(_url(recording)).status_code == 404


def test_post_is_not_allowed(recording: LiveEventRecording, acme_people: People) -> None:
    assert _client(acme_people.learner).post(_url(recording)).status_code == 405


def test_every_answer_carries_a_strong_etag_and_last_modified(
    recording: LiveEventRecording, acme_people: People
) -> None:
    whole = _client(acme_people.learner).get(_url(recording))
    part = _client(acme_people.learner).get(_url(recording), headers={"Range": "bytes=0-9"})

    assert whole["ETag"].startswith('"')  # strong: no W/ prefix
    assert part["ETag"] == whole["ETag"]
    assert recording.imported_at is not None
    assert whole["Last-Modified"] == http_date(int(recording.imported_at.timestamp()))


def test_another_stored_file_has_another_etag(
    recording: LiveEventRecording, acme_course: Course, acme_people: People
) -> None:
    other = published_recording(acme_course, file_id="file-2")

    first = _client(acme_people.learner).get(_url(recording))["ETag"]
    second = _client(acme_people.learner).get(_url(other))["ETag"]

    assert first != second


def test_if_range_with_the_current_etag_or_date_answers_the_range(
    recording: LiveEventRecording, acme_people: People
) -> None:
    client = _client(acme_people.learner)
    whole = client.get(_url(recording))

    for validator in (whole["ETag"], whole["Last-Modified"]):
        answer = client.get(_url(recording), headers={"Range": "bytes=100-", "If-Range": validator})
        assert answer.status_code == 206, validator
        assert _body(answer) == CONTENT[100:]


@pytest.mark.parametrize(
    "if_range",
    ['"another-file"', "W/{etag}", "Wed, 21 Oct 2015 07:28:00 GMT", "not a date"],
    ids=["other-etag", "weak-etag-never-matches", "other-date", "garbage"],
)
def test_if_range_naming_another_file_gets_the_whole_file(
    recording: LiveEventRecording, acme_people: People, if_range: str
) -> None:
    client = _client(acme_people.learner)
    etag = client.get(_url(recording))["ETag"]

    answer = client.get(
        _url(recording), headers={"Range": "bytes=100-", "If-Range": if_range.format(etag=etag)}
    )

    assert answer.status_code == 200
    assert "Content-Range" not in answer
    assert _body(answer) == CONTENT


def test_if_none_match_with_the_current_etag_is_304_without_a_body(
    recording: LiveEventRecording, acme_people: People
) -> None:
    client = _client(acme_people.learner)
    etag = client.get(_url(recording))["ETag"]

    unchanged = client.get(_url(recording), headers={"If-None-Match": etag})
    changed = client.get(_url(recording), headers={"If-None-Match": '"something-else"'})

    assert unchanged.status_code == 304
    assert unchanged["ETag"] == etag
    assert unchanged["Cache-Control"] == "private, no-store"
    assert unchanged.content == b""
    assert changed.status_code == 200
    assert _body(changed) == CONTENT


def test_if_none_match_does_not_show_outsiders_the_file_exists(
    recording: LiveEventRecording, globex_admin: User, acme_people: People
) -> None:
    etag = _client(acme_people.learner).get(_url(recording))["ETag"]

    answer = _client(globex_admin).get(_url(recording), headers={"If-None-Match": etag})

    assert answer.status_code == 404
