"""The mail sender: delivers the outbox by SMTP, the only code that speaks SMTP.

A message is claimed before it is sent (its attempt counted and its next attempt pushed past
the claim window, in a committed transaction), so two senders never send the same message and
a sender that dies leaves it to be tried again once the claim lapses. Each result is committed
as soon as the server answers. A message the server refuses, or cannot take because it is
down, waits and is retried with a growing delay; after ``MAX_ATTEMPTS`` it is marked failed
for an administrator to see. One message's trouble never holds up the others.

SMTP cannot make delivery exactly-once: a sender killed between the server's acceptance and
the commit that marks the message sent will send it again. The Message-ID is derived from
the notification, so it is the same both times and mail clients show one message.
"""

from __future__ import annotations

import hashlib
import logging
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import select

from engine.chasing.notifications import ONE_TIME_BODY_REMOVED, ONE_TIME_KINDS
from engine.core import audit, clock
from engine.core.db import Database
from engine.core.models import Document, Notification

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# Longer than any send takes; a sender that dies holding a claim only delays the message.
CLAIM = timedelta(minutes=10)
BATCH_SIZE = 50
DOCX = ("application", "vnd.openxmlformats-officedocument.wordprocessingml.document")
_TRUE = {"1", "true", "yes", "on"}


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


def message_id(notification: Notification) -> str:
    digest = hashlib.sha256(notification.key.encode()).hexdigest()[:24]
    return f"<{notification.id}.{digest}@casereview>"


def build_message(
    notification: Notification, documents: list[Document], sender: str
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = notification.email
    message["Subject"] = notification.subject
    message["Date"] = formatdate(notification.created_at.timestamp(), localtime=False)
    message["Message-ID"] = message_id(notification)
    message.set_content(notification.body)
    for document in documents:
        maintype, subtype = (
            DOCX if document.filename.lower().endswith(".docx") else ("application", "octet-stream")
        )
        message.add_attachment(
            document.content, maintype=maintype, subtype=subtype, filename=document.filename
        )
    return message


def _claim(db: Database, now: datetime, limit: int) -> list[tuple[int, int]]:
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
            notification.next_attempt_at = now + CLAIM
            claimed.append((notification.id, notification.attempts))
        return claimed


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


def send_due(db: Database, smtp_url: str, *, limit: int = BATCH_SIZE) -> MailResult:
    """Send the messages whose next attempt has come, up to ``limit`` of them."""
    target = parse_smtp_url(smtp_url)
    result = MailResult()
    claimed = _claim(db, clock.now(), limit)
    connection: smtplib.SMTP | None = None
    unreachable: str | None = None
    try:
        for notification_id, attempt in claimed:
            error = unreachable
            if error is None:
                with db.read() as session:
                    notification = session.get_one(Notification, notification_id)
                    if notification.state != "pending":
                        continue  # withdrawn since it was claimed
                    documents = list(
                        session.scalars(
                            select(Document)
                            .where(Document.notification_id == notification_id)
                            .order_by(Document.id)
                        )
                    )
                    message = build_message(notification, documents, target.sender)
                    to = notification.email
                try:
                    if connection is None:
                        connection = _connect(target)
                except (OSError, smtplib.SMTPException) as failure:
                    # Down or unreachable: every message of this run would fail the same way.
                    error = unreachable = _describe(failure)
                else:
                    error = None
                    try:
                        connection.send_message(message, from_addr=target.sender, to_addrs=[to])
                    except (smtplib.SMTPResponseException, smtplib.SMTPRecipientsRefused) as no:
                        # The server is there and refused this message; the others may go.
                        error = _describe(no)
                        connection = _reset(connection)
                    except (OSError, smtplib.SMTPException) as failure:
                        # The connection broke; the next message starts a new one.
                        error = _describe(failure)
                        _close(connection)
                        connection = None
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


def _reset(connection: smtplib.SMTP | None) -> smtplib.SMTP | None:
    if connection is None:
        return None
    try:
        connection.rset()
        return connection
    except (OSError, smtplib.SMTPException):
        _close(connection)
        return None


def _close(connection: smtplib.SMTP | None) -> None:
    if connection is not None:
        try:
            connection.quit()
        except (OSError, smtplib.SMTPException):
            connection.close()
