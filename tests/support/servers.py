"""Servers on loopback ports: a port for a server a test starts, waiting for a server (or
anything else) to be ready, and a real SMTP server that keeps what it is sent.

Tests run in parallel workers (pytest-xdist), and a port found free is only free until some
process binds it. So each worker hands out ports from its own block, below the range the
kernel picks from when a process asks for any free port: a port given to a test is then never
given to a test of another worker, nor taken by the kernel for someone else meanwhile.
"""

from __future__ import annotations

import itertools
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller

_FIRST_PORT = 20000  # the kernel's own choices start at 32768 (ip_local_port_range)
_PORTS_PER_WORKER = 200
_WORKER_BLOCKS = 60  # 20000 + 60 * 200 = 32000


def _worker_index() -> int:
    """This process's pytest-xdist worker number (gw0, gw1, ...), or 0 in a serial run."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    digits = worker.removeprefix("gw")
    return int(digits) if digits.isdigit() else 0


def _port_cycle() -> itertools.cycle[int]:
    start = _FIRST_PORT + (_worker_index() % _WORKER_BLOCKS) * _PORTS_PER_WORKER
    block = list(range(start, start + _PORTS_PER_WORKER))
    # A random place to begin, so two test runs at once on one machine seldom meet.
    offset = random.randrange(_PORTS_PER_WORKER)
    return itertools.cycle(block[offset:] + block[:offset])


_ports = _port_cycle()


def free_port() -> int:
    """A loopback port nothing listens on, from this worker's block, each in turn, so that a
    port a test has just let go of is not handed out again at once."""
    for _ in range(_PORTS_PER_WORKER):
        port = next(_ports)
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in this worker's block of {_PORTS_PER_WORKER}")


def wait_until(predicate: Callable[[], bool], seconds: float = 30) -> bool:
    """Whether ``predicate`` came true within ``seconds``, asking five times a second."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


class Mailbox:
    """An aiosmtpd handler keeping what arrives; it can refuse chosen recipients."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self._lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, N802
        if address in self.refuse:
            return "550 5.1.1 No such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        message = message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


class SmtpServer:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?from=casereview@example.gov.uk&timeout=5"

    def start(self) -> SmtpServer:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None
