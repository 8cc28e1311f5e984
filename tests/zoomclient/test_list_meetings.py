"""GET /users/{userId}/meetings: every page, each item typed, answers checked against Zoom's
spec; a retry looks for its marker here, in the agenda Zoom cuts to 250 characters."""

from __future__ import annotations

from datetime import UTC, datetime

from zoomclient import MeetingSpec, ZoomClient


def test_list_meetings_reads_every_page_with_agendas(client: ZoomClient) -> None:
    made = [
        client.create_meeting(
            "acme-host",
            MeetingSpec(
                topic=f"Seminar {n}",
                start=datetime(2030, 1, 1 + n, 9, tzinfo=UTC),
                timezone="UTC",
                agenda=f"marker-{n}",
                type=2,
            ),
        )
        for n in range(5)
    ]

    listed = client.list_meetings("acme-host", type="upcoming", page_size=2)

    assert [item.id for item in listed] == [meeting.id for meeting in made]
    assert [item.agenda for item in listed] == [f"marker-{n}" for n in range(5)]
    assert listed[0].start_time == datetime(2030, 1, 1, 9, tzinfo=UTC)
    assert listed[0].join_url == made[0].join_url
