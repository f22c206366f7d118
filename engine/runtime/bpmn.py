"""SpiffWorkflow, confined: safe parsing and checking of diagrams, the safe script engine,
serialization with our data types, and the service clock for timers."""

from __future__ import annotations

import ast
import json
import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import SpiffWorkflow.bpmn.specs.event_definitions.timer as spiff_timer
from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.helpers.encoder import create_encoder
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import AdHocSubprocessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.conditional import ConditionalEventDefinition
from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimeDateEventDefinition,
    TimerEventDefinition,
)
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task as SpiffTask
from SpiffWorkflow.util.task import TaskState

from engine.chasing.due import DueRule, DueRuleError, parse_due_rule
from engine.chasing.escalation import chase_property_problems
from engine.core import clock
from engine.core.errors import Problem, ProcessFailed
from engine.core.forms import FormError, load_form
from engine.core.models import CASE_STATUSES, PARTICIPANT_ROLES
from engine.runtime import expressions

# SpiffWorkflow logs every task state change at INFO: about ten lines per completed task in a
# service logging at INFO (``casereview serve``), saying nothing the Task rows and the audit
# trail do not, and costing about a millisecond a completion. Its warnings still show.
logging.getLogger("spiff").setLevel(logging.WARNING)

BPMN_NAMESPACE = "http://www.omg.org/spec/BPMN/20100524/MODEL"
MAX_BPMN_BYTES = 10 * 1024 * 1024
MAX_KEY_LENGTH = 100
MAX_NAME_LENGTH = 200


class _ServiceClockDateTime(datetime):
    """Lets SpiffWorkflow's timers read the service clock instead of the machine's."""

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = clock.now()
        return moment.astimezone(tz) if tz else moment.astimezone(clock.LOCAL_ZONE)


# Timers are the only part of SpiffWorkflow that reads the time; they must follow our clock,
# and read a time written without a zone as UK time, like everything else in the service.
spiff_timer.datetime = _ServiceClockDateTime
spiff_timer.LOCALTZ = clock.LOCAL_ZONE


class SafeEnvironment(BasePythonScriptEngineEnvironment):
    """Evaluates diagram expressions with our own evaluator, never Python's eval/exec."""

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Any = None
    ) -> Any:
        return expressions.evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        expressions.execute(script, context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise ProcessFailed("service tasks are not supported; use a script task or a user task")


class SafeScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=SafeEnvironment())

    def validate(self, expression: str) -> None:
        expressions.check_expression(expression)

    def evaluate(self, task: SpiffTask, expression: str, external_context: Any = None) -> Any:
        value = super().evaluate(task, expression, external_context)
        event_definition = getattr(task.task_spec, "event_definition", None)
        if isinstance(event_definition, TimerEventDefinition) and isinstance(
            value, date | datetime
        ):
            # SpiffWorkflow reads timer values as ISO 8601 text.
            return value.isoformat()
        return value


SCRIPT_ENGINE = SafeScriptEngine()


