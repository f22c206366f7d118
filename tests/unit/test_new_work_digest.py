"""Word of new work by email: at once, through a real mail server on loopback, and the daily
summary for those who chose one."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime

import pytest
from sqlalchemy import select, update

from engine.chasing.mailer import send_due
from engine.chasing.new_work import send_due_digests
from engine.core.clock import LOCAL_ZONE, FixedClock
from engine.core.db import Database
from engine.core.models import Case, Task, User
from engine.procedure.sweeps import run_due
from engine.runtime import claim_task
from tests.support.mail import SmtpServer
from tests.support.new_work import choose, summaries
from tests.support.people import user
from tests.support.runtime import deploy_diagram, one_task_diagram, start

SUMMARY = "Your daily summary of new tasks"


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def police_db(db: Database) -> Database:
    """The police's one-task diagram deployed; the first police officer chose a summary at
    ten in the morning."""
    deploy_diagram(db, one_task_diagram("returned", "police"))
    choose(db, "police@example.org", "daily", "10:00")
    return db


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, minute, tzinfo=LOCAL_ZONE)


def reference_of(db: Database, task_id: int) -> str:
    with db.read() as session:
        return session.scalar(
            select(Case.reference).join(Task, Task.case_id == Case.id).where(Task.id == task_id)
        )


def listed(body: str) -> list[int]:
    """The tasks a summary links to, in its order."""
    return [int(found) for found in re.findall(r"/tasks/(\d+)$", body, re.MULTILINE)]


def test_word_of_a_new_task_is_mailed_at_once(db: Database, smtp: SmtpServer) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start(db, "returned")
    send_due(db, smtp.url)
    (mail,) = smtp.mailbox.to("police@example.org")
    assert mail["Subject"] == "New task in your organisation's queue"
    body = mail.get_content()
    assert f"'Do the work' for case {reference_of(db, task_id)}, due on Monday 9 March" in body
    assert f"http://127.0.0.1:5000/tasks/{task_id}" in body
    assert len(smtp.mailbox.to("police2@example.org")) == 1
    assert smtp.mailbox.to("council@example.org") == [], "not the council's task"


def test_the_summary_waits_for_its_time_and_comes_once_a_day(
    police_db: Database, fixed_clock: FixedClock
) -> None:
    db = police_db
    fixed_clock.set(at(2, 9))
    first, second = start(db, "returned"), start(db, "returned")

    fixed_clock.set(at(2, 9, 59))
    assert send_due_digests(db) == 0, "ten o'clock has not come"
    fixed_clock.set(at(2, 10))
    assert send_due_digests(db) == 1
    assert send_due_digests(db) == 0, "a second sweep the same day sends nothing more"
    (summary,) = summaries(db, "police@example.org")
    assert summary.subject == SUMMARY
    assert (summary.email, summary.state) == ("police@example.org", "pending")
    assert summary.body.startswith("2 new tasks for you or your organisation")
    for task_id in (first, second):
        assert f"'Do the work' for case {reference_of(db, task_id)}, due on Monday" in summary.body
    assert listed(summary.body) == [first, second]
    assert summaries(db, "police2@example.org") == [], "they chose an email for each task"

    fixed_clock.set(at(3, 10))
    assert send_due_digests(db) == 0, "nothing new since yesterday's summary: no email"
    fixed_clock.set(at(3, 15))
    third = start(db, "returned")
    fixed_clock.set(at(4, 10, 5))
    assert send_due_digests(db) == 1
    latest = summaries(db, "police@example.org")[-1]
    assert latest.body.startswith("1 new task for you or your organisation")
    assert listed(latest.body) == [third]


def test_the_summary_lists_only_what_still_waits_for_them(
    police_db: Database, fixed_clock: FixedClock
) -> None:
    db = police_db
    fixed_clock.set(at(2, 9))
    taken, waiting, mine = start(db, "returned"), start(db, "returned"), start(db, "returned")
    fixed_clock.set(at(2, 9, 30))
    claim_task(db, taken, user(db, "police2@example.org"))
    claim_task(db, mine, user(db, "police@example.org"))
    fixed_clock.set(at(2, 11))
    assert send_due_digests(db) == 1
    (summary,) = summaries(db, "police@example.org")
    # Claimed by a colleague, or by themselves: not news to them.
    assert listed(summary.body) == [waiting]


def test_no_one_who_chose_otherwise_or_lost_access_has_a_summary(
    police_db: Database, fixed_clock: FixedClock
) -> None:
    db = police_db
    choose(db, "police2@example.org", "daily", "07:00")
    fixed_clock.set(at(2, 9))
    start(db, "returned")
    choose(db, "police@example.org", "never")
    with db.transaction() as session:
        session.execute(
            update(User).where(User.email == "police2@example.org").values(active=False)
        )
    fixed_clock.set(at(2, 12))
    assert send_due_digests(db) == 0
    assert summaries(db, "police@example.org") == summaries(db, "police2@example.org") == []


def test_the_summary_arrives_by_mail_from_the_sweep(
    police_db: Database, fixed_clock: FixedClock, smtp: SmtpServer
) -> None:
    db = police_db
    fixed_clock.set(at(2, 9))
    task_id = start(db, "returned")
    assert run_due(db, smtp_url=smtp.url)["digests_sent"] == 0
    assert smtp.mailbox.to("police@example.org") == [], "they chose a summary: nothing yet"
    assert len(smtp.mailbox.to("police2@example.org")) == 1, "at once"

    fixed_clock.set(at(2, 10, 1))
    done = run_due(db, smtp_url=smtp.url)
    assert done["digests_sent"] == 1 and done["mails_sent"] == 1
    (mail,) = smtp.mailbox.to("police@example.org")
    # No name, address or case in the subject.
    assert mail["Subject"] == SUMMARY
    assert f"http://127.0.0.1:5000/tasks/{task_id}" in mail.get_content()
    assert run_due(db, smtp_url=smtp.url)["digests_sent"] == 0
    assert len(smtp.mailbox.to("police@example.org")) == 1


def test_a_first_summary_lists_the_day_before_it(
    police_db: Database, fixed_clock: FixedClock
) -> None:
    db = police_db
    fixed_clock.set(at(2, 9))
    old = start(db, "returned")
    fixed_clock.set(at(3, 12))
    recent = start(db, "returned")
    fixed_clock.set(at(4, 10))
    assert send_due_digests(db) == 1
    (summary,) = summaries(db, "police@example.org")
    assert listed(summary.body) == [recent], f"not task {old}, of two days before"
    assert summary.key == f"new_work_digest:user:{user(db, 'police@example.org').id}:" + (
        date(2026, 3, 4).isoformat()
    )
