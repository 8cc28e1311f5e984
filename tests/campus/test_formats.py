from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from django.template import Context, Template
from django.utils import timezone

from campus.formats import time_of_day


def test_times_are_shown_in_the_viewers_zone_with_the_zone_named() -> None:
    moment = datetime(2026, 12, 1, 19, 0, tzinfo=UTC)
    template = Template('{{ moment|date:"DATETIME_FORMAT" }}')

    with timezone.override(ZoneInfo("America/New_York")):
        new_york = template.render(Context({"moment": moment}))
    with timezone.override(ZoneInfo("Europe/Berlin")):
        berlin = template.render(Context({"moment": moment}))

    assert new_york == "Dec. 1, 2026, 2 p.m. EST"
    assert berlin == "Dec. 1, 2026, 8 p.m. CET"


def test_code_writes_a_time_of_day_as_the_templates_do() -> None:
    template = Template('{{ moment|date:"P" }}')
    zone = ZoneInfo("America/New_York")
    for moment in (
        datetime(2026, 12, 1, 2, 4, tzinfo=UTC),
        datetime(2026, 12, 1, 17, 0, tzinfo=UTC),
        datetime(2026, 12, 2, 5, 0, tzinfo=UTC),
    ):
        with timezone.override(zone):
            shown = template.render(Context({"moment": moment}))
        assert time_of_day(moment, zone) == shown

    assert time_of_day(datetime(2026, 12, 2, 2, 4, tzinfo=UTC), zone) == "9:04 p.m."
    assert time_of_day(datetime(2026, 12, 1, 17, 0, tzinfo=UTC), zone) == "noon"
