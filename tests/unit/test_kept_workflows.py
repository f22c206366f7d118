"""A worker's kept workflows: a completion runs on the workflow the last one left in memory
only while it is exactly what is stored, and never on one a rolled-back transaction moved on."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import ProcessInstance
from engine.runtime import bpmn, complete_task_in
from engine.runtime.deployment import restored_definition
from engine.runtime.kept_workflows import workflow_of
from tests.support.files import TEST_FORMS
from tests.support.people import user
from tests.support.runtime import (
    RETURN,
    acknowledged_case,
    complete,
    open_tasks,
    stored_workflow,
)


class RolledBack(Exception):
    pass


def instance_of(session, case_id: int) -> ProcessInstance:
    return session.scalars(
        select(ProcessInstance).where(ProcessInstance.case_id == case_id).with_for_update()
    ).one()


def test_the_next_completion_runs_on_the_workflow_the_last_one_stored(db: Database) -> None:
    case_id = acknowledged_case(db)
    with db.transaction() as session:
        first = workflow_of(session, instance_of(session, case_id))
        assert bpmn.dump_workflow(first) == instance_of(session, case_id).workflow_json
    # Taken by the transaction above, which stored nothing from it: loaded again now.
    with db.transaction() as session:
        assert workflow_of(session, instance_of(session, case_id)) is not first

    complete(db, open_tasks(db, case_id)["police_return"], "police@example.org", RETURN)
    with db.transaction() as session:
        instance = instance_of(session, case_id)
        kept = workflow_of(session, instance)
        assert bpmn.dump_workflow(kept) == instance.workflow_json
        assert [str(task.id) for task in bpmn.ready_human_tasks(kept)] == [
            open_tasks(db, case_id)["housing_return"].spiff_task_id
        ]


def test_a_rolled_back_completion_leaves_nothing_of_itself_for_the_next(db: Database) -> None:
    case_id = acknowledged_case(db)
    police = open_tasks(db, case_id)["police_return"]
    with pytest.raises(RolledBack), db.transaction() as session:
        complete_task_in(
            session, police.id, user(db, "police@example.org"), RETURN, forms_dir=TEST_FORMS
        )
        raise RolledBack

    # Still waiting to be done, in what is stored and in what the next completion runs on.
    assert set(open_tasks(db, case_id)) == {"police_return", "housing_return"}
    complete(db, police, "police@example.org", RETURN)
    last = complete(db, open_tasks(db, case_id)["housing_return"], "housing@example.org", RETURN)
    assert [task.spec_name for task in last.ready] == ["decide"]


def test_a_workflow_stored_by_anything_else_is_what_the_next_completion_runs(
    db: Database,
) -> None:
    case_id = acknowledged_case(db)
    # Another worker, a timer or a move to a new version stores the workflow meanwhile.
    with db.transaction() as session:
        instance = instance_of(session, case_id)
        definition = restored_definition(session, instance.definition_id)
        workflow = bpmn.load_workflow(instance.workflow_json, definition)
        workflow.data["noted_elsewhere"] = "kept"
        instance.workflow_json = bpmn.dump_workflow(workflow)
        instance.revision += 1

    complete(db, open_tasks(db, case_id)["police_return"], "police@example.org", RETURN)
    workflow, _ = stored_workflow(db, case_id)
    assert bpmn.workflow_data(workflow)["noted_elsewhere"] == "kept"
