"""Bad input to the meeting and registrant endpoints: Zoom's error, never a 500, and no change.

Each case runs against a scene of one registration meeting with one registrant, then checks the
answer (status, Zoom's code, the spec's error shape, the field named in `errors`) and that nothing
changed: the same GET answers over HTTP, and the same simulator state apart from rate-limit
counters (Zoom counts refused requests against the per-second limits too).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_calls import add_registrant, registration_meeting
from tests.zoomsim.meeting_runs import recorded_meeting, run
from tests.zoomsim.openapi_check import assert_matches_spec

CREATE = ("POST", "/users/{userId}/meetings", "/v2/users/acme-host/meetings")
LIST = ("GET", "/users/{userId}/meetings", "/v2/users/acme-host/meetings")
GET = ("GET", "/meetings/{meetingId}", "/v2/meetings/{meeting}")
PATCH = ("PATCH", "/meetings/{meetingId}", "/v2/meetings/{meeting}")
DELETE = ("DELETE", "/meetings/{meetingId}", "/v2/meetings/{meeting}")
ADD = ("POST", "/meetings/{meetingId}/registrants", "/v2/meetings/{meeting}/registrants")
BATCH = (
    "POST",
    "/meetings/{meetingId}/batch_registrants",
    "/v2/meetings/{meeting}/batch_registrants",
)
REGISTRANTS = ("GET", "/meetings/{meetingId}/registrants", "/v2/meetings/{meeting}/registrants")
STATUS = (
    "PUT",
    "/meetings/{meetingId}/registrants/status",
    "/v2/meetings/{meeting}/registrants/status",
)
REMOVE = (
    "DELETE",
    "/meetings/{meetingId}/registrants/{registrantId}",
    "/v2/meetings/{meeting}/registrants/{registrant}",
)
PAST = ("GET", "/past_meetings/{meetingId}", "/v2/past_meetings/{meeting}")
INSTANCES = ("GET", "/past_meetings/{meetingId}/instances", "/v2/past_meetings/{meeting}/instances")
PAST_PARTICIPANTS = (
    "GET",
    "/past_meetings/{meetingId}/participants",
    "/v2/past_meetings/{meeting}/participants",
)
REPORT = (
    "GET",
    "/report/meetings/{meetingId}/participants",
    "/v2/report/meetings/{meeting}/participants",
)
RECORDINGS = ("GET", "/meetings/{meetingId}/recordings", "/v2/meetings/{meeting}/recordings")
BODY_ENDPOINTS = {"create": CREATE, "patch": PATCH, "add": ADD, "batch": BATCH, "status": STATUS}
UNKNOWN_MEETING = "98765432101"


@dataclass
class Case:
    endpoint: tuple[str, str, str]
    status: int
    code: int
    body: Any = None  # JSON to send
    raw: bytes | None = None  # or these exact bytes
    params: dict[str, str] = field(default_factory=dict)
    error_field: str | None = None  # the field Zoom's `errors` must name
    meeting: str | None = None  # instead of the scene's meeting id
    registrant: str | None = None  # instead of the scene's registrant id


def _cases() -> Iterator[Any]:
    def case(case_id: str, *args: Any, **kwargs: Any) -> Any:
        return pytest.param(Case(*args, **kwargs), id=case_id)

    for name, endpoint in BODY_ENDPOINTS.items():
        for raw_id, raw in [
            ("truncated", b'{"topic": "x"'),
            ("array", b"[1, 2]"),
            ("string", b'"topic"'),
            ("null", b"null"),
            ("not-utf8", b"\xff\xfe{}"),
            # Python's decoder takes these; JSON and Zoom do not.
            ("nan", b'{"topic": "x", "duration": NaN}'),
            ("infinity", b'{"topic": "x", "duration": -Infinity}'),
            ("float-overflow", b'{"topic": "x", "duration": 1e999}'),
            ("nested-too-deep", b'{"topic": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        ]:
            yield case(f"{name}-malformed-{raw_id}", endpoint, 400, 300, raw=raw)

    long = "x" * 201
    for name, endpoint in (("create", CREATE), ("patch", PATCH)):
        for field_name, body in [
            ("topic", {"topic": 5}),
            ("topic", {"topic": long}),
            ("type", {"type": "2"}),
            ("type", {"type": True}),
            ("type", {"type": 4}),
            ("start_time", {"start_time": "tomorrow"}),
            ("start_time", {"start_time": 20261201}),
            ("start_time", {"start_time": "2026-13-01T10:00:00"}),
            ("duration", {"duration": "60"}),
            ("duration", {"duration": -5}),
            ("duration", {"duration": 10**30}),
            ("start_time", {"start_time": "9999-12-31T23:59:59", "timezone": "America/New_York"}),
            ("start_time", {"start_time": "0001-01-01T00:00:00", "timezone": "Asia/Tokyo"}),
            ("timezone", {"timezone": "Mars/Olympus_Mons"}),
            ("agenda", {"agenda": "a" * 2001}),
            ("password", {"password": "12345678901"}),
            ("password", {"password": 123456}),
            ("settings", {"settings": "yes"}),
            ("settings.approval_type", {"settings": {"approval_type": 5}}),
            ("settings.host_video", {"settings": {"host_video": "true"}}),
            ("settings.auto_recording", {"settings": {"auto_recording": "tape"}}),
            ("settings.alternative_hosts", {"settings": {"alternative_hosts": 5}}),
            ("settings.breakout_room", {"settings": {"breakout_room": []}}),
            ("tracking_fields", {"tracking_fields": "course"}),
            ("tracking_fields[0].field", {"tracking_fields": [{"value": "x"}]}),
            ("recurrence.type", {"recurrence": {"type": 9}}),
            ("pre_schedule", {"pre_schedule": "no"}),
        ]:
            yield case(
                f"{name}-{field_name}-{json.dumps(body)[:40]}",
                endpoint,
                400,
                300,
                body={"topic": "ok", **body} if "topic" not in body else body,
                error_field=field_name,
            )

    person = {"email": "new@campus.test", "first_name": "New"}
    for field_name, body in [
        ("email", {"first_name": "New"}),
        ("first_name", {"email": "new@campus.test"}),
        ("first_name", {**person, "first_name": "  "}),
        ("email", {**person, "email": "not-an-email"}),
        ("email", {**person, "email": "e" * 120 + "@campus.test"}),
        ("email", {**person, "email": 5}),
        ("first_name", {**person, "first_name": "f" * 65}),
        ("last_name", {**person, "last_name": "l" * 65}),
        ("custom_questions[0].value", {**person, "custom_questions": [{"value": "v" * 129}]}),
        ("custom_questions", {**person, "custom_questions": {"title": "x"}}),
        ("auto_approve", {**person, "auto_approve": "yes"}),
        ("city", {**person, "city": 69000}),
    ]:
        yield case(
            f"add-{field_name}-{len(json.dumps(body))}",
            ADD,
            400,
            300,
            body=body,
            error_field=field_name,
        )

    for case_id, error_field, body in [
        ("missing", "registrants", {}),
        ("not-a-list", "registrants", {"registrants": "x"}),
        ("empty", "registrants", {"registrants": []}),
        ("31", "registrants", {"registrants": [person] * 31}),
        ("item-no-email", "registrants[0].email", {"registrants": [{"first_name": "A"}]}),
        ("item-not-object", "registrants[1]", {"registrants": [person, 5]}),
        ("auto-approve", "auto_approve", {"registrants": [person], "auto_approve": 1}),
    ]:
        yield case(f"batch-{case_id}", BATCH, 400, 300, body=body, error_field=error_field)

    target = [{"email": "learner@campus.test"}]
    for case_id, error_field, body in [
        ("no-action", "action", {"registrants": target}),
        ("bad-action", "action", {"action": "ban", "registrants": target}),
        ("no-registrants", "registrants", {"action": "deny"}),
        ("31", "registrants", {"action": "deny", "registrants": target * 31}),
        ("id-not-string", "registrants[0].id", {"action": "deny", "registrants": [{"id": 5}]}),
        ("nulls", "registrants[0].id", {"action": "deny", "registrants": [{"id": None}]}),
        ("empty-item", "registrants[0].id", {"action": "deny", "registrants": [{}]}),
    ]:
        yield case(f"status-{case_id}", STATUS, 400, 300, body=body, error_field=error_field)

    for name, endpoint, code in [
        ("get", GET, 3001),
        ("patch", PATCH, 3001),
        ("delete", DELETE, 3001),
        ("add", ADD, 1001),
        ("batch", BATCH, 3001),
        ("registrants", REGISTRANTS, 3001),
        ("status", STATUS, 3001),
        ("remove", REMOVE, 3001),
    ]:
        body = {"topic": "x"} if endpoint is PATCH else None
        body = person if endpoint is ADD else body
        body = {"registrants": [person]} if endpoint is BATCH else body
        body = {"action": "deny", "registrants": target} if endpoint is STATUS else body
        for ref in (UNKNOWN_MEETING, "not-a-number"):
            yield case(f"{name}-unknown-meeting-{ref}", endpoint, 404, code, body=body, meeting=ref)

    yield case(
        "create-unknown-user",
        (*CREATE[:2], "/v2/users/nobody@acme.test/meetings"),
        404,
        1001,
        body={"topic": "x"},
    )
    yield case("list-unknown-user", (*LIST[:2], "/v2/users/ghost/meetings"), 404, 1001)
    yield case("remove-unknown-registrant", REMOVE, 400, 300, registrant="nobody")
    yield case("list-bad-type", LIST, 400, 300, params={"type": "someday"})
    yield case("list-bad-page-size", LIST, 400, 300, params={"page_size": "many"})
    yield case("registrants-bad-status", REGISTRANTS, 400, 300, params={"status": "maybe"})
    yield case("registrants-page-size-0", REGISTRANTS, 400, 300, params={"page_size": "0"})
    yield case(
        "registrants-made-up-token", REGISTRANTS, 400, 300, params={"next_page_token": "abc"}
    )
    yield case(
        "delete-bad-reminder-flag", DELETE, 400, 300, params={"schedule_for_reminder": "maybe"}
    )
    yield case("delete-unknown-occurrence", DELETE, 400, 300, params={"occurrence_id": "1"})

    # str.isdigit() is true for "²" (int() refuses it) and "١٢" (int() reads 12), and int()
    # refuses 5,000 digits: none of them is a meeting number, and none may end in a 500.
    not_numbers = [("superscript", "²"), ("arabic-indic", "١٢"), ("5000-digits", "9" * 5000)]
    for name, endpoint, code in [
        ("past", PAST, 3001),
        ("instances", INSTANCES, 3001),
        ("past-participants", PAST_PARTICIPANTS, 3001),
        ("report", REPORT, 3001),
        ("recordings", RECORDINGS, 3301),
    ]:
        for ref_id, ref in not_numbers:
            yield case(f"{name}-meeting-{ref_id}", endpoint, 404, code, meeting=ref)
    for name, endpoint, param in [
        ("list", LIST, "page_size"),
        ("registrants", REGISTRANTS, "page_size"),
        ("recordings", RECORDINGS, "ttl"),
    ]:
        for ref_id, ref in not_numbers:
            yield case(f"{name}-{param}-{ref_id}", endpoint, 400, 300, params={param: ref})


@pytest.fixture
def scene(zoomsim: LiveZoomsim) -> Iterator[tuple[httpx.Client, str, str]]:
    app_scopes = zoomsim.state.apps["campus-client-id"].scopes
    token = zoomsim.token("acme-admin", scopes=[*app_scopes, "meeting:delete:registrant:admin"])
    with zoomsim.client(token) as api:
        meeting_id = str(registration_meeting(api))
        registrant_id = add_registrant(api, meeting_id).json()["registrant_id"]
        yield api, meeting_id, registrant_id


def _observable(zoomsim: LiveZoomsim, api: httpx.Client, meeting_id: str) -> dict[str, Any]:
    meeting = api.get(f"/v2/meetings/{meeting_id}").json()
    meeting.pop("start_url")  # a fresh zak on every GET, as Zoom does
    state = zoomsim.state.to_json()
    state.pop("counters")
    return {
        "meeting": meeting,
        "meetings": api.get("/v2/users/acme-host/meetings").json(),
        "registrants": [
            api.get(f"/v2/meetings/{meeting_id}/registrants", params={"status": status}).json()
            for status in ("approved", "pending", "denied")
        ],
        "state": state,
    }


@pytest.mark.parametrize("case", list(_cases()))
def test_bad_input_gets_zooms_error_and_changes_nothing(
    zoomsim: LiveZoomsim, scene: tuple[httpx.Client, str, str], case: Case
) -> None:
    api, meeting_id, registrant_id = scene
    method, template, path = case.endpoint
    url = path.format(
        meeting=case.meeting or meeting_id, registrant=case.registrant or registrant_id
    )
    before = _observable(zoomsim, api, meeting_id)
    content = case.raw if case.raw is not None else None
    if content is None and case.body is not None:
        content = json.dumps(case.body).encode()
    response = api.request(method, url, content=content, params=case.params)
    assert_matches_spec(response, method, template)
    assert (response.status_code, response.json()["code"]) == (case.status, case.code), (
        response.text
    )
    if case.raw is not None:
        assert response.json()["message"] == "Request Body should be a valid JSON object."
    if case.error_field is not None:
        body = response.json()
        assert body["message"] == "Validation Failed."
        assert case.error_field in [error["field"] for error in body["errors"]], body
    assert _observable(zoomsim, api, meeting_id) == before


def test_all_errors_are_reported_at_once(scene: tuple[httpx.Client, str, str]) -> None:
    api = scene[0]
    response = api.post(
        "/v2/users/acme-host/meetings",
        json={"topic": 1, "duration": "long", "settings": {"audio": "loud"}},
    )
    assert_matches_spec(response, "POST", "/users/{userId}/meetings")
    fields = [error["field"] for error in response.json()["errors"]]
    assert fields == ["topic", "duration", "settings.audio"]


# The control API and the recording file URLs: numbers Python reads but no clock or header can
# hold (NaN, infinity, 1e30 seconds, years before 1970), text that cannot be a header, and digits
# that are not ASCII. Before these were refused, each ended in a 500, some after changing state
# (a meeting started "at" year -3e12, a clock past year 9999 that broke every later answer).
DEEP = b'{"seconds": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"


MINT = b'{"client_id": "campus-client-id", "user_id": "acme-admin", "ttl": '
START = "/_sim/meetings/{meeting}/start"


@pytest.mark.parametrize(
    ("method", "path", "raw"),
    [
        pytest.param(
            "PATCH", "/_sim/knobs", b'{"report_delay": 1' + b"0" * 400 + b"}", id="knob-huge-int"
        ),
        pytest.param("PATCH", "/_sim/knobs", b'{"report_delay": NaN}', id="knob-nan"),
        pytest.param("POST", "/_sim/clock/advance", DEEP, id="advance-nested-too-deep"),
        pytest.param("POST", "/_sim/clock/advance", b'{"seconds": 1e30}', id="advance-past-9999"),
        pytest.param("POST", "/_sim/clock/advance", b'{"seconds": 1e999}', id="advance-infinity"),
        pytest.param(
            "POST",
            "/_sim/clock/advance",
            b'{"seconds": 1' + b"0" * 400 + b"}",
            id="advance-huge-int",
        ),
        pytest.param("POST", "/_sim/tokens", MINT + b"1e300}", id="token-ttl-huge"),
        pytest.param("POST", "/_sim/tokens", MINT + b"NaN}", id="token-ttl-nan"),
        pytest.param(
            "POST",
            "/_sim/faults",
            b'{"path": "/v2/", "retry_after": "1\\r\\nX-Injected: 1"}',
            id="fault-header-injection",
        ),
        pytest.param("POST", START, b'{"at": -1e20}', id="start-at-year-minus-3e12"),
        pytest.param("POST", START, b'{"at": "0001-01-01T00:00:00+00:00"}', id="start-at-year-1"),
        pytest.param("POST", START, b'{"at": 1' + b"0" * 400 + b"}", id="start-at-huge-int"),
        pytest.param(
            "POST",
            "/_sim/meetings/{meeting}/run",
            b'{"start_time": -1e20, "participants": []}',
            id="run-start-year-minus-3e12",
        ),
        pytest.param(
            "PATCH", "/_sim/apps/campus-client-id", b'{"webhook_url": "http://[::1/"}', id="bad-url"
        ),
        pytest.param("GET", "/_sim/meetings/²/registrants", None, id="registrants-superscript"),
        pytest.param("GET", "/_sim/instances?meeting=²", None, id="instances-superscript"),
        pytest.param("GET", "/_sim/recordings?meeting=" + "9" * 5000, None, id="recordings-5000"),
    ],
)
def test_control_api_refuses_what_no_clock_or_header_can_hold(
    zoomsim: LiveZoomsim,
    scene: tuple[httpx.Client, str, str],
    control: httpx.Client,
    method: str,
    path: str,
    raw: bytes | None,
) -> None:
    meeting_id = scene[1]
    before = _control_state(zoomsim)
    response = control.request(method, path.format(meeting=meeting_id), content=raw)
    assert response.status_code == 400, response.text
    assert set(response.json()) == {"code", "message"}
    assert _control_state(zoomsim) == before
    health = control.get("/_sim/health")
    assert health.status_code == 200, health.text


def _control_state(zoomsim: LiveZoomsim) -> dict[str, Any]:
    state = zoomsim.state.to_json()
    state.pop("counters")
    state.pop("deliveries")  # attempts run in the background
    return state


def test_recording_file_urls_refuse_odd_signatures_and_ignore_odd_ranges(
    api: httpx.Client, control: httpx.Client, processed_at_once: None
) -> None:
    meeting_id = recorded_meeting(api)
    run(control, meeting_id, [{"user_id": "acme-host"}, {"guest_name": "Sam"}], 30)
    files = api.get(f"/v2/meetings/{meeting_id}/recordings").json()["recording_files"]
    signed = api.get(files[0]["download_url"]).headers["location"]
    whole = control.get(signed)
    assert whole.status_code == 200

    file_path = signed.split("?")[0]
    for query in ("exp=1&sig=ü", "exp=²&sig=x", "exp=" + "9" * 5000 + "&sig=x"):
        refused = control.get(f"{file_path}?{query}")
        assert refused.status_code == 403, refused.text
        assert refused.json()["message"] == "The link has expired or is invalid."
    # A Range header that is not ASCII digits is ignored (RFC 9110): the whole file.
    for odd_range in (b"bytes=\xb2-", b"bytes=-\xb2", b"bytes=" + b"9" * 5000 + b"-"):
        served = control.get(signed, headers={"Range": odd_range})
        assert (served.status_code, served.content) == (200, whole.content)
