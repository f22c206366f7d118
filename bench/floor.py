"""The engine floor: one task step in bare SpiffWorkflow (load, run, dump), with nothing of the
service around it, and the open tasks of that step the measures take."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bench.measure import timed
from engine.core import clock
from engine.core.config import Settings
from engine.core.db import Database
from engine.core.models import (
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
    User,
)

STEP_TASK = "schedule_meeting"
STEP_USER = "caseworker@dales.example.org"


def step_tasks(db: Database, count: int) -> list[int]:
    """Open meeting-scheduling tasks of the case review diagram a Dales caseworker can do."""
    with db.read() as session:
        user_id = session.scalar(select(User.id).where(User.email == STEP_USER))
        council = session.scalar(
            select(Organisation.id).where(Organisation.key == "derbyshire-dales-district-council")
        )
        return list(
            session.scalars(
                select(Task.id)
                .join(TaskCandidate, TaskCandidate.task_id == Task.id)
                .where(
                    Task.spec_name == STEP_TASK,
                    Task.state.in_(["open", "claimed"]),
                    (Task.assignee_id.is_(None)) | (Task.assignee_id == user_id),
                    TaskCandidate.organisation_id == council,
                )
                .order_by(Task.id)
                .limit(count)
            )
        )


def step_data() -> dict[str, str]:
    return {
        "chair_email": "chair@highpeak.example.org",
        "meeting_date": (clock.today() + timedelta(days=14)).isoformat(),
    }


def engine_floor(db: Database, settings: Settings, task_id: int) -> float:
    """Bare SpiffWorkflow: deserialize, run the task and the engine steps, serialize."""
    from engine.core.forms import coerce_data, load_form
    from engine.runtime import bpmn

    with db.read() as session:
        task = session.get(Task, task_id)
        state = session.scalar(
            select(ProcessInstance.workflow_json).where(ProcessInstance.id == task.instance_id)
        )
        spec = session.scalar(
            select(ProcessDefinition.spec_json)
            .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.id == task.instance_id)
        )
        spiff_id = task.spiff_task_id
        schema = load_form(settings.forms_dir, task.form)
    # With what the service's step for this form adds to the workflow's data (its count of
    # returns still awaited), which the diagram's next gateway reads.
    data = {**coerce_data(schema, step_data()), "missing_returns": 0}

    def step() -> None:
        workflow = bpmn.load_workflow(state, spec)
        bpmn.run_human_task(workflow, bpmn.find_task(workflow, spiff_id), data)
        bpmn.dump_workflow(workflow)

    step()  # parsed specs and the like are cached for the service too
    return min(timed(step) for _ in range(3))
