"""The mail sender: delivers the outbox by SMTP, the only code that speaks SMTP.

A message is claimed before it is sent (its attempt counted and its next attempt pushed past
the claim window, in a committed transaction), and a sender that dies leaves it to be tried
again once the claim lapses. A slow sender's claims on the messages it has not reached yet may
lapse too, and another sender take them over; so right before sending, a sender renews its
claim in a committed compare-and-set that holds only while the claim is still its own (the
attempt it counted) and has not lapsed, and leaves the message otherwise. The conversation
with the server is cut at the timeout, shorter than the claim, so a renewed claim outlasts the
send and two senders never send the same message. Each result is committed as soon as the
server answers. A message the server refuses, or cannot take because it is down, waits and is
retried with a growing delay; after ``MAX_ATTEMPTS`` it is marked failed for an administrator
to see. One message's trouble never holds up the others.

SMTP cannot make delivery exactly-once: a sender killed between the server's acceptance and
the commit that marks the message sent, or cut off at the timeout while the server was taking
it, will send it again. The Message-ID is derived from the notification and the sender's mail
domain, so it is the same both times and mail clients show one message.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import cast
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import CursorResult, select, update

from engine.chasing.notifications import ONE_TIME_BODY_REMOVED, ONE_TIME_KINDS
from engine.core import audit, clock
from engine.core.db import Database
from engine.core.models import Document, Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# A sender that dies holding a claim only delays the message this long. A claim is renewed
# right before each send and must outlast it, so the timeout, which bounds a send, may be at
# most half of it (the rest covers committing the result).
CLAIM = timedelta(minutes=10)
LONGEST_TIMEOUT = CLAIM.total_seconds() / 2
BATCH_SIZE = 50
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
# Attachments by the ending of their name; anything else goes as bytes.
MEDIA_TYPES = {".docx": DOCX, ".pdf": ("application", "pdf")}
_TRUE = {"1", "true", "yes", "on"}
# What a message needs done just before it goes, outside the sender's transactions: given the
# database, the message's id and the attempt this sender claimed it for. An emailed letter's
# PDF is made here, by the documents room above (``engine.documents.PdfMaker``). It must be
# idempotent: a message whose send fails is prepared again at its next attempt.
Prepare = Callable[[Database, int, int], None]


@dataclass(frozen=True)
class SmtpTarget:
    """Where to send mail, from ``CASEREVIEW_SMTP_URL``."""

    host: str
    port: int
    username: str | None
    password: str | None
    implicit_tls: bool
    starttls: bool
    sender: str
    timeout: float

    def __repr__(self) -> str:  # never show the password in a log
        return f"SmtpTarget({self.host}:{self.port}, from {self.sender})"


def parse_smtp_url(url: str) -> SmtpTarget:
    """Read ``smtp://[user:password@]host[:port][?starttls=1&from=address&timeout=30]``, or
    ``smtps://`` for TLS from the start. Raises ValueError saying what is wrong."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(
            "CASEREVIEW_SMTP_URL must start smtp:// or smtps://, "
            "e.g. smtp://mail.example.gov.uk:587?starttls=1&from=asb@example.gov.uk"
        )
    if not parts.hostname:
        raise ValueError("CASEREVIEW_SMTP_URL names no mail server host")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("CASEREVIEW_SMTP_URL has a port that is not a number") from None
    query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
    unknown = sorted(set(query) - {"starttls", "from", "timeout"})
    if unknown:
        raise ValueError(f"CASEREVIEW_SMTP_URL: unknown option(s) {', '.join(unknown)}")
    try:
        timeout = float(query.get("timeout", "30"))
    except ValueError:
        raise ValueError("CASEREVIEW_SMTP_URL: timeout must be a number of seconds") from None
    if not 0 < timeout <= LONGEST_TIMEOUT:
        raise ValueError(
            f"CASEREVIEW_SMTP_URL: timeout must be more than 0 and at most {LONGEST_TIMEOUT:g} "
            "seconds"
        )
    implicit_tls = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=port or (465 if implicit_tls else 25),
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        implicit_tls=implicit_tls,
        starttls=query.get("starttls", "").lower() in _TRUE,
        sender=query.get("from", "casereview@localhost"),
        timeout=timeout,
    )


@dataclass
class MailResult:
    sent: int = 0
    retrying: int = 0
    failed: int = 0