class _StateConverter(BpmnWorkflowConverter):
    """A workflow's state without its specs, which are stored once with the definition:
    converting them on every dump, only to leave them out, was a fifth of the dump."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        state = WorkflowConverter.to_dict(self, workflow)
        state["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        state["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return state


def _build_serializer() -> BpmnWorkflowSerializer:
    registry = BpmnWorkflowSerializer.configure({**SPIFF_CONFIG, BpmnWorkflow: _StateConverter})
    registry.register(
        date, lambda value: {"value": value.isoformat()}, lambda d: date.fromisoformat(d["value"])
    )
    registry.register(Decimal, lambda value: {"value": str(value)}, lambda d: Decimal(d["value"]))
    return BpmnWorkflowSerializer(registry)


SERIALIZER = _build_serializer()
# Task data (dates, decimals) is converted by the JSON encoder, as SpiffWorkflow itself does.
_ENCODER = create_encoder(SERIALIZER.registry)


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


def _expression_problem(element_id: str, what: str, source: Any, script: bool = False) -> list:
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
    status = properties.get("case_status")
    if status is not None and status not in CASE_STATUSES:
        problems.append(
            Problem(
                element_id,
                f"case_status '{status}' is not a case status; "
                f"use one of {', '.join(CASE_STATUSES)}",
            )
        )
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
        )
    return problems


# --- workflows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """A deployed definition's specs: as stored, and restored once for every workflow that
    runs on it, where running a workflow leaves its specs as they are (restoring them is a
    third of what loading a workflow costs)."""

    spec_json: str
    process: Any
    subprocesses: Mapping[str, Any]
    shared: bool

    @classmethod
    def restore(cls, spec_json: str) -> Definition:
        process, subprocesses = restore_specs(spec_json)
        return cls(spec_json, process, subprocesses, not _changes_its_specs(process, subprocesses))

    def specs(self) -> tuple[Any, dict[str, Any]]:
        """Specs for one workflow: the shared ones, or a fresh restore of its own."""
        if self.shared:
            return self.process, dict(self.subprocesses)
        return restore_specs(self.spec_json)


def _changes_its_specs(process: Any, subprocesses: Mapping[str, Any]) -> bool:
    # SpiffWorkflow wires an event subprocess started by a message, signal or the like into
    # its process's spec when it is triggered, and an ad hoc subprocess's chosen paths into
    # its own: a workflow doing either must not pass that on to the others.
    return any(
        isinstance(spec, AdHocSubprocessSpec) or getattr(spec.start, "trigger_specs", None)
        for spec in (process, *subprocesses.values())
    )


def restore_specs(spec_json: str) -> tuple[Any, dict[str, Any]]:
    bundle = json.loads(spec_json)
    spec = SERIALIZER.from_dict(bundle["spec"])
    subprocess_specs = {
        name: SERIALIZER.from_dict(value) for name, value in bundle["subprocess_specs"].items()
    }
    return spec, subprocess_specs


def new_workflow(definition: Definition, data: Mapping[str, Any]) -> BpmnWorkflow:
    process, subprocesses = definition.specs()
    workflow = BpmnWorkflow(process, subprocesses, script_engine=SCRIPT_ENGINE)
    for task in workflow.get_tasks(state=TaskState.READY):
        task.data.update(data)
    return workflow


def dump_workflow(workflow: BpmnWorkflow) -> str:
    """The workflow's state without its spec, which is stored once with the definition."""
    state = SERIALIZER.to_dict(workflow)
    state[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    return json.dumps(state, separators=(",", ":"), cls=_ENCODER)


def load_workflow(state_json: str, spec: str | Definition) -> BpmnWorkflow:
    """A stored workflow, with its spec given as stored (restored here, as SpiffWorkflow's own
    serializer does) or as a ``Definition`` already restored."""
    state = json.loads(state_json)
    if isinstance(spec, Definition) and state.get(SERIALIZER.VERSION_KEY) == SERIALIZER.VERSION:
        # The serializer passes objects that are not dictionaries through as they are.
        state["spec"], state["subprocess_specs"] = spec.specs()
    else:
        # An older serialization may need its specs migrated with it.
        bundle = json.loads(spec.spec_json if isinstance(spec, Definition) else spec)
        state["spec"] = bundle["spec"]
        state["subprocess_specs"] = bundle["subprocess_specs"]
    SERIALIZER.migrate(state)
    workflow = SERIALIZER.from_dict(state)
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def erase_data(workflow: BpmnWorkflow) -> None:
    """Forget everything the workflow and its tasks were given or worked out (the answers to
    every form), keeping where each task got to."""
    workflows = [workflow, *workflow.subprocesses.values()]
    for each in workflows:
        each.data = {}
        for task in each.get_tasks():
            task.data = {}


def ready_human_tasks(workflow: BpmnWorkflow) -> list[SpiffTask]:
    """Ready user and manual tasks, those inside subprocesses too (SpiffWorkflow's task
    iterator goes down into them), each once."""
    return workflow.get_tasks(state=TaskState.READY, manual=True)


def find_task(workflow: BpmnWorkflow, task_id: str) -> SpiffTask | None:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except Exception:  # noqa: BLE001 - SpiffWorkflow raises TaskNotFoundException or KeyError
        return None


def is_ready(task: SpiffTask) -> bool:
    return task.state == TaskState.READY


def is_completed(task: SpiffTask) -> bool:
    return task.state == TaskState.COMPLETED


def advance(workflow: BpmnWorkflow) -> None:
    """Run engine steps and fire due timers until only people or time can move it on."""
    try:
        workflow.do_engine_steps()
        workflow.refresh_timers()
        workflow.do_engine_steps()
    except (SpiffWorkflowException, expressions.ExpressionError) as error:
        raise ProcessFailed(_spiff_message(error)) from None


def run_human_task(workflow: BpmnWorkflow, task: SpiffTask, data: Mapping[str, Any]) -> None:
    try:
        task.set_data(**data)
        task.run()
    except (SpiffWorkflowException, expressions.ExpressionError) as error:
        raise ProcessFailed(_spiff_message(error)) from None
    advance(workflow)


def _spiff_message(error: Exception) -> str:
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    spec = getattr(getattr(error, "task", None), "task_spec", None)
    element = getattr(spec, "bpmn_id", None) if spec is not None else None
    return f"{element}: {text}" if element else text


def next_timer_at(workflow: BpmnWorkflow) -> datetime | None:
    """When the earliest waiting timer falls due, so the scheduler need not load workflows."""
    moments = []
    for event in workflow.waiting_events():
        value = event.value
        if isinstance(value, dict):
            value = value.get("next")
        if not isinstance(value, str):
            continue
        try:
            moments.append(clock.as_utc(datetime.fromisoformat(value)))
        except ValueError:
            continue
    return min(moments) if moments else None


def is_finished(workflow: BpmnWorkflow) -> bool:
    return workflow.is_completed()


def workflow_data(workflow: BpmnWorkflow) -> dict[str, Any]:
    return dict(workflow.data)


def task_properties(task: SpiffTask) -> dict[str, str]:
    """The extension properties (form, due, ...) the diagram gives a task."""
    return (getattr(task.task_spec, "extensions", None) or {}).get("properties", {})
