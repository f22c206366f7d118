"""Many people working at once: completions made at the same moment are all kept, a task raced
for is completed once, and nothing is left locked."""

from __future__ import annotations

import threading
from typing import Any

from sqlalchemy import func, select, text

from engine.core.db import Database
from engine.core.errors import Conflict
from engine.core.models import AuditEvent, Task
from engine.work.task_view import claim_task, complete_task
from tests.support.files import FORMS
from tests.support.people import COUNCIL, user
from tests.support.procedure import NO_RETURN, STANDARD_RISK, application, do, live, submit


def _at_once(work: list[tuple[Any, ...]]) -> list[Any]:
    """Run each (function, *args) in its own thread, all released together; what each
    returned or raised."""
    barrier = threading.Barrier(len(work))
    results: list[Any] = [None] * len(work)

    def run(index: int, function: Any, *args: Any) -> None:
        barrier.wait()
        try:
            results[index] = function(*args)
        except Exception as error:  # noqa: BLE001 - the test inspects what each one got
            results[index] = error

    threads = [threading.Thread(target=run, args=(index, *item)) for index, item in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def _nothing_left_locked(db: Database) -> None:
    if db.is_sqlite:
        with db.transaction() as session:  # takes the write lock: nobody still holds it
            session.execute(text("SELECT 1"))
        return
    with db.read() as session:
        stuck = session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'"
            )
        )
        held = session.scalar(
            text(
                "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                "WHERE a.datname = current_database() AND l.pid <> pg_backend_pid()"
            )
        )
    assert (stuck, held) == (0, 0)


def test_returns_completed_at_the_same_moment_are_all_kept(app_db: Database) -> None:
    """Four agencies complete their returns on one case at once: no completion is lost, and
    the threshold decision that waits for all four is made ready once."""
    case_id = submit(app_db, application())
    do(
        app_db,
        case_id,
        "acknowledge",
        COUNCIL,
        {"method": "email"},
    )
    do(app_db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    do(app_db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)
    returns = live(app_db, case_id)
    people = {
        "police_return": "police@example.org",
        "housing_return [child]": "housing@example.org",
        "health_return": "health@example.org",
        "council_return": COUNCIL,  # whose since they screened the case
    }
    results = _at_once(
        [
            (_complete, app_db, returns[name].id, email, {**NO_RETURN, "view": f"View of {name}"})
            for name, email in people.items()
        ]
    )
    assert [type(result).__name__ for result in results] == ["Completion"] * 4, results
    with app_db.read() as session:
        done = session.execute(
            select(Task.spec_name, Task.data).where(
                Task.case_id == case_id, Task.spec_name.in_(list(people))
            )
        ).all()
    assert {name: data["view"] for name, data in done} == {
        name: f"View of {name}" for name in people
    }
    waiting = live(app_db, case_id)
    assert list(waiting) == ["threshold_decision"]
    with app_db.read() as session:
        decisions = session.scalar(
            select(func.count())
            .select_from(Task)
            .where(Task.case_id == case_id, Task.spec_name == "threshold_decision")
        )
    assert decisions == 1, "no duplicate task"
    _nothing_left_locked(app_db)


def _complete(db: Database, task_id: int, email: str, data: dict) -> Any:
    return complete_task(db, task_id, user(db, email), data, forms_dir=FORMS)


def test_many_people_racing_for_one_task_complete_it_once(app_db: Database) -> None:
    case_id = submit(app_db, application())
    acknowledge = live(app_db, case_id)["acknowledge"].id
    answer = {"method": "email"}

    def claim_then_complete(email: str) -> Any:
        claim_task(app_db, acknowledge, user(app_db, email))
        return _complete(app_db, acknowledge, email, answer)

    results = _at_once(
        [(claim_then_complete, email) for email in [COUNCIL, "council2@example.org"] * 3]
    )
    completed = [r for r in results if type(r).__name__ == "Completion"]
    refused = [r for r in results if isinstance(r, Conflict)]
    assert len(completed) == 1 and len(refused) == 5, results
    with app_db.read() as session:
        rows = session.execute(
            select(Task.spec_name, Task.state).where(Task.case_id == case_id).order_by(Task.id)
        ).all()
        completions = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "task.completed", AuditEvent.case_id == case_id)
        )
    # The next step is its winner's, who did the acknowledgement.
    assert rows == [("acknowledge", "completed"), ("screen", "claimed")], "no duplicate task"
    assert completions == 1
    _nothing_left_locked(app_db)
