"""The drill's driver, run with the drill settings: `python -m tests.work.drill COMMAND [ARGS]`.

    enqueue [KIND [SECONDS]]   one piece of work (the blocking drill handler by default)
    enqueue-many COUNT         COUNT pieces of work due now, each rung on commit
    sweep                      one run of the sweeper, as beat starts it
    report [KIND]              the work's state and the markers its attempts committed

It runs as its own process because the drill's database is not the test process's database.
"""

from __future__ import annotations

import json
import sys

import django


def main(command: str, *arguments: str) -> None:
    django.setup()

    from tests.work.drill_handler import DRILL_KIND, MARKER_KIND
    from work.models import WorkItem
    from work.services import work_enqueue
    from work.tasks import sweep_work

    if command == "enqueue":
        kind = arguments[0] if arguments else DRILL_KIND
        payload = {"seconds": float(arguments[1])} if len(arguments) > 1 else {}
        item = work_enqueue(kind=kind, subject="drill:1", payload=payload, dedupe_key="drill:1")
        print(json.dumps({"item_id": item.pk}))
    elif command == "enqueue-many":
        for number in range(int(arguments[0])):
            work_enqueue(kind="drill.waiting", subject=f"drill:{number}", payload={})
        print(json.dumps({"enqueued": int(arguments[0])}))
    elif command == "sweep":
        print(json.dumps({"rung": sweep_work()}))
    elif command == "report":
        item = WorkItem.objects.get(kind=arguments[0] if arguments else DRILL_KIND)
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
    main(sys.argv[1], *sys.argv[2:])
