"""Versions of a diagram: lint warnings, what changed between two versions, and moving a
running workflow onto a newer version with SpiffWorkflow's diff and migrate helpers."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.util.diff import SpecDiff, diff_workflow, migrate_workflow
from SpiffWorkflow.util.task import TaskState

from engine.core.errors import Problem
from engine.core.models import PARTICIPANT_ROLES
from engine.runtime import bpmn

_NS = bpmn.BPMN_NAMESPACE
_ACTIVITIES = frozenset(
    f"{{{_NS}}}{tag}"
    for tag in (
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "subProcess",
        "callActivity",
        "transaction",
        "adHocSubProcess",
    )
)
_EVENTS = frozenset(
    f"{{{_NS}}}{tag}"
    for tag in (
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
    )
)
_GATEWAYS = frozenset(
    f"{{{_NS}}}{tag}"
    for tag in (
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    )
)
_FLOW_NODES = _ACTIVITIES | _EVENTS | _GATEWAYS
_CONTAINERS = frozenset(
    f"{{{_NS}}}{tag}" for tag in ("subProcess", "transaction", "adHocSubProcess")
)
# Tasks that have been reached: done, under way or waiting for people or time. Tasks SpiffWorkflow
# merely predicts (MAYBE, LIKELY, FUTURE) have not been reached.
_REACHED = (
    TaskState.WAITING | TaskState.READY | TaskState.STARTED | TaskState.COMPLETED | TaskState.ERROR
)


@dataclass
class Validation:
    """The checks before a deployment: errors block it, warnings do not."""

    diagram: bpmn.CheckedDiagram | None
    errors: list[Problem]
    warnings: list[Problem]
    spec_json: str | None = None


def validate(
    content: bytes, *, filename: str, forms_dir: Path, timescales: Mapping[str, int]
) -> Validation:
    """Every check a diagram must pass, and the lint warnings; never raises for bad input."""
    try:
        root = bpmn.parse_xml_safely(content)
    except bpmn.FileRefused as refusal:
        return Validation(None, [Problem("", str(refusal))], [])
    try:
        diagram, errors = bpmn.check_diagram(
            content, filename=filename, forms_dir=forms_dir, timescales=timescales
        )
    except Exception as error:  # noqa: BLE001 - odd input must give a reason, not a crash
        diagram, errors = None, [Problem("", f"the diagram could not be checked: {error}")]
    try:
        errors = _length_problems(root) + errors
        # Each task in a lane that is not a role is reported already; a lane with no task in
        # it is reported for itself.
        lanes = {
            lane_id: name
            for lane_id, name in lanes_not_roles(root).items()
            if not any(e.message.startswith(f"is in lane '{name}'") for e in errors)
        }
        errors = lane_problems(lanes) + errors
        warnings = lint(root)
    except Exception as error:  # noqa: BLE001 - as above
        errors, warnings = errors + [Problem("", f"the diagram could not be read: {error}")], []
    spec_json = None
    if diagram is not None and not errors:
        try:
            spec_json = diagram.spec_json()
        except Exception as error:  # noqa: BLE001 - a spec SpiffWorkflow cannot store
            errors = [Problem("", f"the diagram could not be stored: {error}")]
    return Validation(None if errors else diagram, errors, warnings, spec_json)


def executable_processes(root: etree._Element) -> list[etree._Element]:
    return [
        process
        for process in root.iterchildren(f"{{{_NS}}}process")
        if process.get("isExecutable") == "true"
    ]


# What a task's row keeps of its element (engine.core.models.Task): its id, with room for the
# suffix SpiffWorkflow adds to a multi-instance task's id, and its name.
MAX_ELEMENT_ID = 180
MAX_ELEMENT_NAME = 300


def _length_problems(root: etree._Element) -> list[Problem]:
    problems = []
    for process in executable_processes(root):
        for node in process.iter(*_FLOW_NODES):
            element_id = node.get("id") or ""
            if len(element_id) > MAX_ELEMENT_ID:
                problems.append(
                    Problem(
                        element_id[:40] + "...",
                        f"the id is longer than {MAX_ELEMENT_ID} characters",
                    )
                )
            if len(node.get("name") or "") > MAX_ELEMENT_NAME:
                problems.append(
                    Problem(element_id, f"the name is longer than {MAX_ELEMENT_NAME} characters")
                )
    return problems


def lanes_not_roles(root: etree._Element) -> dict[str, str]:
    """The lanes of the executable process that are not participant roles: id to name."""
    found = {}
    for process in executable_processes(root):
        for lane in process.iter(f"{{{_NS}}}lane"):
            if lane.find(f"{{{_NS}}}childLaneSet") is not None:
                continue  # a lane of lanes: its inner lanes are the roles
            name = (lane.get("name") or "").strip()
            if name not in PARTICIPANT_ROLES:
                found[lane.get("id", "")] = name
    return found


def lane_problems(lanes: dict[str, str]) -> list[Problem]:
    return [
        Problem(
            lane_id,
            f"the lane '{name or '(no name)'}' is not a participant role; name lanes "
            f"{', '.join(PARTICIPANT_ROLES)}",
        )
        for lane_id, name in lanes.items()
    ]


def lint(root: etree._Element) -> list[Problem]:
    """Warnings that do not stop a deployment: unlabelled elements, unreachable ones."""
    warnings: list[Problem] = []
    for process in executable_processes(root):
        warnings += _lint_container(process)
    return warnings


def _lint_container(container: etree._Element) -> list[Problem]:
    nodes = {
        node.get("id"): node
        for node in container.iterchildren()
        if node.tag in _FLOW_NODES and node.get("id")
    }
    warnings = []
    for element_id, node in nodes.items():
        unnamed = not (node.get("name") or "").strip()
        if unnamed and node.tag in _ACTIVITIES:
            warnings.append(
                Problem(element_id, "has no label; give it a name people will recognise")
            )
        elif (
            unnamed
            and node.tag in _EVENTS
            and node.tag.endswith(
                ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
            )
        ):
            warnings.append(Problem(element_id, "has no label; say what the event waits for"))
    reached = _reachable(container, nodes)
    for element_id, node in nodes.items():
        if element_id not in reached and node.get("triggeredByEvent") != "true":
            warnings.append(Problem(element_id, "cannot be reached from the start of the process"))
    for node in nodes.values():
        if node.tag in _CONTAINERS:
            warnings += _lint_container(node)
    return warnings


def _reachable(container: etree._Element, nodes: dict[str, etree._Element]) -> set[str]:
    following: dict[str, list[str]] = {}
    for flow in container.iterchildren(f"{{{_NS}}}sequenceFlow"):
        following.setdefault(flow.get("sourceRef", ""), []).append(flow.get("targetRef", ""))
    for element_id, node in nodes.items():
        attached = node.get("attachedToRef")
        if node.tag == f"{{{_NS}}}boundaryEvent" and attached:
            following.setdefault(attached, []).append(element_id)
    starts = [
        element_id
        for element_id, node in nodes.items()
        if node.tag == f"{{{_NS}}}startEvent" or node.get("triggeredByEvent") == "true"
    ]
    seen: set[str] = set()
    waiting = list(starts)
    while waiting:
        current = waiting.pop()
        if current in seen:
            continue
        seen.add(current)
        waiting.extend(following.get(current, []))
    return seen


# --- comparing versions ----------------------------------------------------------------------

_ATTRIBUTE_WORDS = {
    "bpmn_name": "its name",
    "lane": "its lane",
    "inputs": "what leads to it",
    "outputs": "what follows it",
    "cond_task_specs": "its conditions",
    "default_task_spec": "its default path",
    "script": "its script",
    "prescript": "its script before",
    "postscript": "its script after",
    "event_definition": "its event",
    "typename": "its kind",
    "documentation": "its description",
    "data_input_associations": "its data inputs",
    "data_output_associations": "its data outputs",
    "io_specification": "its data",
    "cancel_activity": "whether it interrupts",
    "cardinality": "its loop",
    "condition": "its loop condition",
}


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    name: str
    what: tuple[str, ...] = ()


@dataclass
class Comparison:
    added: list[ElementChange] = field(default_factory=list)
    removed: list[ElementChange] = field(default_factory=list)
    changed: list[ElementChange] = field(default_factory=list)


def _diagram_specs(spec: Any, subprocess_specs: dict[str, Any]) -> Iterator[tuple[Any, Any]]:
    yield "", spec
    yield from subprocess_specs.items()


def compare(old_xml: str, old_spec_json: str, new_xml: str, new_spec_json: str) -> Comparison:
    """The diagram's elements added, removed and changed from one version to another.

    Added and removed come from the diagrams' flow elements, so an element SpiffWorkflow
    leaves out (one nothing leads to) still counts; what changed in each element both
    versions share comes from SpiffWorkflow's comparison of the two specs.
    """
    old_nodes, new_nodes = _flow_nodes(old_xml), _flow_nodes(new_xml)
    result = Comparison(
        added=[ElementChange(i, new_nodes[i]) for i in new_nodes.keys() - old_nodes.keys()],
        removed=[ElementChange(i, old_nodes[i]) for i in old_nodes.keys() - new_nodes.keys()],
    )
    old_spec, old_subprocesses = bpmn.restore_specs(old_spec_json)
    new_spec, new_subprocesses = bpmn.restore_specs(new_spec_json)
    registry = bpmn.SERIALIZER.registry
    for name, original in _diagram_specs(old_spec, old_subprocesses):
        newer = new_spec if name == "" else new_subprocesses.get(name)
        if newer is None:
            continue
        diff = SpecDiff(registry, original, newer)
        for spec, attributes in diff.changed.items():
            element = getattr(spec, "bpmn_id", None)
            if element and element in old_nodes and element in new_nodes:
                newer_spec = diff.alignment.get(spec)
                result.changed.append(
                    _change(newer_spec or spec, _describe(spec, newer_spec, attributes))
                )
    for listed in (result.added, result.removed, result.changed):
        listed.sort(key=lambda change: change.element_id)
    return result


def _flow_nodes(xml: str) -> dict[str, str]:
    """The flow elements of a deployed diagram's executable process: id to name."""
    root = bpmn.parse_xml_safely(xml.encode("utf-8"))
    return {
        node.get("id"): node.get("name") or ""
        for process in executable_processes(root)
        for node in process.iter(*_FLOW_NODES)
        if node.get("id")
    }