def retry_delay(attempts: int) -> timedelta:
    """1 minute after the first failed attempt, doubling each time, never more than 6 hours."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def message_id(notification: Notification, sender: str) -> str:
    """The same on every attempt, so a message sent twice is recognised as one."""
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:24]
    domain = parseaddr(sender)[1].rpartition("@")[2] or "casereview"
    return f"<{notification.id}.{digest}@{domain}>"


def build_message(
    notification: Notification, documents: list[Document], sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.email
    message["Subject"] = notification.subject
    message["Date"] = formatdate(notification.created_at.timestamp(), localtime=False)
    message["Message-ID"] = message_id(notification, sender)
    message.set_content(notification.body)
    for document in documents:
        ending = "." + document.filename.lower().rpartition(".")[2]
        maintype, subtype = MEDIA_TYPES.get(ending, ("application", "octet-stream"))
        message.add_attachment(
            document.content, maintype=maintype, subtype=subtype, filename=document.filename
        )
    return message


def _claim(
    db: Database, now: datetime, limit: int, claim: timedelta = CLAIM
) -> list[tuple[int, int]]:
    """Take the due messages for this sender: (id, attempt number) of each."""
    with db.transaction() as session:
        query = (
            select(Notification)
            .where(Notification.state == "pending", Notification.next_attempt_at <= now)
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        )
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        claimed = []
        for notification in session.scalars(query):
            notification.attempts += 1
            notification.next_attempt_at = now + claim
            claimed.append((notification.id, notification.attempts))
        return claimed


def _renew(db: Database, notification_id: int, attempt: int, claim: timedelta) -> bool:
    """Right before sending: renew this sender's claim if it is still its own and has not
    lapsed. False means the message is not this sender's to send: withdrawn, or its claim
    lapsed (another sender has taken it over, or will)."""
    now = clock.now()
    with db.transaction() as session:
        renewed = session.execute(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.attempts == attempt,
                Notification.state == "pending",
                Notification.next_attempt_at > now,
            )
            .values(next_attempt_at=now + claim)
            .execution_options(synchronize_session=False)
        )
        return cast(CursorResult, renewed).rowcount == 1


def _record(db: Database, notification_id: int, attempt: int, error: str | None) -> str:
    """Commit what happened to one message; returns its state, or '' when another sender
    took it over meanwhile (its claim had lapsed) and the result is theirs to record."""
    now = clock.now()
    with db.transaction() as session:
        notification = session.get_one(
            Notification, notification_id, with_for_update=True, populate_existing=True
        )
        # One withdrawn while the server was taking it went all the same: the record says so.
        went_anyway = notification.state == "withdrawn" and error is None
        if (
            notification.state != "pending" and not went_anyway
        ) or notification.attempts != attempt:
            return ""
        if error is None:
            notification.state = "sent"
            notification.sent_at = now
            notification.next_attempt_at = None
            notification.last_error = ""
            if notification.kind in ONE_TIME_KINDS:
                # The link inside lets its reader into a case once: it is kept only until sent.
                notification.body = ONE_TIME_BODY_REMOVED
            action = "notification.sent"
        elif attempt >= MAX_ATTEMPTS:
            notification.state = "failed"
            notification.next_attempt_at = None
            notification.last_error = error
            action = "notification.failed"
        else:
            notification.next_attempt_at = now + retry_delay(attempt)
            notification.last_error = error
            return "retrying"
        audit.record(
            session,
            action,
            case_id=notification.case_id,
            object_type="notification",
            object_id=notification.id,
            detail={"kind": notification.kind, "to": _recipient(notification), "attempts": attempt},
        )
        return notification.state


def _recipient(notification: Notification) -> str:
    # The audit trail is kept beyond a case's retention period and cannot be edited, so it
    # names the applicant by role; staff addresses are work details and stay.
    return "the applicant" if notification.kind == "letter" else notification.email


def _connect(target: SmtpTarget) -> smtplib.SMTP:
    context = ssl.create_default_context()
    if target.implicit_tls:
        connection: smtplib.SMTP = smtplib.SMTP_SSL(
            target.host, target.port, timeout=target.timeout, context=context
        )
    else:
        connection = smtplib.SMTP(target.host, target.port, timeout=target.timeout)
        if target.starttls:
            connection.starttls(context=context)
    if target.username:
        connection.login(target.username, target.password or "")
    return connection


def _describe(error: Exception) -> str:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(error.recipients.values()))
        return f"the mail server refused the recipient: {code} {_text(text)}"
    if isinstance(error, smtplib.SMTPResponseException):
        return f"the mail server refused the message: {error.smtp_code} {_text(error.smtp_error)}"
    return f"could not reach the mail server: {error}"


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def send_due(
    db: Database,
    smtp_url: str,
    *,
    limit: int = BATCH_SIZE,
    claim: timedelta = CLAIM,
    prepare: Prepare | None = None,
) -> MailResult:
    """Send the messages whose next attempt has come, up to ``limit`` of them, each held by
    this sender for ``claim`` at a time, each ``prepare``d first when given. The claim is
    renewed after preparing, right before sending: a message whose preparing outlasted its
    claim is left to the sender that took it over."""
    target = parse_smtp_url(smtp_url)
    if timedelta(seconds=target.timeout) * 2 > claim:
        raise ValueError("the mail server's timeout must be at most half as long as the claim")
    result = MailResult()
    claimed = _claim(db, clock.now(), limit, claim)
    connection: smtplib.SMTP | None = None
    unreachable: str | None = None
    try:
        for notification_id, attempt in claimed:
            error = unreachable
            if error is None:
                if prepare is not None:
                    try:
                        prepare(db, notification_id, attempt)
                    except Exception:  # noqa: BLE001 - it goes as it is rather than not at all
                        log.exception(
                            "mail %s could not be prepared; it goes as it is", notification_id
                        )
                outgoing = _outgoing(db, notification_id, target.sender)
                if outgoing is None:
                    continue  # withdrawn since it was claimed
                try:
                    if connection is None:
                        connection = _connect(target)
                except (OSError, smtplib.SMTPException) as failure:
                    # Down or unreachable: every message of this run would fail the same way.
                    error = unreachable = _describe(failure)
                else:
                    if not _renew(db, notification_id, attempt, claim):
                        continue
                    error, connection = _send(connection, target, *outgoing)
            state = _record(db, notification_id, attempt, error)
            if state == "sent":
                result.sent += 1
            elif state == "retrying":
                result.retrying += 1
            elif state == "failed":
                result.failed += 1
            if error:
                log.warning(
                    "mail %s not sent (%s): %s", notification_id, state or "taken over", error
                )
    finally:
        _close(connection)
    return result


def _outgoing(db: Database, notification_id: int, sender: str) -> tuple[EmailMessage, str] | None:
    """The message to send and its recipient; None if it is no longer waiting to go."""
    with db.read() as session:
        notification = session.get_one(Notification, notification_id)
        if notification.state != "pending":
            return None
        documents = session.scalars(
            select(Document)
            .where(Document.notification_id == notification_id)
            .order_by(Document.id)
        )
        return build_message(notification, list(documents), sender), notification.email


def _send(
    connection: smtplib.SMTP, target: SmtpTarget, message: EmailMessage, to: str
) -> tuple[str | None, smtplib.SMTP | None]:
    """Send one message, cut off at the timeout: what went wrong, if anything, and the
    connection for the next message (None when a new one is needed)."""
    error: str | None = None
    broken = False
    with _Deadline(connection, target.timeout) as deadline:
        try:
            connection.send_message(message, from_addr=target.sender, to_addrs=[to])
        except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as no:
            # The server is there and refused this message; the others may go.
            error = _describe(no)
            try:
                connection.rset()
            except (OSError, smtplib.SMTPException):
                broken = True
        except (OSError, smtplib.SMTPException) as failure:
            error, broken = _describe(failure), True
    if deadline.cut and broken:
        error = f"the mail server took longer than {target.timeout:g} second(s) over the message"
    if broken or deadline.cut:
        _close(connection)
        return error, None
    return error, connection


class _Deadline:
    """Cuts the connection when one message's conversation runs past the timeout. smtplib's
    timeout bounds each read and write, not their sum, which a server answering slowly at
    every step could stretch past the claim."""

    def __init__(self, connection: smtplib.SMTP, seconds: float) -> None:
        self.cut = False
        self._connection = connection
        self._lock = threading.Lock()
        self._over = False
        self._timer = threading.Timer(seconds, self._cut)
        self._timer.daemon = True

    def __enter__(self) -> _Deadline:
        self._timer.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._timer.cancel()
        with self._lock:  # a cut already under way finishes before the connection is reused
            self._over = True

    def _cut(self) -> None:
        with self._lock:
            if self._over or self._connection.sock is None:
                return
            self.cut = True
            with suppress(OSError):
                # The plain socket's shutdown, which wakes a read blocked on it, TLS or not.
                socket.socket.shutdown(self._connection.sock, socket.SHUT_RDWR)


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
