"""One party of the filesystem-broker burst test, run as its own process.

`send TRANSPORT FOLDER SENDER COUNT` publishes COUNT messages {"sender", "n"} as fast as it can;
`read TRANSPORT FOLDER SECONDS` consumes until the folder has stayed empty for SECONDS after a
`done` file appears, printing one JSON line per message and, last, {"read": N}. A reader that
raises (the JSONDecodeError of a half-written file) exits non-zero with its traceback.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from kombu import Connection


def connection(transport: str, folder: Path) -> Connection:
    return Connection(
        "filesystem://",
        transport=transport,
        transport_options={
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),
            "store_processed": False,
            "polling_interval": 0,
        },
    )


def send(transport: str, folder: Path, sender: str, count: int) -> None:
    with connection(transport, folder) as conn:
        queue = conn.SimpleQueue("burst")
        for n in range(count):
            queue.put({"sender": sender, "n": n})
        queue.close()


def read(transport: str, folder: Path, quiet_seconds: float) -> None:
    received = 0
    idle_since = time.monotonic()
    with connection(transport, folder) as conn:
        queue = conn.SimpleQueue("burst")
        while True:
            try:
                message = queue.get(timeout=0.05)
            except queue.Empty:
                done = (folder / "done").exists()
                if done and time.monotonic() - idle_since > quiet_seconds:
                    break
                continue
            print(json.dumps(message.payload), flush=True)
            message.ack()
            received += 1
            idle_since = time.monotonic()
        queue.close()
    print(json.dumps({"read": received}), flush=True)


if __name__ == "__main__":
    role, transport, folder = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    if role == "send":
        send(transport, folder, sys.argv[4], int(sys.argv[5]))
    else:
        read(transport, folder, float(sys.argv[4]))
