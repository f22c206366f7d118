"""The workflow runtime: deploy, run, complete, lock, time out, refuse."""

from __future__ import annotations

import json
import math
import re
import threading
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from engine.core import clock
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotFound
from engine.core.models import AuditEvent, ProcessDefinition, ProcessInstance, StepDuration, Task
from engine.runtime import (
    bpmn,
    claim_task,
    complete_task,
    complete_task_in,
    fire_due_timers,
    release_task,
)
from engine.runtime.bpmn.serializer import SERIALIZER, TASK_DATA_ENCODER
from tests.support.files import TEST_FORMS
from tests.support.people import user
from tests.support.runtime import (
    DIAGRAM,
    RETURN,
    acknowledged_case,
    complete,
    deploy_bytes,
    open_tasks,
    start_case,
    stored_workflow,
)


def organisation_id(db: Database, key: str) -> int:
    from engine.core.models import Organisation

    with db.read() as session:
        return session.scalar(select(Organisation.id).where(Organisation.key == key))


def test_deploy_versions_and_pins_running_instances(db: Database) -> None:
    first = deploy_bytes(db)
    assert (first.key, first.version) == ("test_review", 1)
    assert len(first.content_hash) == 64
    again = deploy_bytes(db)
    assert again.id == first.id, "the same content deploys no new version"

    old_case = start_case(db)
    changed = DIAGRAM.replace(b'name="Acknowledge the application"', b'name="Acknowledge it"')
    second = deploy_bytes(db, changed)
    assert second.version == 2
    new_case = start_case(db)

    with db.read() as session:
        pinned = dict(
            session.execute(select(ProcessInstance.case_id, ProcessInstance.definition_id)).all()
        )
    assert pinned == {old_case: first.id, new_case: second.id}
    assert open_tasks(db, old_case)["acknowledge"].title == "Acknowledge the application"
    assert open_tasks(db, new_case)["acknowledge"].title == "Acknowledge it"


def test_start_creates_task_for_the_lane_organisation_with_due_date(db: Database) -> None:
    deploy_bytes(db)
    case_id = start_case(db)
    tasks = open_tasks(db, case_id)
    assert list(tasks) == ["acknowledge"]
    task = tasks["acknowledge"]
    assert task.role == "council"
    assert task.organisation_ids == [organisation_id(db, "derbyshire-dales-district-council")]
    assert task.form == "test_acknowledge"
    # acknowledge_application is 5 working days in the area file.
    assert task.due_on == date(2026, 3, 9)
    assert task.state == "open"


def test_completion_moves_work_to_each_agency_in_parallel(db: Database) -> None:
    case_id = acknowledged_case(db)
    tasks = open_tasks(db, case_id)
    assert set(tasks) == {"police_return", "housing_return"}
    assert tasks["police_return"].organisation_ids == [
        organisation_id(db, "derbyshire-constabulary")
    ]
    assert tasks["housing_return"].organisation_ids == [organisation_id(db, "dales-housing")]
    assert tasks["police_return"].due_on == date(2026, 3, 16)
    assert tasks["housing_return"].due_on == date(2026, 3, 16)
    with db.read() as session:
        actions = session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert "task.completed" in actions and actions.count("task.created") == 3


def test_invalid_data_lists_fields_and_changes_nothing(db: Database) -> None:
    case_id = acknowledged_case(db)
    task = open_tasks(db, case_id)["police_return"]
    _, before = stored_workflow(db, case_id)
    with pytest.raises(InvalidData) as refused:
        complete(
            db,
            task,
            "police@example.org",
            {"incidents": [{"occurred_on": "2026-02-30", "reported_on": "yesterday"}], "x": 1},
        )
    fields = refused.value.fields
    assert (
        "incidents[0].occurred_on" in fields and "real date" in fields["incidents[0].occurred_on"]
    )
    assert "incidents[0].reported_on" in fields
    _, after = stored_workflow(db, case_id)
    assert after.revision == before.revision
    assert after.workflow_json == before.workflow_json
    assert open_tasks(db, case_id)["police_return"].state == "open"


