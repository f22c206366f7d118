"""Deploying the procedure's diagrams: the runtime's checks, and the registry's, in one place.

A user task must name a form the registry knows (``registry.FORMS``), since a form it does
not know would mean nothing when completed. The case status comes from the registry too: a
task's ``case_status`` property, which diagrams made before the registry carry, is not read,
and a warning says so.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine import runtime
from engine.core.errors import DeploymentRefused, Problem
from engine.core.models import User
from engine.procedure.registry import FORMS


def check_diagram(
    session: Session, content: bytes, *, filename: str, forms_dir: Path
) -> runtime.Validation:
    """Every check before a deployment; writes nothing."""
    checked = runtime.check_bpmn(session, content, filename=filename, forms_dir=forms_dir)
    if checked.diagram is None:
        return checked
    errors, warnings = list(checked.errors), list(checked.warnings)
    # Keyed by SpiffWorkflow's spec names (a multi-instance task's has a suffix): a problem
    # names the task's BPMN id, which the editor marks.
    for task in checked.diagram.human_tasks.values():
        if task.form and task.form not in FORMS:
            errors.append(
                Problem(
                    task.element_id,
                    f"the form '{task.form}' means nothing to the service: choose one of the "
                    "forms it knows (listed in the editor), or ask for a new one to be added",
                )
            )
    for task in checked.diagram.human_tasks.values():
        status = task.properties.get("case_status")
        if status:
            sets = FORMS[task.form].case_status if task.form in FORMS else None
            warnings.append(
                Problem(
                    task.element_id,
                    f"the case status '{status}' given here is not used: the form "
                    f"'{task.form}' sets " + (f"'{sets}'" if sets else "none"),
                )
            )
    if errors:
        # As the runtime's own answer: a refused diagram has no key or spec to go on with.
        return runtime.Validation(None, errors, warnings)
    return runtime.Validation(checked.diagram, errors, warnings, checked.spec_json)


def deploy(
    session: Session,
    content: bytes,
    *,
    filename: str,
    forms_dir: Path,
    user: User | None = None,
    unless_deployed_before: bool = False,
) -> runtime.DeployResult:
    """Check a diagram against the runtime and the registry, and deploy it as the next version
    of its process (``runtime.deploy``); refused diagrams raise DeploymentRefused."""
    checked = check_diagram(session, content, filename=filename, forms_dir=forms_dir)
    if checked.errors:
        raise DeploymentRefused(checked.errors)
    result = runtime.deploy(
        session,
        content,
        filename=filename,
        forms_dir=forms_dir,
        user=user,
        unless_deployed_before=unless_deployed_before,
    )
    result.warnings = checked.warnings
    return result