def _elements(specs: Iterable[Any]) -> list[Any]:
    # SpiffWorkflow adds inner nodes (Start, End, joins) that are not elements of the diagram.
    return [spec for spec in specs if getattr(spec, "bpmn_id", None)]


def _change(spec: Any, what: tuple[str, ...] = ()) -> ElementChange:
    return ElementChange(spec.bpmn_id, spec.bpmn_name or "", what)


def _describe(old: Any, new: Any, attributes: list[str]) -> tuple[str, ...]:
    words = []
    for attribute in attributes:
        if attribute == "extensions" and new is not None:
            before = (old.extensions or {}).get("properties", {})
            after = (new.extensions or {}).get("properties", {})
            names = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
            words += [f"its {name} property" for name in names] or ["its extension properties"]
        else:
            words.append(_ATTRIBUTE_WORDS.get(attribute, attribute.replace("_", " ")))
    return tuple(words)


# --- moving a running workflow ---------------------------------------------------------------


@dataclass
class MoveOutcome:
    """The moved workflow, or the reasons it cannot be moved (then nothing changed)."""

    workflow: Any | None
    reasons: list[str]


def move_workflow(state_json: str, old_spec_json: str, new_spec_json: str) -> MoveOutcome:
    """Move a workflow onto a new version if nothing it has reached differs there."""
    workflow = bpmn.load_workflow(state_json, old_spec_json)
    new_spec, new_subprocesses = bpmn.restore_specs(new_spec_json)
    registry = bpmn.SERIALIZER.registry
    try:
        top_diff, subprocess_diffs = diff_workflow(registry, workflow, new_spec, new_subprocesses)
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises bare errors on odd trees
        return MoveOutcome(None, [f"the versions could not be compared ({error})"])
    reasons = _reached_changes(workflow, top_diff)
    for subprocess_id, subprocess_diff in subprocess_diffs.items():
        subprocess = workflow.subprocesses[subprocess_id]
        if subprocess_diff is None:
            reasons.append(f"the subprocess '{subprocess.spec.name}' it is in has been removed")
        else:
            reasons += _reached_changes(subprocess, subprocess_diff)
    if reasons:
        return MoveOutcome(None, sorted(set(reasons)))
    try:
        # Ready tasks are predicted afresh from the new version; waiting ones (timers, joins)
        # are left alone, so a timer keeps counting from when it started.
        migrate_workflow(top_diff, workflow, new_spec, reset_mask=TaskState.READY)
        workflow.subprocess_specs = new_subprocesses
        for subprocess_id, subprocess_diff in subprocess_diffs.items():
            subprocess = workflow.subprocesses[subprocess_id]
            migrate_workflow(
                subprocess_diff,
                subprocess,
                new_subprocesses[subprocess.spec.name],
                reset_mask=TaskState.READY,
            )
        # The stored state must read back against the new version, or the move is refused.
        moved = bpmn.load_workflow(bpmn.dump_workflow(workflow), new_spec_json)
    except Exception as error:  # noqa: BLE001 - SpiffWorkflow raises bare errors on odd trees
        return MoveOutcome(None, [f"its state does not fit the new version ({error})"])
    return MoveOutcome(moved, [])


def _reached_changes(workflow: Any, diff: Any) -> list[str]:
    reasons = []
    removed = {task.id for task in diff.removed}
    changed = {task.id for task in diff.changed}
    for task in workflow.get_tasks(state=_REACHED, skip_subprocesses=True):
        spec = task.task_spec
        label = _label(spec)
        if task.id in removed:
            reasons.append(f"{label}, which it has reached, is not in the new version")
        elif task.id in changed:
            new = diff.alignment.get(task)
            attributes = _changed_attributes(spec, new)
            reasons.append(f"{label}, which it has reached, was changed ({', '.join(attributes)})")
    return reasons


def _changed_attributes(old: Any, new: Any) -> tuple[str, ...]:
    if new is None:
        return ("removed",)
    registry = bpmn.SERIALIZER.registry
    before, after = registry.convert(old), registry.convert(new)
    attributes = [key for key, value in before.items() if after.get(key) != value]
    return _describe(old, new, attributes) or ("its kind",)


def _label(spec: Any) -> str:
    element = getattr(spec, "bpmn_id", None)
    if element is None:
        return f"the step '{spec.name}'"
    name = getattr(spec, "bpmn_name", None)
    return f"'{name}' ({element})" if name else f"'{element}'"
