"""The drill's driver, run with the drill settings: `python -m tests.work.drill enqueue|report`.

It runs as its own process because the drill's database is not the test process's database.
"""

from __future__ import annotations

import json
import sys

import django


def main(command: str) -> None:
    django.setup()

    from tests.work.drill_handler import DRILL_KIND, MARKER_KIND
    from work.models import WorkItem
    from work.services import work_enqueue

    if command == "enqueue":
        item = work_enqueue(kind=DRILL_KIND, subject="drill:1", payload={}, dedupe_key="drill:1")
        print(json.dumps({"item_id": item.pk}))
    elif command == "report":
        item = WorkItem.objects.get(kind=DRILL_KIND)
        markers = WorkItem.objects.filter(kind=MARKER_KIND)
        print(
            json.dumps(
                {
                    "state": item.state,
                    "attempts": item.attempts,
                    "last_error": item.last_error,
                    "markers": markers.count(),
                    "marker_attempts": sorted(m.payload["attempt"] for m in markers),
                }
            )
        )
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1])
