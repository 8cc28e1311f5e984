"""A small real SMTP server on loopback, for tests that need mail to fail the way it does.

It speaks enough of RFC 5321 for Python's smtplib (and so Django's SMTP backend): EHLO/HELO,
MAIL, RCPT, DATA, RSET, NOOP, QUIT. Recipients listed in `refused` are answered 550, as a
mail server answers a mailbox it will not take; every message accepted is kept in `delivered`.
"""

from __future__ import annotations

import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import Message
from types import TracebackType

from tests.support.waiting import free_port


@dataclass
class Delivered:
    sender: str
    recipients: list[str]
    message: Message


@dataclass
class SmtpState:
    refused: set[str] = field(default_factory=set)
    delivered: list[Delivered] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _address(argument: str) -> str:
    return argument.split(":", 1)[1].strip().split(" ", 1)[0].strip("<>").lower()


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def handle(self) -> None:
        state = self.server.state
        sender, recipients = "", []
        self._reply("220 localhost test SMTP")
        while line := self.rfile.readline():
            command = line.decode("ascii", "replace").rstrip("\r\n")
            verb = command[:4].upper()
            if verb in ("EHLO", "HELO"):
                self._reply("250 localhost")
            elif verb == "MAIL":
                sender, recipients = _address(command), []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipient = _address(command)
                with state.lock:
                    refused = recipient in state.refused
                if refused:
                    self._reply("550 5.1.1 Mailbox unavailable")
                else:
                    recipients.append(recipient)
                    self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                body = self._read_data()
                with state.lock:
                    state.delivered.append(
                        Delivered(sender, list(recipients), message_from_bytes(body))
                    )
                self._reply("250 OK queued")
            elif verb == "RSET":
                sender, recipients = "", []
                self._reply("250 OK")
            elif verb == "NOOP":
                self._reply("250 OK")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:
                self._reply("502 Command not implemented")

    def _read_data(self) -> bytes:
        lines: list[bytes] = []
        while (line := self.rfile.readline()) not in (b".\r\n", b""):
            lines.append(line[1:] if line.startswith(b"..") else line)
        return b"".join(lines)

    def _reply(self, text: str) -> None:
        self.wfile.write(text.encode("ascii") + b"\r\n")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, port: int, state: SmtpState) -> None:
        super().__init__(("127.0.0.1", port), _Session)
        self.state = state


class SmtpServer:
    """`with SmtpServer() as smtp:` serves on `smtp.port` until the block ends."""

    def __init__(self) -> None:
        self.state = SmtpState()
        self.port = free_port()
        self._server = _Server(self.port, self.state)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> SmtpServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()

    def refuse(self, *addresses: str) -> None:
        with self.state.lock:
            self.state.refused = {address.lower() for address in addresses}

    @property
    def delivered(self) -> list[Delivered]:
        with self.state.lock:
            return list(self.state.delivered)
