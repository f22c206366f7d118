"""The chasing sweep: each reminder and escalation sent exactly once, however sweeps race or
batch, at a cost that follows the work due rather than the work open."""

from __future__ import annotations

import threading
from datetime import date

from sqlalchemy import event, func, select

from engine.chasing.escalation import chase_due
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import AuditEvent, Notification
from tests.support.chasing import task_row
from tests.support.runtime import at, deploy_diagram, one_task_diagram, start


def test_two_sweeps_racing_send_each_step_once(db: Database, fixed_clock: FixedClock) -> None:
    deploy_diagram(db, one_task_diagram("chased", "council"))
    task_ids = [start(db, "chased") for _ in range(12)]
    fixed_clock.set(at(date(2026, 3, 10)))
    barrier = threading.Barrier(2)
    results = []

    def sweep() -> None:
        barrier.wait()
        results.append(chase_due(db, batch_size=5))

    racers = [threading.Thread(target=sweep) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sum(r.escalated for r in results) == len(task_ids)
    with db.read() as session:
        escalations = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == "escalation")
        )
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "task.escalated")
        )
    assert (escalations, audited) == (len(task_ids), len(task_ids))


def test_a_sweep_in_batches_chases_every_due_task_once_whatever_day_it_fell_due(
    db: Database, fixed_clock: FixedClock
) -> None:
    """Batches follow the tasks in the order they fell due to be chased, day then task, which
    is not the order they were made in here: each is chased once, none is left behind."""
    deploy_diagram(db, one_task_diagram("chased", "council"))
    task_ids = []
    for day in (date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 3)):
        fixed_clock.set(at(day))
        task_ids += [start(db, "chased") for _ in range(3)]
    fixed_clock.set(at(date(2026, 3, 20)))
    result = chase_due(db, batch_size=2)
    assert (result.reminded, result.escalated) == (0, len(task_ids))
    assert {task_row(db, task_id).escalation_level for task_id in task_ids} == {1}
    again = chase_due(db, batch_size=2)
    assert (again.reminded, again.escalated) == (0, 0)


def test_a_sweep_costs_the_same_whatever_the_number_of_open_tasks(
    db: Database, fixed_clock: FixedClock
) -> None:
    """Only tasks due for chasing are read: more open tasks that are not due cost nothing."""
    deploy_diagram(db, one_task_diagram("chased", "council"))
    deploy_diagram(db, one_task_diagram("later", "police", {"due": "30 working days"}))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    def sweep_statements() -> list[str]:
        statements.clear()
        for engine in db.engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            assert chase_due(db).escalated == 1
        finally:
            for engine in db.engines:
                event.remove(engine, "before_cursor_execute", count)
        return list(statements)

    fixed_clock.set(at(date(2026, 3, 2)))
    start(db, "chased")
    start(db, "later")
    fixed_clock.set(at(date(2026, 3, 10)))
    few = sweep_statements()

    fixed_clock.set(at(date(2026, 3, 2)))
    start(db, "chased")
    for _ in range(15):
        start(db, "later")
    fixed_clock.set(at(date(2026, 3, 10)))
    many = sweep_statements()

    assert len(many) == len(few)
    assert not any("process_instances" in statement for statement in many), "no workflow read"
