"""Two mail senders at once (the scheduler and a `run-due`, or a new leader), and a slow mail
server: a real SMTP server on loopback that takes its time."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import timedelta

import pytest

from engine.chasing.mailer import retry_delay, send_due
from engine.core import clock
from engine.core.clock import FixedClock
from engine.core.db import Database
from tests.support.mail import SlowMailbox, SmtpServer, message, state_of

# Short enough for a test to see claims lapse, and longer than the mail server's timeout.
CLAIM = timedelta(seconds=2)


def test_two_senders_beside_a_slow_mail_server_deliver_each_message_once(
    db: Database, fixed_clock: FixedClock
) -> None:
    """The first sender works through its batch so slowly that its claims on the messages it
    has not reached lapse, and a second sender takes those over: each still arrives once."""
    addresses = [f"person{n}@example.gov.uk" for n in range(8)]
    ids = [message(db, f"slow:{n}", address) for n, address in enumerate(addresses)]
    smtp = SmtpServer(timeout=1)
    smtp.mailbox = SlowMailbox(data_delay=0.4)
    smtp.start()
    first_done = threading.Event()

    def first() -> None:
        try:
            send_due(db, smtp.url, claim=CLAIM)
        finally:
            first_done.set()

    def second() -> None:
        while not first_done.is_set():
            send_due(db, smtp.url, claim=CLAIM)
            time.sleep(0.05)

    try:
        with clock.using_clock(clock.StartedClock(fixed_clock.now())):
            one = threading.Thread(target=first)
            one.start()
            deadline = time.monotonic() + 10
            while state_of(db, ids[-1]).attempts == 0 and time.monotonic() < deadline:
                time.sleep(0.01)  # the second starts once the first has claimed them all
            two = threading.Thread(target=second)
            two.start()
            one.join(30)
            two.join(30)
            while send_due(db, smtp.url, claim=CLAIM).sent:
                pass  # what neither sent (a lapsed claim no one took) goes now
    finally:
        smtp.stop()

    arrived = Counter(str(mail["To"]) for mail in smtp.mailbox.messages)
    assert arrived == Counter(addresses), "each message arrives once"
    kept = [state_of(db, notification) for notification in ids]
    assert {notification.state for notification in kept} == {"sent"}
    assert any(notification.attempts > 1 for notification in kept), "the second took some over"


def test_a_mail_server_slow_at_every_step_is_left_at_the_timeout_and_the_retry_is_the_same_message(
    db: Database, fixed_clock: FixedClock
) -> None:
    """Each step answers within the timeout (1 second) but the whole message takes longer:
    the sender gives up at the timeout, well inside its claim, and tries again later. The
    server had kept it, so it arrives twice, under one Message-ID that mail clients show once."""
    notification = message(db, "slow", "police@example.org")
    smtp = SmtpServer(timeout=1)
    mailbox = smtp.mailbox = SlowMailbox(rcpt_delay=0.6, data_delay=0.6)
    smtp.start()
    try:
        assert send_due(db, smtp.url).retrying == 1
        waiting = state_of(db, notification)
        assert (waiting.state, waiting.last_error) == (
            "pending",
            "the mail server took longer than 1 second(s) over the message",
        )
        mailbox.rcpt_delay = mailbox.data_delay = 0
        fixed_clock.advance(retry_delay(1))
        assert send_due(db, smtp.url).sent == 1
    finally:
        smtp.stop()

    first, again = smtp.mailbox.to("police@example.org")
    assert first["Message-ID"] == again["Message-ID"]
    assert first["Message-ID"].endswith("@example.gov.uk>"), "named in the service's mail domain"


def test_the_mail_servers_timeout_is_shorter_than_a_claim(db: Database) -> None:
    with pytest.raises(ValueError, match="at most half as long as the claim"):
        send_due(db, SmtpServer(timeout=2).url, claim=CLAIM)
