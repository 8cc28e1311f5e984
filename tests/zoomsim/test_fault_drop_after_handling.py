"""The fault that loses an answer on the way: zoomsim does what was asked (the meeting is made),
then drops the connection before the client reads the answer."""

from __future__ import annotations

import httpx
import pytest


def test_drop_after_handling_makes_the_meeting_and_loses_the_answer(
    api: httpx.Client, control: httpx.Client
) -> None:
    added = control.post(
        "/_sim/faults",
        json={
            "path": "/v2/users/acme-host/meetings",
            "method": "POST",
            "drop_after_handling": True,
        },
    )
    assert added.status_code == 201
    assert added.json()["drop_after_handling"] is True

    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        api.post("/v2/users/acme-host/meetings", json={"topic": "Lost answer", "type": 2})

    made = [
        m for m in control.get("/_sim/meetings").json()["meetings"] if m["topic"] == "Lost answer"
    ]
    assert len(made) == 1  # Zoom acted although the client never heard
    assert control.get("/_sim/faults").json()["faults"] == []  # used up
    again = api.post("/v2/users/acme-host/meetings", json={"topic": "Heard", "type": 2})
    assert again.status_code == 201
