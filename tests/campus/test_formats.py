from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named() -> None:
    moment = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    template = Template('{{ moment|date:"DATETIME_FORMAT" }}')

    with timezone.override(ZoneInfo("America/New_York")):
        new_york = template.render(Context({"moment": moment}))
    with timezone.override(ZoneInfo("Europe/Berlin")):
        berlin = template.render(Context({"moment": moment}))

    assert new_york == "Dec. 1, 2026, 2 p.m. EST"
    assert berlin == "Dec. 1, 2026, 8 p.m. CET"
