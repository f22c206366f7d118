"""A diagram that fails while it runs stops its instance where it failed, with the element
and the reason kept for its process owners, and what came before the failure stands: a loop
that never waits for anyone no longer passes for a finished process (closing its case)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from engine import procedure
from engine.cases.opening import open_case
from engine.core import clock
from engine.core.db import Database
from engine.core.models import Case, Notification, ProcessInstance, Task, User
from engine.procedure import CASE_REVIEW
from engine.runtime import check_bpmn, start_process
from tests.support.files import TEST_FORMS
from tests.support.people import add_people, user
from tests.support.runtime import deploy_diagram, looping_diagram, start


def _instance(db: Database, case_id: int) -> ProcessInstance:
    with db.read() as session:
        return session.scalars(
            select(ProcessInstance).where(ProcessInstance.case_id == case_id)
        ).one()


def test_a_loop_that_never_waits_fails_its_instance_and_leaves_the_case_open(
    db: Database,
) -> None:
    """SpiffWorkflow walks no deeper than 1000 steps: the loop's gateway, still ready below
    that, used to be missed, the review taken for finished and the case closed."""
    deploy_diagram(db, looping_diagram(CASE_REVIEW))
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        procedure.start_process(session, case, CASE_REVIEW)
        case_id = case.id
    instance = _instance(db, case_id)
    assert instance.state == "failed"
    assert instance.completed_at is None and instance.failed_at is not None
    assert instance.failed_element_id in {"tick", "again"}
    assert "loop" in (instance.failure_reason or "")
    with db.read() as session:
        case = session.get_one(Case, case_id)
        assert case.status != "closed" and case.closed_on is None


def test_process_owners_are_told_where_an_instance_stopped_without_the_reason(
    db: Database,
) -> None:
    add_people(
        db,
        [
            ("owner@example.org", "derbyshire-dales-district-council", ["process_owner"]),
            ("gone@example.org", "derbyshire-dales-district-council", ["process_owner"]),
        ],
    )
    with db.transaction() as session:
        session.get_one(User, user(db, "gone@example.org").id).active = False
    deploy_diagram(db, looping_diagram(CASE_REVIEW))
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        procedure.start_process(session, case, CASE_REVIEW)
        case_id, reference = case.id, case.reference
    instance = _instance(db, case_id)
    with db.read() as session:
        told = session.scalars(
            select(Notification).where(Notification.kind == "process_failed")
        ).all()
    assert [notice.email for notice in told] == ["owner@example.org"]
    (notice,) = told
    assert notice.subject == f"A process has stopped: case {reference}"
    assert notice.case_id == case_id and notice.state == "pending"
    assert f"stopped at {instance.failed_element_name or instance.failed_element_id}" in (
        notice.body
    )
    assert (instance.failure_reason or "") not in notice.body


def test_a_loop_after_a_task_keeps_the_completion_and_fails_the_instance(db: Database) -> None:
    deploy_diagram(db, looping_diagram("looping", before="task"))
    task_id = start(db, "looping")
    result = procedure.complete_task(
        db, task_id, user(db, "council@example.org"), {"note": "done"}, forms_dir=TEST_FORMS
    )
    with db.read() as session:
        task = session.get_one(Task, task_id)
        assert task.state == "completed"
        instance = session.get_one(ProcessInstance, task.instance_id)
        assert instance.state == "failed"
        assert instance.failed_element_name in {"Count a round", "Go round again?"}
    assert result.process_failed and not result.process_finished


def test_a_loop_after_a_timer_fails_the_instance_when_the_timer_fires(
    db: Database, fixed_clock: clock.FixedClock
) -> None:
    deploy_diagram(db, looping_diagram("looping", before="timer"))
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        start_process(session, case, "looping", {})
        case_id = case.id
    assert _instance(db, case_id).state == "running"
    fixed_clock.advance(timedelta(days=2))
    assert procedure.fire_due_timers(db) == 1
    instance = _instance(db, case_id)
    assert instance.state == "failed" and instance.next_timer_at is None
    assert instance.failed_element_id in {"tick", "again"}
    assert procedure.fire_due_timers(db) == 0


def test_a_loop_with_nothing_waiting_in_it_is_warned_of_at_deployment(db: Database) -> None:
    with db.read() as session:
        looping = check_bpmn(
            session, looping_diagram("looping"), filename="l.bpmn", forms_dir=TEST_FORMS
        )
        waiting = check_bpmn(
            session,
            looping_diagram("looping", wait_in_loop=True),
            filename="l.bpmn",
            forms_dir=TEST_FORMS,
        )
    assert not looping.errors
    warned = [w for w in looping.warnings if "loop" in w.message]
    assert len(warned) == 1, looping.warnings
    assert warned[0].element_id in {"tick", "again"}
    assert "user task" in warned[0].message
    assert not [w for w in waiting.warnings if "loop" in w.message]
