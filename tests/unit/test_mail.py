"""The outbox and its mail: a real SMTP server on loopback, and the pages people read."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from engine.chasing.mailer import MAX_ATTEMPTS, parse_smtp_url, retry_delay, send_due
from engine.chasing.notifications import notify, withdraw_unsent
from engine.core import clock
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import AuditEvent, Document, Notification, User
from engine.procedure.sweeps import run_due
from tests.support.files import FIXTURES
from tests.support.mail import Mailbox, SmtpServer, message, state_of
from tests.support.runtime import at

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


# --- sending ---------------------------------------------------------------------------------


def test_pending_messages_are_sent_once(db: Database, smtp: SmtpServer) -> None:
    first = message(db, "one", "police@example.org", subject="Reminder: a task is due")
    second = message(db, "two", "someone@example.gov.uk")
    assert message_id_count(db) == 2
    assert notify_again(db, "one") is None, "the same key writes nothing twice"

    result = send_due(db, smtp.url)
    assert (result.sent, result.retrying, result.failed) == (2, 0, 0)
    police = smtp.mailbox.to("police@example.org")
    assert len(police) == 1
    assert police[0]["Subject"] == "Reminder: a task is due"
    assert police[0]["From"] == "casereview@example.gov.uk"
    assert police[0].get_content().strip() == "The body of one"
    assert len(smtp.mailbox.to("someone@example.gov.uk")) == 1
    assert state_of(db, first).state == "sent" and state_of(db, second).sent_at is not None

    assert send_due(db, smtp.url).sent == 0
    assert len(smtp.mailbox.messages) == 2, "nothing is sent twice"
    with db.read() as session:
        sent = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "notification.sent")
        ).all()
    assert sorted(sent) == sorted([str(first), str(second)])


def test_a_message_written_is_handed_back_as_the_outbox_keeps_it(db: Database) -> None:
    """What a step does with the message it wrote (a letter links it, an audit names it) is
    the row itself: every column as stored, no address leaving the user's own, nothing unset
    made up; writing the same key again hands back nothing and changes nothing."""
    columns = [column.key for column in Notification.__table__.columns]
    with db.transaction() as session:
        police = session.scalars(select(User).where(User.email == "police@example.org")).one()
        written = notify(session, key="k", kind="test", subject="Subject", body="Body", user=police)
        assert written is not None
        handed = {name: getattr(written, name) for name in columns}
        assert notify(session, key="k", kind="other", subject="S", body="B") is None
    with db.read() as session:
        kept = session.scalars(select(Notification).where(Notification.key == "k")).one()
        assert {name: getattr(kept, name) for name in columns} == handed
    assert (kept.user_id, kept.organisation_id, kept.email) == (
        police.id,
        police.organisation_id,
        "police@example.org",
    )
    assert (kept.kind, kept.state, kept.task_id, kept.case_id, kept.read_at) == (
        "test",
        "pending",
        None,
        None,
        None,
    )


def test_a_withdrawal_stops_what_has_not_gone_and_records_what_has(db: Database) -> None:
    """Messages are withdrawn while the sender works through its batch: the one the server
    is taking goes all the same, and is recorded as sent; the next is not sent."""
    taking, next_one = (
        message(db, "late:1", "police@example.org"),
        message(db, "late:2", "police@example.org"),
    )
    police = user_id(db, "police@example.org")

    class WithdrawingMailbox(Mailbox):
        async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, N802
            if not self.messages:
                with db.transaction() as writing:
                    withdrawn = withdraw_unsent(
                        writing, police, "no longer theirs", key_prefix="late:"
                    )
                assert withdrawn == [taking, next_one]
            return await super().handle_DATA(server, session, envelope)

    smtp = SmtpServer()
    smtp.mailbox = WithdrawingMailbox()
    smtp.start()
    try:
        result = send_due(db, smtp.url)
    finally:
        smtp.stop()

    assert len(smtp.mailbox.messages) == 1 and result.sent == 1
    went, stopped = state_of(db, taking), state_of(db, next_one)
    assert (went.state, went.last_error, went.sent_at is not None) == ("sent", "", True)
    assert (stopped.state, stopped.last_error) == ("withdrawn", "no longer theirs")
    with db.read() as session:
        sent = session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "notification.sent")
        ).all()
    assert sent == [str(taking)]


def user_id(db: Database, email: str) -> int:
    with db.read() as session:
        return session.scalar(select(User.id).where(User.email == email))


def message_id_count(db: Database) -> int:
    with db.read() as session:
        return len(session.scalars(select(Notification.id)).all())


def notify_again(db: Database, key: str):  # type: ignore[no-untyped-def]
    with db.transaction() as session:
        return notify(session, key=key, kind="test", subject="again", body="again", email="x@y.z")


def test_a_server_that_is_down_makes_messages_wait_and_nothing_is_lost(
    db: Database, fixed_clock: FixedClock
) -> None:
    server = SmtpServer()  # not started: nothing listens on its port
    ids = [message(db, f"m{n}", f"person{n}@example.gov.uk") for n in range(3)]
    result = send_due(db, server.url)
    assert (result.sent, result.retrying) == (0, 3)
    waiting = state_of(db, ids[0])
    assert waiting.state == "pending" and waiting.attempts == 1
    assert "could not reach the mail server" in waiting.last_error
    assert waiting.next_attempt_at == fixed_clock.now() + retry_delay(1)

    server.start()
    try:
        assert send_due(db, server.url).sent == 0, "each message waits for its next attempt"
        fixed_clock.advance(timedelta(minutes=1))
        assert send_due(db, server.url).sent == 3
        assert sorted(m["To"] for m in server.mailbox.messages) == [
            "person0@example.gov.uk",
            "person1@example.gov.uk",
            "person2@example.gov.uk",
        ]
        assert state_of(db, ids[2]).last_error == ""
    finally:
        server.stop()


def test_a_refused_recipient_is_retried_then_failed_without_holding_up_the_rest(
    db: Database, fixed_clock: FixedClock, smtp: SmtpServer
) -> None:
    smtp.mailbox.refuse.add("gone@example.gov.uk")
    refused = message(db, "refused", "gone@example.gov.uk")
    fine = message(db, "fine", "health@example.org")
    result = send_due(db, smtp.url)
    assert (result.sent, result.retrying) == (1, 1)
    assert smtp.mailbox.to("health@example.org")
    assert "refused the recipient: 550" in state_of(db, refused).last_error

    waited = []
    for attempt in range(2, MAX_ATTEMPTS + 1):
        before = state_of(db, refused)
        waited.append(before.next_attempt_at - fixed_clock.now())
        fixed_clock.set(before.next_attempt_at)
        later = message(db, f"later{attempt}", "chair@example.org")
        send_due(db, smtp.url)
        assert state_of(db, later).state == "sent", "others still go out"
    gave_up = state_of(db, refused)
    assert (gave_up.state, gave_up.attempts, gave_up.next_attempt_at) == (
        "failed",
        MAX_ATTEMPTS,
        None,
    )
    assert waited[:3] == [timedelta(minutes=1), timedelta(minutes=2), timedelta(minutes=4)]
    assert waited == sorted(waited), "each wait is longer"
    assert retry_delay(20) == timedelta(hours=6), "up to a limit"
    assert state_of(db, fine).state == "sent"
    with db.read() as session:
        assert session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "notification.failed")
        ) == {"kind": "test", "to": "gone@example.gov.uk", "attempts": MAX_ATTEMPTS}


def test_a_letter_kept_for_a_message_is_attached(db: Database, smtp: SmtpServer) -> None:
    letter_id = message(db, "letter", "applicant@example.com", subject="Your case review")
    content = (FIXTURES / "review_test.bpmn").read_bytes()  # any bytes stand for the .docx
    with db.transaction() as session:
        session.add(
            Document(
                kind="outcome_letter",
                filename="outcome-letter.docx",
                sha256="0" * 64,
                content=content,
                created_at=clock.now(),
                delivery="email",
                notification_id=letter_id,
            )
        )
    assert send_due(db, smtp.url).sent == 1
    (mail,) = smtp.mailbox.to("applicant@example.com")
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_filename() == "outcome-letter.docx"
    assert attachment.get_content_type() == DOCX_TYPE
    assert attachment.get_content() == content


def test_a_sender_that_died_holding_messages_leaves_them_to_be_sent_once(
    db: Database, fixed_clock: FixedClock, smtp: SmtpServer
) -> None:
    """A sender took the messages and was killed before sending: they go out later, once."""
    from engine.chasing.mailer import _claim  # what a sender does first, before it sends

    ids = [message(db, f"m{n}", f"person{n}@example.gov.uk") for n in range(2)]
    assert [claimed for claimed, _attempt in _claim(db, clock.now(), 10)] == ids
    assert send_due(db, smtp.url).sent == 0, "another sender leaves claimed messages alone"
    fixed_clock.advance(timedelta(minutes=11))
    assert send_due(db, smtp.url).sent == 2
    assert send_due(db, smtp.url).sent == 0
    assert len(smtp.mailbox.messages) == 2
    assert state_of(db, ids[0]).attempts == 2


@pytest.mark.parametrize(
    "url, words",
    [
        ("mail.example.gov.uk:25", "must start smtp:// or smtps://"),
        ("smtp://", "names no mail server host"),
        ("smtp://mail.example.gov.uk:port", "port that is not a number"),
        ("smtp://mail.example.gov.uk?colour=blue", "unknown option(s) colour"),
        ("smtp://mail.example.gov.uk?timeout=0", "more than 0 and at most 300 seconds"),
        ("smtp://mail.example.gov.uk?timeout=301", "more than 0 and at most 300 seconds"),
    ],
)
def test_a_wrong_smtp_url_says_what_is_wrong(url: str, words: str) -> None:
    with pytest.raises(ValueError) as error:
        parse_smtp_url(url)
    assert words in str(error.value)


def test_smtp_url_options() -> None:
    target = parse_smtp_url(
        "smtp://asb%40council:s3cret%2F@mail.example.gov.uk:587?starttls=1&from=asb@example.gov.uk"
    )
    assert (target.host, target.port, target.starttls, target.implicit_tls) == (
        "mail.example.gov.uk",
        587,
        True,
        False,
    )
    assert (target.username, target.password, target.sender) == (
        "asb@council",
        "s3cret/",
        "asb@example.gov.uk",
    )
    assert "s3cret" not in repr(target)
    assert parse_smtp_url("smtps://mail.example.gov.uk").port == 465


# --- the clock walked through the timescales, with mail --------------------------------------


def test_timers_reminders_and_escalations_arrive_as_mail(
    db: Database, fixed_clock: FixedClock, smtp: SmtpServer
) -> None:
    from engine import procedure
    from engine.cases.opening import open_case
    from engine.core.models import Task
    from engine.runtime import deploy
    from tests.support.files import TEST_FORMS
    from tests.support.people import user
    from tests.support.runtime import RETURN

    # The test diagram: after the returns, a decision with a ten-day boundary timer.
    with db.transaction() as session:
        diagram = (FIXTURES / "review_test.bpmn").read_bytes()
        deploy(session, diagram, filename="review_test.bpmn", forms_dir=TEST_FORMS)
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        procedure.start_process(session, case, "test_review", extra={"threshold": 1})
        case_id, reference = case.id, case.reference

    def live() -> dict[str, Task]:
        with db.read() as session:
            rows = session.scalars(
                select(Task).where(Task.case_id == case_id, Task.state.in_(["open", "claimed"]))
            ).all()
            return {row.spec_name: row for row in rows}

    def complete(name: str, email: str, data: dict) -> None:
        procedure.complete_task(db, live()[name].id, user(db, email), data, forms_dir=TEST_FORMS)

    complete("acknowledge", "council@example.org", {"note": "sent"})
    complete("police_return", "police@example.org", RETURN)
    fixed_clock.set(at(date(2026, 3, 12)))  # the housing return is due on 16 March
    done = run_due(db, smtp_url=smtp.url)
    assert done["tasks_reminded"] == 1
    # Housing heard of the return when it arrived in their queue, then of its coming due.
    arrived, reminder = smtp.mailbox.to("housing@example.org")
    assert arrived["Subject"] == "New task in your organisation's queue"
    assert f"'Housing information return' for case {reference}" in arrived.get_content()
    assert reminder["Subject"] == (
        f"Reminder: 'Housing information return' for case {reference} is due in 2 working days"
    )
    assert "No one has claimed it yet: it is waiting for Dales Housing." in reminder.get_content()

    complete("housing_return", "housing@example.org", RETURN)
    decide = live()["decide"]
    assert decide.due_on == date(2026, 3, 16), "10 working days from receipt"
    fixed_clock.set(at(date(2026, 3, 17)))
    done = run_due(db, smtp_url=smtp.url)
    assert done["tasks_escalated"] == 1
    (escalation,) = smtp.mailbox.to("manager@example.org")
    assert escalation["Subject"] == f"Overdue (level 1): 'Record the decision' for case {reference}"
    assert "was due on Monday 16 March 2026 and is 1 working day overdue" in (
        escalation.get_content()
    )

    # Ten days after the decision task appeared, its boundary timer moves the case on.
    fixed_clock.set(at(date(2026, 3, 22), 12))
    done = run_due(db, smtp_url=smtp.url)
    assert done["timers_fired"] == 1
    overdue = live()["escalated"]
    assert overdue.due_on == date(2026, 3, 24), "1 working day from Sunday 22 March"
    # Its reminder day (2 working days before) has already come: it is reminded in the same
    # sweep, and next it waits for level 1, the working day after its due date.
    assert done["tasks_reminded"] == 1 and overdue.reminded_at == fixed_clock.now()
    assert overdue.next_chase_on == date(2026, 3, 25)
    assert len(smtp.mailbox.besides_new_work("council@example.org")) == 1
    assert run_due(db, smtp_url=smtp.url) == {
        "timers_fired": 0,
        "check_ins_sent": 0,
        "tasks_reminded": 0,
        "tasks_escalated": 0,
        "information_requests_chased": 0,
        "digests_sent": 0,
        "mails_sent": 0,
        "mails_to_retry": 0,
        "mails_failed": 0,
    }


def test_mail_keeps_flowing_while_others_write_the_outbox(db: Database, smtp: SmtpServer) -> None:
    """The sender and new notifications work side by side: nothing is lost or doubled."""
    count = 30

    def writer() -> None:
        for n in range(count):
            message(db, f"w{n}", f"person{n}@example.gov.uk")

    thread = threading.Thread(target=writer)
    thread.start()
    deadline = time.monotonic() + 60
    while thread.is_alive() and time.monotonic() < deadline:
        send_due(db, smtp.url)
    thread.join()
    while send_due(db, smtp.url).sent:
        pass
    addresses = sorted(m["To"] for m in smtp.mailbox.messages)
    assert addresses == sorted(f"person{n}@example.gov.uk" for n in range(count))


def test_an_applicants_sign_in_link_is_mailed_then_no_longer_kept(
    app_db: Database, smtp: SmtpServer
) -> None:
    from engine.people.applicant_codes import redeem_email_link
    from engine.people.sign_in import SignInPolicy
    from tests.support.procedure import application, submit

    case_id = submit(app_db, application())
    send_due(app_db, smtp.url)
    (mail,) = smtp.mailbox.to("sam@example.com")
    assert mail["Subject"] == "Your ASB case review: follow it online"
    (link,) = [line for line in mail.get_content().splitlines() if "/your-case/sign-in/" in line]
    with app_db.read() as session:
        kept = session.scalars(
            select(Notification).where(
                Notification.case_id == case_id, Notification.kind == "applicant_link"
            )
        ).one()
    assert kept.state == "sent" and "/your-case/sign-in/" not in kept.body
    token = link.rsplit("/", 1)[1]
    used = redeem_email_link(app_db, token, address="192.0.2.1", policy=SignInPolicy())
    assert used.case_id == case_id, "the link as mailed works"
