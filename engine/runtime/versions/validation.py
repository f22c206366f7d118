"""The checks before a deployment: the diagram's own checks, the limits on what a task's row
keeps, lanes that are not participant roles, and the lint warnings that do not stop it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from engine.core.errors import Problem
from engine.core.models import PARTICIPANT_ROLES
from engine.runtime import bpmn
from engine.runtime.versions.elements import (
    ACTIVITIES,
    CONTAINERS,
    EVENTS,
    FLOW_NODES,
    executable_processes,
)
from engine.runtime.versions.loops import loop_warnings

_NS = bpmn.BPMN_NAMESPACE


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


# What a task's row keeps of its element (engine.core.models.Task): its id, with room for the
# suffix SpiffWorkflow adds to a multi-instance task's id, and its name.
MAX_ELEMENT_ID = 180
MAX_ELEMENT_NAME = 300


def _length_problems(root: etree._Element) -> list[Problem]:
    problems = []
    for process in executable_processes(root):
        for node in process.iter(*FLOW_NODES):
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
    """Warnings that do not stop a deployment: unlabelled elements, unreachable ones, loops
    that nothing in them waits for."""
    warnings: list[Problem] = []
    for process in executable_processes(root):
        warnings += _lint_container(process)
    return warnings


def _lint_container(container: etree._Element) -> list[Problem]:
    nodes = {
        element_id: node
        for node in container.iterchildren()
        if node.tag in FLOW_NODES and (element_id := node.get("id"))
    }
    warnings = []
    for element_id, node in nodes.items():
        unnamed = not (node.get("name") or "").strip()
        if unnamed and node.tag in ACTIVITIES:
            warnings.append(
                Problem(element_id, "has no label; give it a name people will recognise")
            )
        elif (
            unnamed
            and node.tag in EVENTS
            and node.tag.endswith(
                ("intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent")
            )
        ):
            warnings.append(Problem(element_id, "has no label; say what the event waits for"))
    reached = _reachable(container, nodes)
    for element_id, node in nodes.items():
        if element_id not in reached and node.get("triggeredByEvent") != "true":
            warnings.append(Problem(element_id, "cannot be reached from the start of the process"))
    warnings += loop_warnings(container, nodes)
    for node in nodes.values():
        if node.tag in CONTAINERS:
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
