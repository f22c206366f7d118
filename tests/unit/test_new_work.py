"""Word of new work: who hears of a task as it arrives, what they read, and how they chose to
hear it."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import time
from typing import Any

import pytest
from sqlalchemy import delete, select, update

from engine.cases.opening import open_case
from engine.chasing.new_work import tell_of_new_work
from engine.chasing.notifications import Message, notify, notify_all
from engine.core import clock
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import Case, Notification, Task, User
from engine.people.new_work_email import (
    CHOOSE,
    ENTER_TIME,
    REAL_TIME,
    choose_new_work_email,
    parse_time_of_day,
)
from engine.runtime import Effects, start_process
from tests.support.chasing import add_manager, task_row
from tests.support.new_work import choose, heard
from tests.support.people import add_people, user
from tests.support.runtime import deploy_diagram, one_task_diagram, start

QUEUE = "New task in your organisation's queue"
YOURS = "New task for you"


def reference_of(db: Database, task_id: int) -> str:
    with db.read() as session:
        return session.scalar(
            select(Case.reference).join(Task, Task.case_id == Case.id).where(Task.id == task_id)
        )


def deactivate(db: Database, email: str) -> None:
    with db.transaction() as session:
        session.execute(update(User).where(User.email == email).values(active=False))


# --- who is told ------------------------------------------------------------------------------


def test_a_task_in_a_queue_is_told_to_its_organisation_s_officers_alone(db: Database) -> None:
    add_manager(db, "police.manager@example.org", "derbyshire-constabulary")
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start(db, "returned")

    told = heard(db, task_id)
    # The manager hears of work only when it is late; the council, housing and the rest not
    # at all: the task is not theirs.
    assert sorted(told) == ["police2@example.org", "police@example.org"]
    word = told["police@example.org"]
    assert word.subject == QUEUE, "the subject names nothing of the case"
    reference = reference_of(db, task_id)
    assert (
        "A new task is waiting in Derbyshire Constabulary's tasks for someone to claim it:\n\n"
        f"'Do the work' for case {reference}, due on Monday 9 March 2026." in word.body
    )
    assert f"/tasks/{task_id}" in word.body and "/account/notifications" in word.body
    # At once, as everyone has until they choose: the email waits for the mail sender.
    assert (word.email, word.state) == ("police@example.org", "pending")
    assert (word.case_id, word.user_id) == (
        task_row(db, task_id).case_id,
        user(db, "police@example.org").id,
    )


def test_someone_who_can_no_longer_sign_in_is_not_told(db: Database) -> None:
    deactivate(db, "police2@example.org")
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start(db, "returned")
    assert sorted(heard(db, task_id)) == ["police@example.org"]


def test_an_organisation_with_no_officer_tells_its_managers(db: Database) -> None:
    add_manager(db, "housing.manager@example.org", "dales-housing")
    deactivate(db, "housing@example.org")
    add_people(db, [("housing.owner@example.org", "dales-housing", ["process_owner"])])
    deploy_diagram(db, one_task_diagram("returned", "housing"))
    task_id = start(db, "returned")
    # A process owner does not work on cases: they are never told of one's tasks.
    assert sorted(heard(db, task_id)) == ["housing.manager@example.org"]


def test_the_chair_alone_hears_of_the_review_s_task(db: Database) -> None:
    add_people(db, [("hp.caseworker@example.org", "high-peak-borough-council", ["caseworker"])])
    deploy_diagram(db, one_task_diagram("chaired", "chair"))
    task_id = start(db, "chaired", chair=user(db, "chair@example.org"))

    told = heard(db, task_id)
    # The chair's colleagues take no part in the case.
    assert sorted(told) == ["chair@example.org"]
    assert told["chair@example.org"].subject == YOURS
    assert "A new task of the review you chair is yours to do:" in told["chair@example.org"].body


class GivenTo(Effects):
    """Gives each new task to one person as it is made, as a step may."""

    def __init__(self, user_id: int, *, tell: bool = False) -> None:
        self.user_id, self.tell = user_id, tell

    def task_created(self, session: Any, task: Task, properties: Mapping[str, str]) -> None:
        task.assignee_id, task.claimed_at, task.state = self.user_id, clock.now(), "claimed"
        for candidate in task.candidates:
            candidate.state = "claimed"

    def task_ready(self, session: Any, task: Task, data: Any, properties: Any) -> None:
        if self.tell:  # the step tells them itself, in its own words
            notify(
                session,
                key=f"given:{task.id}",
                kind="assignment",
                subject="A task for you",
                body="Yours.",
                user=session.get(User, self.user_id),
                task_id=task.id,
            )


def start_given(db: Database, email: str, *, tell: bool = False) -> int:
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales")
        session.flush()
        start_process(session, case, "returned", {}, effects=GivenTo(user(db, email).id, tell=tell))
        return session.scalar(select(Task.id).where(Task.case_id == case.id))


def test_a_task_made_claimed_for_someone_is_told_to_them_alone(db: Database) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start_given(db, "police2@example.org")
    assert task_row(db, task_id).state == "claimed"
    told = heard(db, task_id)
    assert sorted(told) == ["police2@example.org"]
    assert told["police2@example.org"].subject == YOURS
    assert "A new task has been given to you:" in told["police2@example.org"].body


def test_someone_the_step_told_itself_is_not_told_again(db: Database) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start_given(db, "police2@example.org", tell=True)
    assert heard(db, task_id) == {}
    with db.read() as session:
        kinds = session.scalars(select(Notification.kind).where(Notification.task_id == task_id))
        assert list(kinds) == ["assignment"]


class ToldInMany(GivenTo):
    """Gives each new task to one person and tells them among other messages, as a sweep
    writes its messages, in one statement."""

    def task_ready(self, session: Any, task: Task, data: Any, properties: Any) -> None:
        person = session.get_one(User, self.user_id)
        notify_all(
            session,
            [
                Message(key=f"note:{task.id}", kind="note", subject="A note", body="Noted."),
                Message(
                    key=f"given:{task.id}",
                    kind="assignment",
                    subject="A task for you",
                    body="Yours.",
                    user_id=person.id,
                    organisation_id=person.organisation_id,
                    task_id=task.id,
                ),
            ],
        )


def test_someone_told_among_a_step_s_other_messages_is_not_told_again(db: Database) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales")
        session.flush()
        effects = ToldInMany(user(db, "police2@example.org").id)
        start_process(session, case, "returned", {}, effects=effects)
        task_id = session.scalar(select(Task.id).where(Task.case_id == case.id))
    assert heard(db, task_id) == {}


class ToldThenTakenBack(GivenTo):
    """Gives each new task to one person and tells them, in a savepoint the step then rolls
    back (as a step does with what it tried and gave up): the message was never written."""

    def task_ready(self, session: Any, task: Task, data: Any, properties: Any) -> None:
        savepoint = session.begin_nested()
        super().task_ready(session, task, data, properties)
        savepoint.rollback()


def test_word_a_step_took_back_does_not_stop_word_of_new_work(db: Database) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales")
        session.flush()
        effects = ToldThenTakenBack(user(db, "police2@example.org").id, tell=True)
        start_process(session, case, "returned", {}, effects=effects)
        task_id = session.scalar(select(Task.id).where(Task.case_id == case.id))
    told = heard(db, task_id)
    assert sorted(told) == ["police2@example.org"]
    assert told["police2@example.org"].subject == YOURS
    with db.read() as session:
        kinds = session.scalars(select(Notification.kind).where(Notification.task_id == task_id))
        assert list(kinds) == ["new_work"]


def test_each_person_is_told_of_a_task_once(db: Database) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start(db, "returned")
    with db.transaction() as session:
        task = session.get_one(Task, task_id)
        tell_of_new_work(session, [task])
        tell_of_new_work(session, [task])
    with db.read() as session:
        kinds = session.scalars(select(Notification.kind).where(Notification.task_id == task_id))
        assert list(kinds) == ["new_work", "new_work"]


def test_a_task_done_or_cancelled_before_the_step_ends_is_not_told(db: Database) -> None:
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start(db, "returned")
    with db.transaction() as session:
        session.execute(delete(Notification).where(Notification.task_id == task_id))
        task = session.get_one(Task, task_id)
        task.state = "cancelled"
        tell_of_new_work(session, [task])
    assert heard(db, task_id) == {}


# --- how each person chose to hear ---------------------------------------------------------


def test_those_who_chose_no_email_or_a_summary_are_told_in_the_service_only(
    db: Database,
) -> None:
    choose(db, "police@example.org", "daily", "08:00")
    choose(db, "police2@example.org", "never")
    deploy_diagram(db, one_task_diagram("returned", "police"))
    task_id = start(db, "returned")
    told = heard(db, task_id)
    for email in ("police@example.org", "police2@example.org"):
        assert (told[email].email, told[email].state, told[email].read_at) == ("", "not_sent", None)


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("08:00", time(8, 0)),
        ("8:00", time(8, 0)),
        ("8.30", time(8, 30)),
        (" 17:45 ", time(17, 45)),
        ("8am", time(8, 0)),
        ("12pm", time(12, 0)),
        ("12am", time(0, 0)),
        ("5:30 PM", time(17, 30)),
        ("00:00", time(0, 0)),
        ("23:59", time(23, 59)),
    ],
)
def test_a_time_of_day_is_read_as_people_write_it(written: str, meant: time) -> None:
    assert parse_time_of_day(written) == meant


@pytest.mark.parametrize(
    "written", ["25:00", "24:00", "12:60", "noon", "8", "13pm", "0am", "8:5", ""]
)
def test_what_is_not_a_time_of_day_is_not_read_as_one(written: str) -> None:
    assert parse_time_of_day(written) is None


def test_a_choice_is_kept_and_a_summary_s_time_with_it(db: Database) -> None:
    choose(db, "police@example.org", "daily", "5:30pm")
    police = user(db, "police@example.org")
    assert (police.new_work_email, police.digest_time) == ("daily", time(17, 30))
    choose(db, "police@example.org", "never", "not looked at")
    police = user(db, "police@example.org")
    # The time stays, to be offered again should they choose a summary again.
    assert (police.new_work_email, police.digest_time) == ("never", time(17, 30))
    assert user(db, "police2@example.org").new_work_email == "at_once", "everyone's at first"


@pytest.mark.parametrize(
    ("answers", "problems"),
    [
        ({"new_work_email": "daily", "digest_time": "25:00"}, {"digest_time": REAL_TIME}),
        ({"new_work_email": "daily", "digest_time": "noon"}, {"digest_time": REAL_TIME}),
        ({"new_work_email": "daily", "digest_time": "  "}, {"digest_time": ENTER_TIME}),
        ({"new_work_email": "weekly", "digest_time": "08:00"}, {"new_work_email": CHOOSE}),
        ({"digest_time": "08:00"}, {"new_work_email": CHOOSE}),
    ],
)
def test_a_choice_that_cannot_be_kept_is_refused_and_nothing_changes(
    db: Database, answers: dict[str, str], problems: dict[str, str]
) -> None:
    choose(db, "police@example.org", "never")
    with db.transaction() as session, pytest.raises(InvalidData) as refused:
        choose_new_work_email(session, user(db, "police@example.org").id, answers)
    assert refused.value.fields == problems
    assert user(db, "police@example.org").new_work_email == "never"
