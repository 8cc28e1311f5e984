"""Zoom's error answers, as the one error tree (zoomclient.errors) presents them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.conftest import MintingTokenSource
from zoomclient import (
    MeetingSpec,
    ZoomAPIError,
    ZoomClient,
    ZoomEndpoints,
    ZoomNotFound,
    ZoomRateLimited,
    ZoomScopeMissing,
    ZoomValidationError,
)
from zoomsim.model import FaultRule


def test_unknown_user_is_not_found_1001(client: ZoomClient) -> None:
    with pytest.raises(ZoomNotFound) as raised:
        client.get_user("nobody@acme.test")
    assert (raised.value.status, raised.value.code) == (404, 1001)
    assert raised.value.message == "User does not exist: nobody@acme.test."
    assert raised.value.body == {"code": 1001, "message": "User does not exist: nobody@acme.test."}


def test_unknown_meeting_is_not_found_3001(client: ZoomClient) -> None:
    with pytest.raises(ZoomNotFound) as raised:
        client.get_meeting(81_999_999_999)
    assert raised.value.code == 3001


def test_missing_scope_names_the_scope(zoomsim: LiveZoomsim, endpoints: ZoomEndpoints) -> None:
    token = zoomsim.token("acme-admin", scopes=["meeting:read:meeting:admin"])
    with (
        ZoomClient(endpoints, MintingTokenSource(zoomsim, token=token)) as zoom,
        pytest.raises(ZoomScopeMissing) as raised,
    ):
        zoom.get_user("me")
    assert (raised.value.status, raised.value.code) == (400, 4711)
    assert "user:read:user:admin" in raised.value.missing_scopes


def test_validation_failure_lists_the_fields(client: ZoomClient) -> None:
    with pytest.raises(ZoomValidationError) as raised:
        client.create_meeting("acme-host", MeetingSpec(topic="x" * 201, type=2))
    assert raised.value.code == 300
    assert [error.field for error in raised.value.field_errors] == ["topic"]


def test_per_second_limit_gives_retry_at_the_next_second(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    zoomsim.state.clock.freeze()
    frozen = zoomsim.state.now()
    for _ in range(30):  # a Pro account's Light budget per second
        client.get_user("me")
    with pytest.raises(ZoomRateLimited) as raised:
        client.get_user("me")
    error = raised.value
    assert error.limit_type == "QPS"
    assert error.retry_at == datetime.fromtimestamp(int(frozen) + 1, tz=UTC)
    assert error.rate_limit.category == "Light"
    assert error.rate_limit.remaining == 0


def test_host_daily_meeting_writes_give_retry_at_midnight_utc(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    # 100 creates a day per host; spaced out so the per-second budget is not what stops us.
    zoomsim.state.clock.freeze()
    spec = MeetingSpec(topic="Office hours", type=2)
    for _ in range(100):
        zoomsim.state.clock.advance(0.1)
        client.create_meeting("acme-host", spec)
    with pytest.raises(ZoomRateLimited) as raised:
        client.create_meeting("acme-host", spec)
    error = raised.value
    # Zoom sends neither X-RateLimit-Type nor Retry-After here (reference §4).
    assert error.limit_type == "per-user"
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert error.retry_at == today + timedelta(days=1)
    # Another host still has its own budget.
    assert client.create_meeting("acme-cohost", spec).host_id == "acme-cohost"


def test_daily_limit_retry_after_instant_is_parsed(
    zoomsim: LiveZoomsim, client: ZoomClient
) -> None:
    zoomsim.state.faults["daily"] = FaultRule(
        id="daily",
        path_pattern="^/v2/users/",
        status=429,
        code=429,
        message="You have reached the maximum daily rate limit for this API.",
        retry_after="2031-05-31T00:00:00Z",
    )
    with pytest.raises(ZoomRateLimited) as raised:
        client.get_user("me")
    assert raised.value.retry_at == datetime(2031, 5, 31, tzinfo=UTC)
    assert raised.value.limit_type == "Daily-limit"


def test_retry_after_in_seconds_counts_from_the_clients_clock(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints, tokens: MintingTokenSource
) -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    zoomsim.state.faults["busy"] = FaultRule(
        id="busy", path_pattern="^/v2/users/", status=429, code=429, retry_after="120"
    )
    with (
        ZoomClient(endpoints, tokens, clock=lambda: now) as zoom,
        pytest.raises(ZoomRateLimited) as raised,
    ):
        zoom.get_user("me")
    assert raised.value.retry_at == now + timedelta(seconds=120)


@pytest.mark.parametrize("retry_after", ["9" * 5000, "99999999999999999999", "nan", "soon"])
def test_a_retry_after_no_clock_can_hold_falls_back_to_midnight_utc(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints, tokens: MintingTokenSource, retry_after: str
) -> None:
    now = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)
    zoomsim.state.faults["busy"] = FaultRule(
        id="busy", path_pattern="^/v2/users/", status=429, code=429, retry_after=retry_after
    )
    with (
        ZoomClient(endpoints, tokens, clock=lambda: now) as zoom,
        pytest.raises(ZoomRateLimited) as raised,
    ):
        zoom.get_user("me")
    assert raised.value.retry_at == datetime(2030, 1, 3, tzinfo=UTC)


def test_api_errors_do_not_carry_the_token(client: ZoomClient, tokens: MintingTokenSource) -> None:
    with pytest.raises(ZoomAPIError) as raised:
        client.get_meeting(81_999_999_999)
    assert tokens.token not in str(raised.value)
    assert tokens.token not in repr(raised.value.body)
