"""POST /_sim/bulk/ended-meetings: many ended meetings with registrants and rejoins in one call,
reported by the API as a meeting played through /run is, and no webhooks."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.support.zoomsim_server import LiveZoomsim
from tests.zoomsim.meeting_runs import path_uuid

pytestmark = pytest.mark.usefixtures("processed_at_once")

BULK = "/_sim/bulk/ended-meetings"


def learners(meeting: int, count: int) -> list[dict[str, Any]]:
    """`count` registrants; every third leaves at minute 20 and rejoins at 25."""
    return [
        {
            "email": f"learner{meeting}-{n}@campus.test",
            "first_name": f"Learner{n}",
            "last_name": f"M{meeting}",
            **({"segments": [[0, 20], [25, 60]]} if n % 3 == 0 else {}),
        }
        for n in range(count)
    ]


def report_rows(api: httpx.Client, uuid: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    token = ""
    while True:
        params = {"page_size": 300, "include_fields": "registrant_id", "next_page_token": token}
        page = api.get(f"/v2/report/meetings/{path_uuid(uuid)}/participants", params=params)
        assert page.status_code == 200, page.text
        rows += page.json()["participants"]
        token = page.json()["next_page_token"]
        if not token:
            return rows


def test_many_meetings_with_rejoins_are_reported_page_by_page(
    api: httpx.Client, control: httpx.Client
) -> None:
    deliveries_before = len(control.get("/_sim/deliveries").json()["deliveries"])
    body = {
        "host_id": "acme-host",
        "meetings": [
            {
                "topic": f"Week {m}",
                "duration_minutes": 60,
                "registrants": learners(m, 300),
                "guests": [{"name": "Sam Guest", "segments": [[5, 50]]}],
            }
            for m in range(3)
        ],
    }
    answer = control.post(BULK, json=body)
    assert answer.status_code == 201, answer.text
    made = answer.json()["meetings"]
    assert len(made) == 3
    assert all(len(meeting["registrant_ids"]) == 300 for meeting in made)

    for m, meeting in enumerate(made):
        # The run is listed as an ended instance of the meeting, as after /run.
        listed = api.get(f"/v2/past_meetings/{meeting['id']}/instances").json()["meetings"]
        assert [run["uuid"] for run in listed] == [meeting["uuid"]]
        rows = report_rows(api, meeting["uuid"])
        # 300 learners, 100 of them with a rejoin, and the guest: 401 rows on two pages.
        assert len(rows) == 401
        assert len({row["user_id"] for row in rows}) == 401  # a new user_id on every join
        first = meeting["registrant_ids"][0]
        own = [row for row in rows if row["registrant_id"] == first]
        assert [row["duration"] for row in own] == [1200, 2100]
        assert own[0]["user_email"] == f"learner{m}-0@campus.test"
        guest = [row for row in rows if row["name"] == "Sam Guest"]
        assert [(row["user_email"], row["registrant_id"], row["duration"]) for row in guest] == [
            ("", "", 2700)
        ]
        registrants = control.get(f"/_sim/meetings/{meeting['id']}/registrants").json()
        assert sorted(r["id"] for r in registrants["registrants"]) == sorted(
            meeting["registrant_ids"]
        )
        assert {r["status"] for r in registrants["registrants"]} == {"approved"}

    # Nobody watched these meetings happen: no webhook went out.
    assert len(control.get("/_sim/deliveries").json()["deliveries"]) == deliveries_before


@pytest.mark.parametrize(
    ("meeting", "says"),
    [
        ({"duration_minutes": 0}, "duration_minutes"),
        ({"start_time": "2999-01-01T00:00:00Z"}, "future"),
        ({"registrants": [{"email": "no-at-sign", "first_name": "A"}]}, "email"),
        ({"registrants": [{"email": "a@b.test", "first_name": "A", "segments": [[5, 3]]}]}, "segm"),
        ({"guests": [{"name": ""}]}, "display name"),
        ({"registrants": [{"email": "a@campus.test", "first_name": "A"}] * 2}, "twice"),
    ],
)
def test_bad_input_is_named_and_makes_nothing(
    control: httpx.Client, zoomsim: LiveZoomsim, meeting: dict[str, Any], says: str
) -> None:
    before = len(control.get("/_sim/meetings").json()["meetings"])
    good = {"duration_minutes": 60, "registrants": learners(0, 2)}
    answer = control.post(BULK, json={"host_id": "acme-host", "meetings": [good, meeting]})
    assert answer.status_code == 400
    assert says in answer.json()["message"]
    # The good first meeting was not made either.
    assert len(control.get("/_sim/meetings").json()["meetings"]) == before


def test_an_unknown_host_is_refused(control: httpx.Client) -> None:
    answer = control.post(BULK, json={"host_id": "nobody", "meetings": [{}]})
    assert answer.status_code == 400
    assert "host_id" in answer.json()["message"]
