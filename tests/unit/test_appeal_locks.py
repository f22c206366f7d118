"""Appeals and the locks they wait for: an appeal sent twice at once is refused once the first
is stored, and an appeal's step waits for a step of the review it may cancel."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError

from engine.core.db import connect
from engine.core.errors import InvalidData
from engine.core.models import Appeal, ProcessDefinition, ProcessInstance
from engine.intake.appeals import submit_appeal
from engine.procedure import complete_task, complete_task_in
from tests.support.databases import only_on, until_a_session_waits_for_a_lock
from tests.support.files import FORMS
from tests.support.people import OPCC, user
from tests.support.procedure import (
    GROUND,
    SETTINGS,
    TODAY,
    case_of,
    live,
    lodge,
    met_case,
    reviewed_case,
)


@only_on("postgresql")  # SQLite runs one writer at a time by design
def test_an_appeal_sent_twice_at_once_is_refused_once_the_first_is_stored(
    appeal_db, fixed_clock
) -> None:
    """A double click: the second appeal arrives while the first is being stored. It waits for
    the case's lock before checking for an appeal already with the OPCC, so it is refused
    with the reason rather than stored beside the first (or failing on the OPCC's seat)."""
    db = appeal_db
    _case_id, reference = reviewed_case(db, fixed_clock)
    payload = {"case_reference": reference, "letter_date": "2026-03-20", "grounds": GROUND}
    stored, commit = threading.Event(), threading.Event()
    outcome: dict[str, Any] = {}

    def first() -> None:
        with db.transaction() as session:
            submit_appeal(session, payload, SETTINGS)
            stored.set()
            commit.wait(10)

    def second() -> None:
        try:
            with db.transaction() as session:
                submit_appeal(session, dict(payload), SETTINGS)
            outcome["second"] = "stored"
        except Exception as error:  # noqa: BLE001 - what it was is the test's question
            outcome["second"] = error

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    threads[0].start()
    assert stored.wait(10)
    threads[1].start()
    until_a_session_waits_for_a_lock(db, "the second appeal never waited for the first")
    commit.set()
    for thread in threads:
        thread.join(10)
    assert isinstance(outcome["second"], InvalidData), outcome["second"]
    assert "already with the OPCC" in outcome["second"].fields["case_reference"]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == 1


@only_on("postgresql")  # SQLite runs one writer at a time by design
def test_an_appeal_s_step_waits_for_a_review_being_worked_on(appeal_db) -> None:
    """A step of an appeal may end it upheld and cancel the running review, so it takes the
    review's lock before writing anything of the case: it waits for a step of the review in
    progress rather than taking the case first, which that step also needs (a deadlock)."""
    db = appeal_db
    case_id = met_case(db)
    lodge(db, case_of(db, case_id).reference, TODAY, GROUND)
    task = live(db, case_id)["acknowledge_appeal"]
    opcc = user(db, OPCC)
    answers = {"method": "email"}
    holder = connect(db.url)
    try:
        with holder.transaction() as review_step:
            review_step.execute(
                select(ProcessInstance.id)
                .join(ProcessDefinition)
                .where(
                    ProcessInstance.case_id == case_id, ProcessDefinition.key == "asb_case_review"
                )
                .with_for_update(of=ProcessInstance)
            ).one()
            with pytest.raises(OperationalError, match="lock timeout"), db.transaction() as session:
                session.execute(text("SET LOCAL lock_timeout = '200ms'"))
                complete_task_in(session, task.id, opcc, answers, forms_dir=FORMS)
    finally:
        holder.dispose()
    complete_task(db, task.id, opcc, answers, forms_dir=FORMS)
    assert "check_eligibility" in live(db, case_id)
