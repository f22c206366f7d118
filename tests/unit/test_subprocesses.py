"""Subprocesses in a diagram: a user task inside one, and an event subprocess triggered in one
workflow of a version and not in the others."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from engine.cases.opening import open_case
from engine.core.db import Database
from engine.core.models import Task
from engine.runtime import bpmn, start_process
from tests.support.files import FIXTURES, TEST_FORMS
from tests.support.runtime import complete, deploy_bytes, open_tasks


def test_a_workflow_that_triggers_an_event_subprocess_leaves_the_others_on_its_version_alone() -> (
    None
):
    """SpiffWorkflow wires a triggered event subprocess into its process's spec; specs shared
    by every workflow on a version must not carry that wiring into the next one."""
    diagram, problems = bpmn.check_diagram(
        (FIXTURES / "subprocesses" / "alarm_subprocess.bpmn").read_bytes(),
        filename="alarm_subprocess.bpmn",
        forms_dir=TEST_FORMS,
        timescales={},
    )
    assert diagram is not None, problems
    definition = bpmn.Definition.restore(diagram.spec_json())
    for alarm in (True, False, False):
        workflow = bpmn.new_workflow(definition, {"alarm": alarm})
        bpmn.advance(workflow)
        workflow = bpmn.load_workflow(bpmn.dump_workflow(workflow), definition)
        (work,) = bpmn.ready_human_tasks(workflow)
        bpmn.run_human_task(workflow, work, {})
        assert bpmn.is_finished(workflow), f"alarm={alarm}"


def test_a_user_task_inside_a_subprocess_gets_one_row_and_completes(db: Database) -> None:
    deploy_bytes(db, (FIXTURES / "subprocesses" / "subprocess_task.bpmn").read_bytes())
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        start_process(session, case, "nested", {})
        case_id = case.id
    with db.read() as session:
        rows = session.scalars(select(Task.spec_name).where(Task.case_id == case_id)).all()
    assert rows == ["work"]
    done = complete(db, open_tasks(db, case_id)["work"], "council@example.org", {"note": "sent"})
    assert done.process_finished and open_tasks(db, case_id) == {}
