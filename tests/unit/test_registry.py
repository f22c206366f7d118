"""The registry of what each step means: every shipped user task names a form it knows, a
diagram naming any other form is refused with its element, each form has its schema and each
letter its composer; a case status written on a task is reported unused."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine import documents, procedure
from engine.core.config import PROJECT_ROOT
from engine.core.db import Database
from engine.core.errors import DeploymentRefused
from engine.core.models import ProcessDefinition
from engine.procedure import registry
from tests.support.files import FORMS as SHIPPED_FORMS

WORKFLOWS = PROJECT_ROOT / "workflows"
APPLICATION = WORKFLOWS / "community_trigger_application.bpmn"
ACKNOWLEDGEMENT = b'<spiffworkflow:property name="form" value="acknowledgement"/>'


def test_every_form_the_registry_knows_has_its_schema_and_every_letter_its_composer() -> None:
    for form in procedure.FORMS:
        assert (SHIPPED_FORMS / f"{form}.json").is_file(), form
    sent = [meaning.letter.kind for meaning in procedure.FORMS.values() if meaning.letter]
    sent += [kind for meaning in procedure.FORMS.values() for kind in meaning.may_send]
    assert not set(sent) & set(registry.UNPROMPTED_LETTERS)
    assert sorted(sent + list(registry.UNPROMPTED_LETTERS)) == sorted(documents.LETTER_KINDS), (
        "each letter is sent by exactly one form, or by the service itself"
    )


def test_every_user_task_of_the_shipped_diagrams_names_a_form_the_registry_knows(
    db: Database,
) -> None:
    with db.read() as session:
        for path in sorted(WORKFLOWS.glob("*.bpmn")):
            checked = procedure.check_diagram(
                session, path.read_bytes(), filename=path.name, forms_dir=SHIPPED_FORMS
            )
            assert checked.errors == [], path.name
            assert checked.diagram is not None
            named = {task.form for task in checked.diagram.human_tasks.values()}
            assert named and named <= set(procedure.FORMS), path.name


def test_a_user_task_naming_a_form_the_registry_does_not_know_is_refused_with_its_element(
    db: Database,
) -> None:
    # The application form has a schema, but completing a task with it would mean nothing.
    content = APPLICATION.read_bytes()
    assert ACKNOWLEDGEMENT in content
    unknown = content.replace(
        ACKNOWLEDGEMENT, b'<spiffworkflow:property name="form" value="application"/>', 1
    )
    with db.read() as session:
        checked = procedure.check_diagram(
            session, unknown, filename=APPLICATION.name, forms_dir=SHIPPED_FORMS
        )
    assert [(p.element_id, "'application' means nothing" in p.message) for p in checked.errors] == [
        ("acknowledge", True)
    ]
    with pytest.raises(DeploymentRefused) as refused, db.transaction() as session:
        procedure.deploy(session, unknown, filename=APPLICATION.name, forms_dir=SHIPPED_FORMS)
    assert "acknowledge: the form 'application' means nothing" in str(refused.value)
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(ProcessDefinition)) == 0


def test_a_refused_form_on_a_task_done_once_per_provider_names_the_task_as_drawn(
    db: Database,
) -> None:
    """The housing return runs once for each provider (multi-instance): SpiffWorkflow names
    its spec with a suffix, but the editor marks problems by the element's id."""
    content = APPLICATION.read_bytes()
    start = content.index(b'<bpmn:userTask id="housing_return"')
    end = content.index(b"</bpmn:userTask>", start)
    task = content[start:end]
    assert b"multiInstanceLoopCharacteristics" in task
    renamed = task.replace(b'value="information_return"', b'value="application"')
    assert renamed != task
    unknown = content[:start] + renamed + content[end:]
    with db.read() as session:
        checked = procedure.check_diagram(
            session, unknown, filename=APPLICATION.name, forms_dir=SHIPPED_FORMS
        )
    assert [p.element_id for p in checked.errors] == ["housing_return"]


def test_a_case_status_written_on_a_task_is_reported_unused_as_the_form_sets_it(
    db: Database,
) -> None:
    screening = b'<spiffworkflow:property name="form" value="screening"/>'
    content = APPLICATION.read_bytes()
    assert screening in content
    older = content.replace(
        screening,
        screening + b'<spiffworkflow:property name="case_status" value="closed"/>',
        1,
    )
    with db.read() as session:
        checked = procedure.check_diagram(
            session, older, filename=APPLICATION.name, forms_dir=SHIPPED_FORMS
        )
    assert checked.errors == []
    assert [(p.element_id, p.message) for p in checked.warnings] == [
        (
            "screen",
            "the case status 'closed' given here is not used: the form 'screening' sets "
            "'screening'",
        )
    ]
