"""Deploying diagrams: every check before a deployment, each new version of a process, and the
deployed definitions' specs, restored once per database."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.area import current_settings
from engine.core.db import PerDatabase
from engine.core.errors import DeploymentRefused, Problem
from engine.core.models import ProcessDefinition, ProcessInstance, User
from engine.runtime import bpmn, versions


@dataclass
class DeployResult:
    definition: ProcessDefinition
    created: bool
    warnings: list[Problem] = field(default_factory=list)


# Deployed definitions never change, so their specs can be shared by every request on the
# same database.
_definitions: PerDatabase[int, bpmn.Definition] = PerDatabase()


def check_bpmn(
    session: Session, content: bytes, *, filename: str, forms_dir: Path
) -> versions.Validation:
    """Every check before a deployment, against the area's timescales; writes nothing."""
    timescales = current_settings(session).get("timescales", {})
    return versions.validate(content, filename=filename, forms_dir=forms_dir, timescales=timescales)


def deploy(
    session: Session,
    content: bytes,
    *,
    filename: str,
    forms_dir: Path,
    user: User | None = None,
    unless_deployed_before: bool = False,
) -> DeployResult:
    """Check a diagram and deploy it as the next version of its process.

    Refused diagrams raise DeploymentRefused and write nothing. Deploying the same content as
    the newest version again changes nothing; with ``unless_deployed_before``, neither does
    content any earlier version had, so set-up never undoes what a process owner deployed.
    """
    checked = check_bpmn(session, content, filename=filename, forms_dir=forms_dir)
    diagram = checked.diagram
    if diagram is None or checked.spec_json is None:
        raise DeploymentRefused(checked.errors)
    content_hash = hashlib.sha256(content).hexdigest()
    latest = latest_definition(session, diagram.key)
    if latest is not None and latest.content_hash == content_hash:
        return DeployResult(latest, created=False, warnings=checked.warnings)
    if unless_deployed_before:
        earlier = session.scalar(
            select(ProcessDefinition)
            .where(
                ProcessDefinition.key == diagram.key,
                ProcessDefinition.content_hash == content_hash,
            )
            .limit(1)
        )
        if earlier is not None:
            return DeployResult(earlier, created=False, warnings=checked.warnings)
    definition = ProcessDefinition(
        key=diagram.key,
        version=(latest.version + 1) if latest else 1,
        name=diagram.name,
        content_hash=content_hash,
        bpmn_xml=content.decode("utf-8"),
        spec_json=checked.spec_json,
        deployed_by_id=user.id if user else None,
        deployed_at=clock.now(),
    )
    session.add(definition)
    session.flush()
    audit.record(
        session,
        "definition.deployed",
        user=user,
        object_type="process_definition",
        object_id=definition.id,
        detail={"key": definition.key, "version": definition.version, "sha256": content_hash},
    )
    return DeployResult(definition, created=True, warnings=checked.warnings)


def latest_definition(session: Session, key: str) -> ProcessDefinition | None:
    return session.scalar(
        select(ProcessDefinition)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
        .limit(1)
    )


def restored_definition(session: Session, definition_id: int) -> bpmn.Definition:
    """A deployed definition's specs, restored on first use and kept for the database."""
    per_database = _definitions.of(session)
    cached = per_database.get(definition_id)
    if cached is None:
        spec_json = session.execute(
            select(ProcessDefinition.spec_json).where(ProcessDefinition.id == definition_id)
        ).scalar_one()
        cached = per_database[definition_id] = bpmn.Definition.restore(spec_json)
    return cached


def instance_forms(session: Session, instance_id: int) -> frozenset[str]:
    """The forms the user tasks of an instance's diagram name: what its process can ask for,
    on the version it runs on (an earlier one may lack a step a later one has)."""
    definition_id = session.execute(
        select(ProcessInstance.definition_id).where(ProcessInstance.id == instance_id)
    ).scalar_one()
    return restored_definition(session, definition_id).forms()
