"""Moving running instances of an older version of a process onto the newest, each only when
nothing it has reached differs there."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.db import Database
from engine.core.errors import Conflict, NotFound, ProcessFailed
from engine.core.models import Case, ProcessDefinition, ProcessInstance, User
from engine.runtime import bpmn, step_durations, versions
from engine.runtime.deployment import latest_definition, restored_definition
from engine.runtime.effects import NO_EFFECTS, Effects
from engine.runtime.instances import after_step, lock_instance, store_workflow


@dataclass
class MoveReport:
    """Running instances moved from one version to the newest, and those refused, with why."""

    key: str
    from_version: int
    to_version: int
    moved: list[int] = field(default_factory=list)
    refused: dict[int, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class PlannedMove:
    """What a move would do to one running case: move it, or leave it where it is and why."""

    instance_id: int
    reference: str
    reasons: tuple[str, ...] = ()

    @property
    def moves(self) -> bool:
        return not self.reasons


@dataclass
class MovePlan:
    """What moving the running cases of an older version to the newest would do, before it is
    done: each case tried against the newest version, nothing stored."""

    key: str
    from_version: int
    to_version: int
    cases: list[PlannedMove] = field(default_factory=list)

    @property
    def moving(self) -> list[PlannedMove]:
        return [case for case in self.cases if case.moves]

    @property
    def staying(self) -> list[PlannedMove]:
        return [case for case in self.cases if not case.moves]


def _versions(
    session: Session, key: str, from_version: int
) -> tuple[ProcessDefinition, ProcessDefinition]:
    latest = latest_definition(session, key)
    source = session.scalar(
        select(ProcessDefinition).where(
            ProcessDefinition.key == key, ProcessDefinition.version == from_version
        )
    )
    if latest is None or source is None:
        raise NotFound(f"there is no version {from_version} of the process '{key}'")
    if source.id == latest.id:
        raise Conflict(f"version {from_version} is the newest; there is nothing to move to")
    return source, latest


def plan_move(db: Database, key: str, from_version: int) -> MovePlan:
    """Try each running case of a version against the newest, as a move would, storing nothing."""
    with db.read() as session:
        source, latest = _versions(session, key, from_version)
        plan = MovePlan(key, from_version, latest.version)
        old_spec = restored_definition(session, source.id).spec_json
        new_spec = restored_definition(session, latest.id).spec_json
        running = session.execute(
            select(ProcessInstance.id, ProcessInstance.workflow_json, Case.reference)
            .join(Case, Case.id == ProcessInstance.case_id)
            .where(ProcessInstance.definition_id == source.id, ProcessInstance.state == "running")
            .order_by(ProcessInstance.id)
        ).all()
        for instance_id, workflow_json, reference in running:
            try:
                reasons = versions.move_workflow(workflow_json, old_spec, new_spec).reasons
            except ProcessFailed as error:
                reasons = [f"the new version could not carry it on: {error}"]
            plan.cases.append(PlannedMove(instance_id, reference, tuple(reasons)))
    return plan


def move_instances(
    db: Database,
    key: str,
    from_version: int,
    user: User | None,
    *,
    instance_ids: list[int] | None = None,
    effects: Effects = NO_EFFECTS,
) -> MoveReport:
    """Move running instances of an older version to the newest, one transaction each.

    An instance moves only when nothing it has reached differs in the newest version; a
    refused one is left exactly as it was, with the reasons in the report.
    """
    with db.read() as session:
        source, latest = _versions(session, key, from_version)
        running = session.scalars(
            select(ProcessInstance.id)
            .where(ProcessInstance.definition_id == source.id, ProcessInstance.state == "running")
            .order_by(ProcessInstance.id)
        ).all()
        source_id, target_id, target_version = source.id, latest.id, latest.version
    report = MoveReport(key, from_version, target_version)
    chosen = list(running) if instance_ids is None else list(dict.fromkeys(instance_ids))
    for instance_id in chosen:
        if instance_id not in running:
            report.refused[instance_id] = [f"it is not a running case on version {from_version}"]
            continue
        try:
            reasons = _move_instance(db, instance_id, source_id, target_id, report, user, effects)
        except ProcessFailed as error:
            reasons = [f"the new version could not carry it on: {error}"]
        if reasons:
            report.refused[instance_id] = reasons
        else:
            report.moved.append(instance_id)
    return report


def _move_instance(
    db: Database,
    instance_id: int,
    source_id: int,
    target_id: int,
    report: MoveReport,
    user: User | None,
    effects: Effects,
) -> list[str]:
    with db.transaction() as session:
        instance = lock_instance(session, instance_id)
        if instance.definition_id != source_id or instance.state != "running":
            return [f"it is no longer running on version {report.from_version}"]
        outcome = versions.move_workflow(
            instance.workflow_json,
            restored_definition(session, source_id).spec_json,
            restored_definition(session, target_id).spec_json,
        )
        if outcome.workflow is None:
            return outcome.reasons
        bpmn.advance(outcome.workflow)
        instance.definition_id = target_id
        step_durations.move_instance_counts(session, instance.id, source_id, target_id)
        store_workflow(instance, outcome.workflow)
        audit.record(
            session,
            "process.moved",
            user=user,
            case_id=instance.case_id,
            object_type="process_instance",
            object_id=instance.id,
            detail={
                "key": report.key,
                "from_version": report.from_version,
                "to_version": report.to_version,
            },
        )
        after_step(session, instance, outcome.workflow, effects, user)
        return []
