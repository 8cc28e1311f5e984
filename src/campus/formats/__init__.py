"""Campus's date formats (Django's FORMAT_MODULE_PATH), and the one way code writes a time of day.

Templates write times with the `date` filter and Django's "P" ("9:04 p.m.", "noon"), so text built
in Python (sync status lines, the timeline's words) writes them with `time_of_day`, never "%H:%M":
one page, one style of time.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from django.utils import dateformat, timezone


def time_of_day(moment: datetime, zone: tzinfo) -> str:
    """`moment`'s time of day in `zone`, as templates write it (TIME_FORMAT without the zone)."""
    return dateformat.format(timezone.localtime(moment, zone), "P")
