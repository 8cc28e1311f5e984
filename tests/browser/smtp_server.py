"""A small, real SMTP server on 127.0.0.1 for tests: Django's SMTP backend holds a genuine SMTP
conversation with it (EHLO, MAIL FROM, RCPT TO, DATA, QUIT) and the messages are kept, parsed.

Built on asyncio streams in a thread of its own; no relaying, no authentication, no TLS.
Addresses in `refused` are answered 550 at RCPT TO, as a server answers a mailbox it will not take.
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage


@dataclass
class ReceivedMail:
    sender: str
    recipients: list[str]
    message: EmailMessage = field(repr=False)

    @property
    def subject(self) -> str:
        return str(self.message["subject"])

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        assert part is not None
        return str(part.get_content())


def _address(argument: bytes) -> str:
    text = argument.decode("utf-8", "replace")
    return text[text.find("<") + 1 : text.rfind(">")] if "<" in text else text.strip()


class LocalSmtpServer:
    def __init__(self) -> None:
        self.received: list[ReceivedMail] = []
        self.refused: set[str] = set()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._server: asyncio.base_events.Server | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> LocalSmtpServer:
        self._thread.start()
        if not self._ready.wait(10):
            raise RuntimeError("the test SMTP server did not start")
        return self

    def stop(self) -> None:
        def close() -> None:
            if self._server is not None:
                self._server.close()
            self._loop.stop()

        self._loop.call_soon_threadsafe(close)
        self._thread.join(timeout=10)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._session, "127.0.0.1", 0)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        sender, recipients = "", []
        reply("220 127.0.0.1 test SMTP ready")
        try:
            while line := await reader.readline():
                verb, _, argument = line.rstrip(b"\r\n").partition(b" ")
                command = verb.upper()
                if command == b"EHLO":
                    reply("250-127.0.0.1 hello")
                    reply("250 8BITMIME")
                elif command == b"HELO":
                    reply("250 127.0.0.1 hello")
                elif command == b"MAIL":
                    sender, recipients = _address(argument), []
                    reply("250 OK")
                elif command == b"RCPT":
                    recipient = _address(argument)
                    if recipient.lower() in self.refused:
                        reply("550 5.1.1 Mailbox unavailable")
                    else:
                        recipients.append(recipient)
                        reply("250 OK")
                elif command == b"DATA":
                    reply("354 End data with <CR><LF>.<CR><LF>")
                    await writer.drain()
                    data = await self._data(reader)
                    message = message_from_bytes(data, policy=policy.default)
                    assert isinstance(message, EmailMessage)
                    self.received.append(ReceivedMail(sender, list(recipients), message))
                    reply("250 OK: queued")
                elif command in (b"RSET", b"NOOP"):
                    sender, recipients = ("", []) if command == b"RSET" else (sender, recipients)
                    reply("250 OK")
                elif command == b"QUIT":
                    reply("221 Bye")
                    await writer.drain()
                    break
                else:
                    reply("502 Command not implemented")
                await writer.drain()
        finally:
            writer.close()

    @staticmethod
    async def _data(reader: asyncio.StreamReader) -> bytes:
        lines: list[bytes] = []
        while True:
            line = await reader.readline()
            if line in (b".\r\n", b".\n", b""):
                return b"".join(lines)
            # RFC 5321 §4.5.2: a leading dot was doubled by the sender.
            lines.append(line[1:] if line.startswith(b"..") else line)
