"""A case's process drawn as its diagram, with the tasks done and waiting marked on it, and the
same as a list of its steps, each with where the case is."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import runtime
from engine.core.errors import NotFound
from engine.core.models import LIVE_TASK_STATES, ProcessDefinition, ProcessInstance, Task, User
from engine.people.access import visible_case
from engine.work.inbox import task_name


@dataclass(frozen=True)
class ProcessDiagram:
    """The BPMN of the version the case runs on; element ids of completed and active tasks."""

    instance_id: int
    name: str
    version: int
    bpmn_xml: str
    completed: list[str]
    active: list[str]


STEP_STATES = {
    "waiting": "Waiting",
    "done": "Done",
    "cancelled": "Not needed",
    "not_reached": "Not reached",
}


@dataclass(frozen=True)
class ProcessStep:
    """A task of the diagram, who does it, and where this case is with it."""

    element_id: str
    name: str
    lane: str
    state: str

    @property
    def state_text(self) -> str:
        return STEP_STATES[self.state]


# A deployed diagram never changes: its steps, read once, by the hash of its content.
_OUTLINES: dict[str, tuple[runtime.OutlineStep, ...]] = {}


def outline_of(
    session: Session, definition_id: int, content_hash: str
) -> tuple[runtime.OutlineStep, ...]:
    found = _OUTLINES.get(content_hash)
    if found is None:
        xml = session.scalar(
            select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == definition_id)
        )
        found = _OUTLINES[content_hash] = runtime.outline(xml or "")
    return found


def process_steps(
    session: Session, instance_id: int, definition_id: int, content_hash: str
) -> list[ProcessStep]:
    """The diagram's tasks in the order a case meets them, each waiting, done, not needed
    (cancelled) or not reached in this process."""
    states: dict[str, set[str]] = {}
    for spec_name, state in session.execute(
        select(Task.spec_name, Task.state).where(Task.instance_id == instance_id)
    ):
        states.setdefault(task_name(spec_name), set()).add(state)
    return [
        ProcessStep(
            step.element_id, step.name, step.lane, _step_state(states.get(step.element_id, set()))
        )
        for step in outline_of(session, definition_id, content_hash)
    ]


def _step_state(states: set[str]) -> str:
    if states & set(LIVE_TASK_STATES):
        return "waiting"
    if "completed" in states:
        return "done"
    return "cancelled" if states else "not_reached"


def process_diagram(
    session: Session,
    user: User | None,
    reference: str,
    instance_id: int,
    *,
    reason: str | None = None,
) -> ProcessDiagram:
    case = visible_case(session, user, reference, reason=reason)
    row = session.execute(
        select(
            ProcessInstance.id,
            ProcessDefinition.name,
            ProcessDefinition.key,
            ProcessDefinition.version,
            ProcessDefinition.bpmn_xml,
        )
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.id == instance_id, ProcessInstance.case_id == case.id)
    ).first()
    if row is None:
        raise NotFound("there is no such process on this case")
    completed: set[str] = set()
    active: set[str] = set()
    for spec_name, state in session.execute(
        select(Task.spec_name, Task.state).where(Task.instance_id == instance_id)
    ):
        element = task_name(spec_name)
        if state in LIVE_TASK_STATES:
            active.add(element)
        elif state == "completed":
            completed.add(element)
    return ProcessDiagram(
        instance_id=row.id,
        name=row.name or row.key,
        version=row.version,
        bpmn_xml=row.bpmn_xml,
        completed=sorted(completed - active),
        active=sorted(active),
    )
