"""What process owners do with the diagrams: list the versions, check and deploy a new one,
download any, compare two, move running cases to the newest, and see the cases whose process
failed while it ran.

Process owners see diagrams, versions and counts, never a case's personal data: moving cases
names process instances by id only, and a failed process names its case by reference only.
Every function checks the role first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from engine import procedure, runtime
from engine.core.db import Database
from engine.core.errors import NotAllowed, NotFound
from engine.core.models import Case, ProcessDefinition, ProcessInstance, User
from engine.runtime.bpmn import MAX_BPMN_BYTES

OWNER_ROLE = "process_owner"
MAX_DIAGRAM_BYTES = MAX_BPMN_BYTES


def may_edit_procedure(user: User | None) -> bool:
    return user is not None and user.active and user.has_role(OWNER_ROLE)


def _require_owner(user: User | None) -> User:
    if user is None or not may_edit_procedure(user):
        raise NotAllowed("only process owners may see and change the process diagrams")
    return user


@dataclass(frozen=True)
class VersionSummary:
    version: int
    name: str
    content_hash: str
    deployed_at: datetime
    deployed_by: str | None
    running: int


@dataclass(frozen=True)
class ProcessSummary:
    key: str
    name: str
    versions: list[VersionSummary]

    @property
    def newest(self) -> VersionSummary:
        return self.versions[0]


@dataclass(frozen=True)
class DefinitionFile:
    key: str
    version: int
    name: str
    bpmn_xml: str

    @property
    def filename(self) -> str:
        return f"{self.key}-v{self.version}.bpmn"


@dataclass(frozen=True)
class KnownForm:
    """A form a user task may name, and what it means (``engine.procedure.registry``)."""

    form: str
    does: str
    letter: str | None
    case_status: str | None


@dataclass(frozen=True)
class FailedProcess:
    """A case's process that stopped because its diagram failed while it ran: where, why and
    when (``engine.runtime.steps``)."""

    case_reference: str
    key: str
    process: str
    version: int
    element_id: str
    element_name: str
    reason: str
    failed_at: datetime | None


# The newest failures are the ones to act on; a page listing thousands would help no one.
MAX_FAILED_LISTED = 200
# A reason quotes a value it could not work with ("'Sam Taylor' is not a whole number"),
# which may be the case's personal data: process owners see that a value was there.
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'" + r'|"(?:[^"\\]|\\.)*"')


def without_values(reason: str) -> str:
    """A failure's reason with the values it quotes left out."""
    return _QUOTED.sub("'...'", reason)


def failed_processes(
    session: Session, user: User | None, key: str | None = None
) -> list[FailedProcess]:
    """The cases' processes that failed (of process ``key`` only, when given), newest first."""
    _require_owner(user)
    when = func.coalesce(ProcessInstance.failed_at, ProcessInstance.updated_at)
    query = (
        select(
            Case.reference,
            ProcessDefinition.key,
            ProcessDefinition.name,
            ProcessDefinition.version,
            ProcessInstance.failed_element_id,
            ProcessInstance.failed_element_name,
            ProcessInstance.failure_reason,
            ProcessInstance.failed_at,
        )
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .join(Case, Case.id == ProcessInstance.case_id)
        .where(ProcessInstance.state == "failed")
        .order_by(when.desc(), ProcessInstance.id.desc())
        .limit(MAX_FAILED_LISTED)
    )
    if key is not None:
        query = query.where(ProcessDefinition.key == key)
    return [
        FailedProcess(
            row.reference,
            row.key,
            row.name or row.key,
            row.version,
            row.failed_element_id or "",
            row.failed_element_name or "",
            without_values(row.failure_reason or ""),
            row.failed_at,
        )
        for row in session.execute(query)
    ]


def known_forms(user: User | None) -> list[KnownForm]:
    """The forms the service knows, for process owners choosing one in the editor."""
    _require_owner(user)
    return [
        KnownForm(
            meaning.form,
            meaning.does,
            meaning.letter.kind if meaning.letter else None,
            meaning.case_status,
        )
        for meaning in sorted(procedure.FORMS.values(), key=lambda meaning: meaning.form)
    ]


