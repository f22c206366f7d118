"""Checking a diagram before it is deployed: its XML read safely, then every element checked
(lanes, forms, due rules, timers and every expression and script in it), so that a diagram
that cannot run is refused with all its problems at once."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser

from engine.chasing.due import DueRule, DueRuleError, parse_due_rule
from engine.chasing.escalation import chase_property_problems
from engine.core.errors import Problem
from engine.core.forms import FormError, load_form
from engine.core.models import PARTICIPANT_ROLES
from engine.runtime import expressions
from engine.runtime.bpmn.serializer import SERIALIZER

BPMN_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_BPMN_BYTES = 10 * 1024 * 1024
MAX_KEY_LENGTH = 100
MAX_NAME_LENGTH = 200


@dataclass(frozen=True)
class HumanTaskSpec:
    """What the service needs to know about a user task of a diagram."""

    element_id: str
    title: str
    role: str
    form: str
    due: DueRule | None
    due_text: str
    organisation_from: str | None
    # Every extension property the diagram gives the task, for the caller's own checks.
    properties: dict[str, str] = field(default_factory=dict)


@dataclass
class CheckedDiagram:
    key: str
    name: str
    spec: Any
    subprocess_specs: dict[str, Any]
    human_tasks: dict[str, HumanTaskSpec] = field(default_factory=dict)

    def spec_json(self) -> str:
        return json.dumps(
            {
                "spec": SERIALIZER.to_dict(self.spec),
                "subprocess_specs": {
                    name: SERIALIZER.to_dict(spec) for name, spec in self.subprocess_specs.items()
                },
            },
            separators=(",", ":"),
        )


def parse_xml_safely(content: bytes) -> etree._Element:
    """Parse untrusted XML: no DTD, no entities, no network, no huge trees."""
    if len(content) > MAX_BPMN_BYTES:
        raise FileRefused(f"the file is larger than {MAX_BPMN_BYTES // (1024 * 1024)} MB")
    if not content.strip():
        raise FileRefused("the file is empty")
    if b"<!DOCTYPE" in content or b"<!ENTITY" in content:
        raise FileRefused("the file declares a DOCTYPE or entities, which BPMN never needs")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    try:
        root = etree.fromstring(content, parser)
    except etree.XMLSyntaxError as error:
        reason = getattr(error, "msg", None) or str(error)
        raise FileRefused(f"the file is not well-formed XML: {reason}") from None
    if root.getroottree().docinfo.internalDTD is not None:
        raise FileRefused("the file declares a DOCTYPE or entities, which BPMN never needs")
    if root.tag != f"{{{BPMN_NAMESPACE}}}definitions":
        raise FileRefused("the file is not a BPMN 2.0 diagram (its root is not bpmn:definitions)")
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        # Deployed diagrams are kept and served as UTF-8 text.
        raise FileRefused("the file is not UTF-8 text; save it with UTF-8 encoding") from None
    return root


class FileRefused(Exception):
    """A reason to refuse the whole file, not one element."""


def check_diagram(
    content: bytes,
    *,
    filename: str,
    forms_dir: Path,
    timescales: Mapping[str, int],
) -> tuple[CheckedDiagram | None, list[Problem]]:
    """Parse and check a diagram. Returns it with no problems, or None with every problem."""
    try:
        root = parse_xml_safely(content)
    except FileRefused as refusal:
        return None, [Problem("", str(refusal))]
    parser = SpiffBpmnParser(validator=BpmnValidator())
    try:
        parser.add_bpmn_xml(root, filename)
        executable = parser.get_process_ids()
        if len(executable) != 1:
            found = ", ".join(executable) or "none"
            return None, [
                Problem(
                    "",
                    "the file must hold exactly one executable process "
                    f'(isExecutable="true"); found {found}',
                )
            ]
        key = executable[0]
        if len(key) > MAX_KEY_LENGTH:
            return None, [Problem("", f"the process id is longer than {MAX_KEY_LENGTH} characters")]
        spec = parser.get_spec(key)
        subprocess_specs = parser.get_subprocess_specs(key)
    except ValidationException as error:
        return None, [Problem(getattr(error, "id", "") or "", _validation_message(error))]
    except SpiffWorkflowException as error:
        return None, [Problem("", str(error))]
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises bare errors on odd input
        return None, [Problem("", f"the diagram could not be read: {error}")]

    name = (spec.description or key)[:MAX_NAME_LENGTH]
    diagram = CheckedDiagram(key, name, spec, subprocess_specs)
    problems: list[Problem] = []
    for task_spec in _all_task_specs(diagram):
        problems.extend(_check_task_spec(task_spec, diagram, forms_dir, timescales))
    return (None, problems) if problems else (diagram, [])


def _validation_message(error: ValidationException) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    line = getattr(error, "line_number", None)
    return f"{text} (line {line})" if line else text


def _all_task_specs(diagram: CheckedDiagram) -> Iterator[Any]:
    for spec in (diagram.spec, *diagram.subprocess_specs.values()):
        yield from spec.task_specs.values()


def _expression_problem(
    element_id: str, what: str, source: Any, script: bool = False
) -> list[Problem]:
    if source is None:
        return []
    try:
        if script:
            expressions.check_script(str(source))
        else:
            expressions.check_expression(str(source))
    except expressions.ExpressionError as error:
        return [Problem(element_id, f"{what} '{_shorten(str(source))}' is refused: {error}")]
    return []


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_task_spec(
    task_spec: Any, diagram: CheckedDiagram, forms_dir: Path, timescales: Mapping[str, int]
) -> list[Problem]:
    element_id = getattr(task_spec, "bpmn_id", None)
    if element_id is None:
        return []  # an internal node SpiffWorkflow adds, not an element of the diagram
    problems: list[Problem] = []
    lane = getattr(task_spec, "lane", None)
    if lane is not None and lane not in PARTICIPANT_ROLES:
        problems.append(
            Problem(
                element_id,
                f"is in lane '{lane}', which is not a participant role; name lanes "
                f"{', '.join(PARTICIPANT_ROLES)}",
            )
        )
    for condition, _target in getattr(task_spec, "cond_task_specs", []) or []:
        # SpiffWorkflow wraps each condition's text in an operator object.
        source = condition.args[0] if condition is not None else None
        problems += _expression_problem(element_id, "the condition", source)
    problems += _expression_problem(
        element_id, "the script", getattr(task_spec, "script", None), True
    )
    for attribute in ("prescript", "postscript"):
        problems += _expression_problem(
            element_id, f"the {attribute}", getattr(task_spec, attribute, None), True
        )
    for attribute in ("cardinality", "condition"):
        problems += _expression_problem(
            element_id, f"the loop {attribute}", getattr(task_spec, attribute, None)
        )
    event_definition = getattr(task_spec, "event_definition", None)
    if isinstance(event_definition, TimerEventDefinition):
        problems += _check_timer(element_id, event_definition)
    elif isinstance(event_definition, ConditionalEventDefinition):
        problems += _expression_problem(element_id, "the condition", event_definition.expression)
    if task_spec.manual:
        problems += _check_human_task(task_spec, element_id, lane, diagram, forms_dir, timescales)
    return problems


def _check_timer(element_id: str, definition: TimerEventDefinition) -> list[Problem]:
    problems = _expression_problem(element_id, "the timer", definition.expression)
    if problems:
        return problems
    try:
        literal = ast.literal_eval(definition.expression)
    except (ValueError, SyntaxError):
        return []  # computed from task data; checked for safety above, parsed when it runs
    if not isinstance(literal, str):
        return [Problem(element_id, 'the timer must be ISO 8601 text such as "P5D"')]
    try:
        if isinstance(definition, DurationTimerEventDefinition):
            TimerEventDefinition.parse_iso_duration(literal)
        elif isinstance(definition, TimeDateEventDefinition):
            TimerEventDefinition.parse_time_or_duration(literal)
        elif isinstance(definition, CycleTimerEventDefinition):
            TimerEventDefinition.parse_iso_recurring_interval(literal)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's ISO parsers raise bare Exceptions
        return [
            Problem(
                element_id,
                f"the timer '{literal}' is not ISO 8601; write a duration like \"P5D\", "
                'a date-time like "2026-03-02T09:00" or a cycle like "R3/P1D"',
            )
        ]
    return []


def _check_human_task(
    task_spec: Any,
    element_id: str,
    lane: str | None,
    diagram: CheckedDiagram,
    forms_dir: Path,
    timescales: Mapping[str, int],
) -> list[Problem]:
    problems: list[Problem] = []
    properties = (getattr(task_spec, "extensions", None) or {}).get("properties", {})
    if lane is None:
        problems.append(
            Problem(element_id, "is not in a lane; put it in the lane of the role that does it")
        )
    form = properties.get("form", "")
    if not form:
        problems.append(Problem(element_id, "names no form; add the property form = <name>"))
    else:
        try:
            load_form(forms_dir, form)
        except FormError as error:
            problems.append(Problem(element_id, str(error)))
    for name in ("organisation_from", "due_on"):
        problems += _expression_problem(element_id, f"the {name} property", properties.get(name))
    problems += [Problem(element_id, text) for text in chase_property_problems(properties)]
    due_text = properties.get("due", "")
    rule = None
    if due_text and properties.get("due_on"):
        problems.append(Problem(element_id, "give either a due rule or a due_on date, not both"))
    elif due_text:
        try:
            rule = parse_due_rule(due_text, timescales)
        except DueRuleError as error:
            problems.append(Problem(element_id, str(error)))
    if not problems:
        diagram.human_tasks[task_spec.name] = HumanTaskSpec(
            element_id=element_id,
            title=task_spec.bpmn_name or element_id,
            role=lane or "",
            form=form,
            due=rule,
            due_text=due_text,
            organisation_from=properties.get("organisation_from") or None,
            properties=dict(properties),
        )
    return problems