def test_only_the_lane_organisation_may_complete(db: Database) -> None:
    case_id = acknowledged_case(db)
    task = open_tasks(db, case_id)["police_return"]
    for outsider in ("housing@example.org", "erewash@example.org", "council@example.org"):
        with pytest.raises(NotFound):
            complete(db, task, outsider, RETURN)
    assert open_tasks(db, case_id)["police_return"].state == "open"


def test_second_completion_of_a_task_is_a_conflict(db: Database) -> None:
    case_id = acknowledged_case(db)
    task = open_tasks(db, case_id)["police_return"]
    complete(db, task, "police@example.org", RETURN)
    with pytest.raises(Conflict, match="already completed"):
        complete(db, task, "police2@example.org", RETURN)


def _race(calls: list) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = calls[index]()
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_racing_completions_of_one_task_exactly_one_wins(db: Database) -> None:
    case_id = acknowledged_case(db)
    task = open_tasks(db, case_id)["police_return"]
    officers = [user(db, "police@example.org"), user(db, "police2@example.org")] * 2
    results = _race(
        [
            (
                lambda officer=officer: complete_task(
                    db, task.id, officer, RETURN, forms_dir=TEST_FORMS
                )
            )
            for officer in officers
        ]
    )
    conflicts = [r for r in results if isinstance(r, Conflict)]
    successes = [r for r in results if not isinstance(r, Exception)]
    assert len(successes) == 1, results
    assert len(conflicts) == len(officers) - 1, results
    with db.read() as session:
        completions = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "task.completed")
        )
    assert completions == 2  # the acknowledgement and exactly one return


def test_completing_one_of_parallel_returns_leaves_the_other_as_it_was(db: Database) -> None:
    case_id = acknowledged_case(db)
    before = open_tasks(db, case_id)
    with db.read() as session:
        events_before = session.scalar(select(func.count()).select_from(AuditEvent))
    first = complete(db, before["police_return"], "police@example.org", RETURN)
    assert first.ready == [] and not first.process_finished
    after = open_tasks(db, case_id)
    assert set(after) == {"housing_return"}
    housing = after["housing_return"]
    assert (housing.id, housing.state, housing.due_on) == (
        before["housing_return"].id,
        "open",
        before["housing_return"].due_on,
    )
    with db.read() as session:
        actions = session.scalars(
            select(AuditEvent.action).order_by(AuditEvent.id).offset(events_before)
        ).all()
    assert actions == ["task.completed"]
    last = complete(db, housing, "housing@example.org", RETURN)
    assert [task.spec_name for task in last.ready] == ["decide"]
    assert set(open_tasks(db, case_id)) == {"decide"}


def test_a_completion_is_stored_as_its_answer_shows_it_and_written_once(db: Database) -> None:
    """The completed task and its instance, as the completion hands them on, are what was
    stored: the task, its candidates and the workflow each written by one UPDATE (on
    PostgreSQL all three, and the step's duration counted, in one statement, one round trip),
    with nothing left for the session to write again at the commit."""
    case_id = acknowledged_case(db)
    police = open_tasks(db, case_id)["police_return"]
    updates: list[str] = []
    writes: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:  # type: ignore[no-untyped-def]
        tables = re.findall(r"\bUPDATE (\w+) SET\b", statement)
        updates.extend(tables)
        if tables:
            writes.append(statement)

    for engine in db.engines:
        event.listen(engine, "before_cursor_execute", count)
    try:
        with db.transaction() as session:
            result = complete_task_in(
                session, police.id, user(db, "police@example.org"), RETURN, forms_dir=TEST_FORMS
            )
            assert not session.dirty
            instance = session.get(ProcessInstance, result.task.instance_id)
            handed_on = (
                result.task.state,
                result.task.completed_by_id,
                result.task.data,
                result.task.completed_at,
                instance.revision,
                instance.workflow_json,
            )
    finally:
        for engine in db.engines:
            event.remove(engine, "before_cursor_execute", count)
    assert sorted(updates) == ["process_instances", "task_candidates", "tasks"]
    assert len(writes) == (3 if db.is_sqlite else 1)
    if not db.is_sqlite:
        assert "INSERT INTO step_durations" in writes[0]
    with db.read() as session:
        counted = session.execute(
            select(StepDuration.whole_month, StepDuration.tasks).where(
                StepDuration.spec_name == police.spec_name
            )
        ).all()
        assert sorted(counted) == [(False, 1), (True, 1)]
        task = session.get(Task, police.id)
        stored = session.get(ProcessInstance, task.instance_id)
        assert (
            task.state,
            task.completed_by_id,
            task.data,
            task.completed_at,
            stored.revision,
            stored.workflow_json,
        ) == handed_on
        assert {candidate.state for candidate in task.candidates} == {"completed"}
    assert handed_on[:3] == ("completed", user(db, "police@example.org").id, RETURN)


