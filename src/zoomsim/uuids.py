"""Meeting and instance UUIDs the way Zoom makes them: base64 of 16 random bytes, e.g.
`aDYlohsHRtCd4ii1uC2+hA==`.

The base64 alphabet contains `/`, so now and then a real UUID begins with `/` or contains `//`;
those are the ones a client must double-encode in a path (reference §7, pitfall 3). They are rare
(about 2 in 100), so the `slashy_uuids` knob makes every new UUID one of them for tests.
"""

from __future__ import annotations

import base64
import secrets

from zoomsim.state import State

# 16 bytes = 128 bits: base64 characters 0..20 carry 6 free bits each, character 21 only 2 bits
# (then "=="), so any of the first 21 may be replaced by any base64 character.
_FREE_CHARACTERS = 21


def _random_uuid() -> str:
    return base64.b64encode(secrets.token_bytes(16)).decode("ascii")


def _slashy(uuid: str) -> str:
    chars = list(uuid)
    if secrets.randbelow(2):
        chars[0] = "/"
    else:
        position = 1 + secrets.randbelow(_FREE_CHARACTERS - 2)
        chars[position : position + 2] = ["/", "/"]
    return "".join(chars)


def new_uuid(state: State) -> str:
    """A fresh UUID not used by any meeting or instance; slash-leading or with `//` when the
    `slashy_uuids` knob is on."""
    taken = {meeting.uuid for meeting in state.meetings.values()} | set(state.instances)
    while True:
        uuid = _random_uuid()
        if state.knobs.slashy_uuids:
            uuid = _slashy(uuid)
        if uuid not in taken:
            return uuid
