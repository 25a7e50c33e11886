"""A real SMTP server on 127.0.0.1 for the notification tests (aiosmtpd, in a thread of the test): it keeps
every message it is sent, and can refuse the next ones."""
from __future__ import annotations

import email
import threading
import time
from email import policy

from aiosmtpd.controller import Controller

from tests.conftest import free_port


class Mailbox:
    """An SMTP server on 127.0.0.1 that keeps what it is sent; ``refuse`` answers the next messages with a
    temporary failure."""

    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse = 0
        self.lock = threading.Lock()
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())
        self.controller.start()
        self.url = f"smtp://127.0.0.1:{self.controller.port}"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refuse:
                self.refuse -= 1
                return "451 4.3.0 Try again later"
            self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK"

    def to(self, address: str) -> list:
        return [m for m, (_, rcpt) in zip(self.messages, self.envelopes, strict=True) if address in rcpt]

    def stop(self):
        self.controller.stop()

    def wait_for(self, address: str, count: int = 1, timeout: float = 30.0, about: str | None = None) -> list:
        """The messages to ``address`` (whose subject names ``about``, if given) once ``count`` of them arrived
        (a server delivering in the background); an AssertionError naming what did arrive if they do not within
        ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                found = [m for m in self.to(address) if about is None or about in str(m["Subject"])]
            if len(found) >= count:
                return found
            time.sleep(0.05)
        raise AssertionError(f"{count} message(s) to {address} expected; the server got "
                             f"{[(m['To'], m['Subject']) for m in self.messages]}")