def test_a_read_session_cannot_complete_a_task(db: Database) -> None:
    """A read may run without a transaction, where a completion's writes would each stand on
    their own: it is refused before anything is written."""
    case_id = acknowledged_case(db)
    police = open_tasks(db, case_id)["police_return"]
    _workflow, before = stored_workflow(db, case_id)
    with pytest.raises(RuntimeError, match="tried to write"), db.read() as session:
        complete_task_in(
            session, police.id, user(db, "police@example.org"), RETURN, forms_dir=TEST_FORMS
        )
    assert open_tasks(db, case_id)["police_return"].state == "open"
    _workflow, after = stored_workflow(db, case_id)
    assert after.revision == before.revision


def test_racing_completions_of_parallel_tasks_both_apply(db: Database) -> None:
    case_id = acknowledged_case(db)
    tasks = open_tasks(db, case_id)
    police, housing = user(db, "police@example.org"), user(db, "housing@example.org")
    two = {"incidents": RETURN["incidents"] * 2}
    results = _race(
        [
            lambda: complete_task(
                db, tasks["police_return"].id, police, RETURN, forms_dir=TEST_FORMS
            ),
            lambda: complete_task(
                db, tasks["housing_return"].id, housing, two, forms_dir=TEST_FORMS
            ),
        ]
    )
    assert not any(isinstance(r, Exception) for r in results), results
    workflow, instance = stored_workflow(db, case_id)
    ready = bpmn.ready_human_tasks(workflow)
    assert [t.task_spec.name for t in ready] == ["decide"]
    data = ready[0].data
    assert (data["police_count"], data["housing_count"], data["total"]) == (1, 2, 3)
    assert set(open_tasks(db, case_id)) == {"decide"}
    assert instance.revision == 4  # start (1), acknowledgement, two returns: each stored once


def test_gateway_takes_the_default_path_below_the_threshold(db: Database) -> None:
    case_id = acknowledged_case(db, threshold=5)
    tasks = open_tasks(db, case_id)
    complete(db, tasks["police_return"], "police@example.org", RETURN)
    result = complete(db, tasks["housing_return"], "housing@example.org", RETURN)
    assert result.process_finished
    assert open_tasks(db, case_id) == {}
    _, instance = stored_workflow(db, case_id)
    assert instance.state == "completed" and instance.next_timer_at is None
    with db.read() as session:
        finished = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "process.completed")
        ).all()
    assert [(e.object_id, e.user_id) for e in finished] == [
        (str(instance.id), user(db, "housing@example.org").id)
    ]


def test_due_timer_fires_only_when_the_clock_reaches_it(
    db: Database, fixed_clock: clock.FixedClock
) -> None:
    case_id = acknowledged_case(db)
    tasks = open_tasks(db, case_id)
    complete(db, tasks["police_return"], "police@example.org", RETURN)
    complete(db, tasks["housing_return"], "housing@example.org", RETURN)
    _, instance = stored_workflow(db, case_id)
    assert instance.next_timer_at == fixed_clock.now() + timedelta(days=10)

    fixed_clock.advance(timedelta(days=9))
    assert fire_due_timers(db) == 0
    assert set(open_tasks(db, case_id)) == {"decide"}

    fixed_clock.advance(timedelta(days=2))
    assert fire_due_timers(db) == 1
    assert set(open_tasks(db, case_id)) == {"escalated"}
    with db.read() as session:
        states = dict(session.execute(select(Task.spec_name, Task.state)).all())
    assert states["decide"] == "cancelled"
    assert fire_due_timers(db) == 0, "a fired timer does not fire again"


