"""Mail: a real SMTP server on loopback that keeps what it is sent (or refuses chosen
recipients), and messages put in the outbox and looked at again."""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import select

from engine.chasing.notifications import notify
from engine.core.db import Database
from engine.core.models import Notification, User
from tests.support.servers import free_port

# The subjects of word of new tasks, which reaches every officer of an organisation a task
# arrives for: tests about other mail leave them aside.
NEW_WORK_SUBJECTS = frozenset({"New task in your organisation's queue", "New task for you"})


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

    def besides_new_work(self, address: str) -> list[EmailMessage]:
        """What came to ``address`` other than word of new tasks."""
        return [m for m in self.to(address) if m["Subject"] not in NEW_WORK_SUBJECTS]


class SlowMailbox(Mailbox):
    """A mail server that is slow to answer: it waits ``rcpt_delay`` seconds before taking a
    recipient, and ``data_delay`` after keeping a message before saying it has it (so a
    sender that gives up meanwhile leaves it delivered all the same)."""

    def __init__(self, *, rcpt_delay: float = 0, data_delay: float = 0) -> None:
        super().__init__()
        self.rcpt_delay = rcpt_delay
        self.data_delay = data_delay

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001, N802
        await asyncio.sleep(self.rcpt_delay)
        return await super().handle_RCPT(server, session, envelope, address, rcpt_options)

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
        answer = await super().handle_DATA(server, session, envelope)
        await asyncio.sleep(self.data_delay)
        return answer


class SmtpServer:
    def __init__(self, port: int | None = None, *, timeout: float = 5) -> None:
        self.port = port or free_port()
        self.mailbox = Mailbox()
        self.timeout = timeout
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return (
            f"smtp://127.0.0.1:{self.port}?from=casereview@example.gov.uk&timeout={self.timeout:g}"
        )

    def start(self) -> SmtpServer:
        self._controller = Controller(self.mailbox, hostname="127.0.0.1", port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def message(db: Database, key: str, email: str, **extra) -> int:  # type: ignore[no-untyped-def]
    """A message in the outbox to the user with ``email`` (or to the address, if no one has
    it), about ``key``: its notification's id."""
    with db.transaction() as session:
        user = session.scalar(select(User).where(User.email == email))
        written = notify(
            session,
            key=key,
            kind=extra.pop("kind", "test"),
            subject=extra.pop("subject", f"About {key}"),
            body=extra.pop("body", f"The body of {key}"),
            user=user,
            email="" if user else email,
            **extra,
        )
        return written.id


def state_of(db: Database, notification_id: int) -> Notification:
    """The notification as it stands now."""
    with db.read() as session:
        return session.get(Notification, notification_id)
