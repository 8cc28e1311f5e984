"""A webhook receiver on loopback for tests of zoomsim's webhooks: records every request as raw
bytes and answers as told (status, delay, the URL-validation challenge)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.waiting import eventually


@dataclass
class ReceivedRequest:
    headers: dict[str, str]  # names lower-cased
    body: bytes  # exactly as received
    received_at: float  # time.monotonic()

    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    def __init__(self, secret: str) -> None:
        self.secret = secret
        self.status = 200
        self.delay = 0.0  # seconds to wait before answering
        self.answer_validation = True  # answer endpoint.url_validation correctly
        self.requests: list[ReceivedRequest] = []
        self._lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/zoom/webhooks/"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def received(self) -> list[ReceivedRequest]:
        with self._lock:
            return list(self.requests)

    def wait_for(self, count: int, timeout: float = 5.0) -> list[ReceivedRequest]:
        """Wait until at least `count` requests arrived; return them all."""

        def enough() -> list[ReceivedRequest]:
            found = self.received()
            return found if len(found) >= count else []

        return eventually(
            enough,
            timeout=timeout,
            interval=0.02,
            explain=lambda: f"expected {count} webhook requests, got {len(self.received())}",
        )

    def _record(self, request: ReceivedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                body = self.rfile.read(length)
                headers = {name.lower(): value for name, value in self.headers.items()}
                receiver._record(ReceivedRequest(headers, body, time.monotonic()))
                if receiver.delay:
                    time.sleep(receiver.delay)
                answer = b""
                event = json.loads(body) if body else {}
                if event.get("event") == "endpoint.url_validation" and receiver.answer_validation:
                    plain = event["payload"]["plainToken"]
                    encrypted = hmac.new(
                        receiver.secret.encode(), plain.encode(), hashlib.sha256
                    ).hexdigest()
                    answer = json.dumps({"plainToken": plain, "encryptedToken": encrypted}).encode()
                    status = 200
                else:
                    status = receiver.status
                try:
                    self.send_response(status)
                    self.send_header("content-type", "application/json")
                    self.send_header("content-length", str(len(answer)))
                    self.end_headers()
                    self.wfile.write(answer)
                except OSError:
                    pass  # zoomsim gave up waiting (a timeout test) and closed the connection

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


CAMPUS_CLIENT_ID = "campus-client-id"


def point_app_at(state: Any, receiver: WebhookReceiver, client_id: str = CAMPUS_CLIENT_ID) -> None:
    """Set the scene: the app's webhooks go to `receiver`, signed with the receiver's secret."""
    app = state.apps[client_id]
    app.webhook_url = receiver.url
    app.webhook_secret = receiver.secret
