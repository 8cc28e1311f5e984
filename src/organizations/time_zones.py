"""The time zones a person or an organization may choose: IANA's location names, and UTC.

`zoneinfo.available_timezones()` is every file of the system's time-zone database, which also holds
names no one should pick: "Factory" (a placeholder zone), "localtime" and "posixrules" (the
machine's own settings, not zones), and the old aliases kept for compatibility ("US/Eastern",
"GB", "EST5EDT", "Etc/GMT+5" whose sign is the reverse of what it reads). People choose from the
Area/Location names of IANA's regions, plus UTC.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

# IANA's geographic regions (the files africa, northamerica, ... of the tz database).
IANA_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


@cache
def time_zone_names() -> frozenset[str]:
    return frozenset(
        name
        for name in zoneinfo.available_timezones()
        if name == "UTC" or name.partition("/")[0] in IANA_REGIONS
    )


def time_zone_choices() -> list[tuple[str, str]]:
    """For a select: UTC first, then the locations in alphabetical order, read with spaces."""
    locations = sorted(time_zone_names() - {"UTC"})
    return [("UTC", "UTC")] + [(name, name.replace("_", " ")) for name in locations]