def list_processes(session: Session, user: User | None) -> list[ProcessSummary]:
    """Each process with its versions, newest first: who deployed each, when, and how many
    cases are running on it."""
    _require_owner(user)
    deployer = aliased(User)
    running = (
        select(ProcessInstance.definition_id, func.count().label("running"))
        .where(ProcessInstance.state == "running")
        .group_by(ProcessInstance.definition_id)
        .subquery()
    )
    rows = session.execute(
        select(
            ProcessDefinition.key,
            ProcessDefinition.version,
            ProcessDefinition.name,
            ProcessDefinition.content_hash,
            ProcessDefinition.deployed_at,
            deployer.name.label("deployed_by"),
            func.coalesce(running.c.running, 0).label("running"),
        )
        .outerjoin(deployer, deployer.id == ProcessDefinition.deployed_by_id)
        .outerjoin(running, running.c.definition_id == ProcessDefinition.id)
        .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
    ).all()
    processes: dict[str, list[VersionSummary]] = {}
    for row in rows:
        processes.setdefault(row.key, []).append(
            VersionSummary(
                row.version,
                row.name,
                row.content_hash,
                row.deployed_at,
                row.deployed_by,
                row.running,
            )
        )
    return [
        ProcessSummary(key, versions[0].name or key, versions)
        for key, versions in processes.items()
    ]


def process_summary(session: Session, user: User | None, key: str) -> ProcessSummary:
    for process in list_processes(session, user):
        if process.key == key:
            return process
    raise NotFound(f"there is no process '{key}'")


def definition_file(
    session: Session, user: User | None, key: str, version: int | None = None
) -> DefinitionFile:
    """One version's BPMN (the newest when no version is given)."""
    _require_owner(user)
    query = select(ProcessDefinition).where(ProcessDefinition.key == key)
    if version is not None:
        query = query.where(ProcessDefinition.version == version)
    definition = session.scalar(query.order_by(ProcessDefinition.version.desc()).limit(1))
    if definition is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFound(f"there is no {which}the process '{key}'")
    return DefinitionFile(definition.key, definition.version, definition.name, definition.bpmn_xml)


def check_diagram(
    session: Session, user: User | None, content: bytes, *, filename: str, forms_dir: Path
) -> runtime.Validation:
    """Every check a deployment makes, without deploying."""
    _require_owner(user)
    return procedure.check_diagram(session, content, filename=filename, forms_dir=forms_dir)


def deploy_diagram(
    session: Session, user: User | None, content: bytes, *, filename: str, forms_dir: Path
) -> runtime.DeployResult:
    """Check and deploy as a new version; DeploymentRefused (nothing written) otherwise."""
    owner = _require_owner(user)
    return procedure.deploy(session, content, filename=filename, forms_dir=forms_dir, user=owner)


def compare_versions(
    session: Session, user: User | None, key: str, old_version: int, new_version: int
) -> runtime.Comparison:
    _require_owner(user)
    found = {
        row.version: row
        for row in session.execute(
            select(
                ProcessDefinition.version, ProcessDefinition.bpmn_xml, ProcessDefinition.spec_json
            ).where(
                ProcessDefinition.key == key,
                ProcessDefinition.version.in_([old_version, new_version]),
            )
        )
    }
    for version in (old_version, new_version):
        if version not in found:
            raise NotFound(f"there is no version {version} of the process '{key}'")
    old, new = found[old_version], found[new_version]
    return runtime.compare(old.bpmn_xml, old.spec_json, new.bpmn_xml, new.spec_json)


def plan_move(db: Database, user: User | None, key: str, from_version: int) -> runtime.MovePlan:
    """What moving a version's running cases to the newest would do, for the process owner to
    confirm before anything moves."""
    _require_owner(user)
    return runtime.plan_move(db, key, from_version)


def move_to_newest(
    db: Database,
    user: User | None,
    key: str,
    from_version: int,
    instance_ids: list[int] | None = None,
) -> runtime.MoveReport:
    """Move running cases of an older version to the newest where nothing they reached
    changed; each move is in the case's audit trail."""
    owner = _require_owner(user)
    return runtime.move_instances(
        db, key, from_version, owner, instance_ids=instance_ids, effects=procedure.EFFECTS
    )
