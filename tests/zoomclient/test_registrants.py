from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomclient.conftest import MintingTokenSource
from zoomclient import (
    MeetingSettings,
    MeetingSpec,
    NewRegistrant,
    RegistrantRef,
    ZoomClient,
    ZoomEndpoints,
)


def registration_meeting(client: ZoomClient, approval_type: int = 0) -> int:
    spec = MeetingSpec(
        topic="Seminar", type=2, settings=MeetingSettings(approval_type=approval_type)
    )
    return client.create_meeting("acme-host", spec).id


def learners(count: int) -> list[NewRegistrant]:
    return [NewRegistrant(f"learner{n}@campus.test", f"Learner{n}", "Campus") for n in range(count)]


@pytest.fixture
def calls() -> Iterator[tuple[httpx.Client, list[str]]]:
    seen: list[str] = []

    def record(request: httpx.Request) -> None:
        seen.append(f"{request.method} {request.url.path}")

    with httpx.Client(timeout=10, event_hooks={"request": [record]}) as http:
        yield http, seen


def test_add_registrant_returns_the_personal_join_link(client: ZoomClient) -> None:
    meeting_id = registration_meeting(client)
    added = client.add_registrant(meeting_id, NewRegistrant("lea@campus.test", "Lea", "Learner"))
    assert added.meeting_id == meeting_id
    assert added.registrant_id
    assert added.join_url


def test_manual_approval_gives_no_join_link_until_approved(client: ZoomClient) -> None:
    meeting_id = registration_meeting(client, approval_type=1)
    added = client.add_registrant(meeting_id, NewRegistrant("lea@campus.test", "Lea"))
    assert added.join_url is None
    [pending] = client.list_registrants(meeting_id, status="pending")
    client.update_registrant_status(meeting_id, "approve", [RegistrantRef(id=pending.id)])
    [approved] = client.list_registrants(meeting_id)
    assert approved.id == added.registrant_id
    assert approved.join_url


def test_batches_go_in_thirties_and_every_page_is_listed(
    zoomsim: LiveZoomsim,
    endpoints: ZoomEndpoints,
    tokens: MintingTokenSource,
    calls: tuple[httpx.Client, list[str]],
) -> None:
    http, seen = calls
    with ZoomClient(endpoints, tokens, http=http) as zoom:
        meeting_id = registration_meeting(zoom)
        added = zoom.add_batch_registrants(meeting_id, learners(65), auto_approve=True)
        batch_calls = [call for call in seen if call.endswith("/batch_registrants")]
        assert len(batch_calls) == 3  # 30 + 30 + 5
        assert [person.email for person in added] == [p.email for p in learners(65)]
        assert all(person.registrant_id and person.join_url for person in added)

        seen.clear()
        listed = zoom.list_registrants(meeting_id, page_size=30)
        assert len(seen) == 3
    assert sorted(r.id for r in listed) == sorted(p.registrant_id for p in added)
    assert {r.status for r in listed} == {"approved"}


def test_cancelled_registrants_are_listed_as_denied(client: ZoomClient) -> None:
    meeting_id = registration_meeting(client)
    added = client.add_batch_registrants(meeting_id, learners(3))
    client.update_registrant_status(
        meeting_id, "cancel", [RegistrantRef(id=added[0].registrant_id)]
    )
    assert [r.id for r in client.list_registrants(meeting_id, status="denied")] == [
        added[0].registrant_id
    ]
    assert len(client.list_registrants(meeting_id)) == 2


def test_delete_registrant(
    zoomsim: LiveZoomsim, endpoints: ZoomEndpoints, spec_checked_http: httpx.Client
) -> None:
    scopes = [*zoomsim.state.apps["campus-client-id"].scopes, "meeting:delete:registrant:admin"]
    tokens = MintingTokenSource(zoomsim, token=zoomsim.token("acme-admin", scopes=scopes))
    with ZoomClient(endpoints, tokens, http=spec_checked_http) as zoom:
        meeting_id = registration_meeting(zoom)
        added = zoom.add_batch_registrants(meeting_id, learners(2))
        zoom.delete_registrant(meeting_id, added[0].registrant_id)
        assert [r.id for r in zoom.list_registrants(meeting_id)] == [added[1].registrant_id]