def test_dates_and_decimals_survive_serialization(db: Database) -> None:
    deploy_bytes(db)
    case_id = start_case(db)
    complete(
        db,
        open_tasks(db, case_id)["acknowledge"],
        "council@example.org",
        {"note": "sent", "sent_on": "2026-03-03", "cost": "12.50"},
    )
    workflow, _ = stored_workflow(db, case_id)
    data = bpmn.ready_human_tasks(workflow)[0].data
    assert data["sent_on"] == date(2026, 3, 3)
    assert data["cost"] == Decimal("12.50")
    assert data["received_on"] == date(2026, 3, 2)


def test_a_workflow_keeps_data_beyond_the_fast_encoder_and_loads_as_stored_before(
    db: Database,
) -> None:
    """An answer the fast JSON encoder cannot write (a number beyond 64 bits, a key that is
    not a string) is stored all the same, and a workflow stored by the standard library
    (which wrote NaN) still loads."""
    deploy_bytes(db)
    case_id = start_case(db)
    workflow, instance = stored_workflow(db, case_id)
    task = bpmn.ready_human_tasks(workflow)[0]
    task.data.update(huge=10**30, numbered={1: "one"}, on=date(2026, 3, 3))
    stored = bpmn.dump_workflow(workflow)
    with db.read() as session:
        definition = session.get(ProcessDefinition, instance.definition_id)
    again = bpmn.find_task(bpmn.load_workflow(stored, definition.spec_json), str(task.id))
    assert again.data["huge"] == 10**30
    assert again.data["numbered"] == {"1": "one"}
    assert again.data["on"] == date(2026, 3, 3)
    task.data.update(ratio=float("nan"))
    state = SERIALIZER.to_dict(workflow)
    state[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    as_before = json.dumps(state, separators=(",", ":"), cls=TASK_DATA_ENCODER)
    loaded = bpmn.find_task(bpmn.load_workflow(as_before, definition.spec_json), str(task.id))
    assert math.isnan(loaded.data["ratio"])


def test_claim_and_release(db: Database) -> None:
    case_id = acknowledged_case(db)
    task = open_tasks(db, case_id)["police_return"]
    claim_task(db, task.id, user(db, "police@example.org"))
    claimed = open_tasks(db, case_id)["police_return"]
    assert claimed.state == "claimed"
    assert claimed.assignee_id == user(db, "police@example.org").id
    with pytest.raises(Conflict, match="claimed by someone else"):
        complete(db, task, "police2@example.org", RETURN)
    with pytest.raises(Conflict, match="claimed by someone else"):
        claim_task(db, task.id, user(db, "police2@example.org"))
    release_task(db, task.id, user(db, "police@example.org"))
    assert open_tasks(db, case_id)["police_return"].state == "open"
    complete(db, task, "police2@example.org", RETURN)


def test_a_failing_rule_stops_the_process_and_keeps_the_completion(db: Database) -> None:
    """The housing return's rule fails after it is done: the return stands, the process
    stops there (the police's return, still waiting, is no longer asked for), and the
    element and reason are kept for the process owners."""
    broken = DIAGRAM.replace(b"housing_count = len(incidents)", b"housing_count = len(missing)")
    deploy_bytes(db, broken)
    case_id = start_case(db)
    complete(db, open_tasks(db, case_id)["acknowledge"], "council@example.org", {"note": "sent"})
    task = open_tasks(db, case_id)["housing_return"]
    result = complete(db, task, "housing@example.org", RETURN)
    assert result.process_failed
    _, after = stored_workflow(db, case_id)
    assert after.state == "failed" and after.next_timer_at is None
    assert after.failed_element_id == "housing_return"
    assert after.failed_element_name == "Housing information return"
    assert "missing" in after.failure_reason
    assert open_tasks(db, case_id) == {}
    with db.read() as session:
        assert session.get_one(Task, task.id).state == "completed"
    with pytest.raises(Conflict):
        complete(db, task, "housing@example.org", RETURN)
