"""One log line per record: time, level, logger name, message, then the `extra` fields as key=value.

`logger.info("zoom.webhook.bad_signature", extra={"zoom_account_id": ...})` becomes
`2025-01-01T12:00:00+00:00 INFO zoom_integration.webhooks zoom.webhook.bad_signature
zoom_account_id='abc'`. Fields whose name says they hold a secret are written as [redacted], so a
careless `extra={"access_token": ...}` cannot leak one into a log; so are the values of OAuth query
parameters (`?code=...&state=...`) in request lines, and a request is shown as its method and path.
"""

from __future__ import annotations

import logging
import re
import socket
from datetime import UTC, datetime

# Every attribute a LogRecord has before `extra` is merged in.
_STANDARD_ATTRIBUTES = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}
_SECRET_NAME = re.compile(
    r"token|secret|password|authorization|cookie|code_verifier|encryption_key|private", re.I
)
_SECRET_QUERY_VALUE = re.compile(
    r"([?&](?:code|state|token|access_token|refresh_token|password)=)[^&\s\"']+", re.I
)


class StructuredFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds")
        fields = " ".join(
            f"{name}={_shown(name, value)}"
            for name, value in sorted(vars(record).items())
            if name not in _STANDARD_ATTRIBUTES
            and not name.startswith("_")
            # runserver's request lines carry their socket and a second clock: noise, not facts.
            and not isinstance(value, socket.socket)
            and name != "server_time"
        )
        line = f"{when} {record.levelname} {record.name} {record.getMessage()}"
        if fields:
            line = f"{line} {fields}"
        if record.exc_info:
            line = f"{line}\n{self.formatException(record.exc_info)}"
        return _SECRET_QUERY_VALUE.sub(r"\1[redacted]", line)


def _shown(name: str, value: object) -> str:
    if _SECRET_NAME.search(name):
        return "[redacted]"
    method, path = getattr(value, "method", None), getattr(value, "path", None)
    if isinstance(method, str) and isinstance(path, str):  # an HttpRequest: never its query string
        return repr(f"{method} {path}")
    return repr(value)
