"""What changed from one version of a diagram to another, element by element, in words a
process owner reads."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.util.diff import SpecDiff

from engine.runtime import bpmn
from engine.runtime.versions.elements import FLOW_NODES, executable_processes

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
                    _change(newer_spec or spec, describe_changes(spec, newer_spec, attributes))
                )
    for listed in (result.added, result.removed, result.changed):
        listed.sort(key=lambda change: change.element_id)
    return result


def _flow_nodes(xml: str) -> dict[str, str]:
    """The flow elements of a deployed diagram's executable process: id to name."""
    root = bpmn.parse_xml_safely(xml.encode("utf-8"))
    return {
        element_id: node.get("name") or ""
        for process in executable_processes(root)
        for node in process.iter(*FLOW_NODES)
        if (element_id := node.get("id"))
    }


def _change(spec: Any, what: tuple[str, ...] = ()) -> ElementChange:
    return ElementChange(spec.bpmn_id, spec.bpmn_name or "", what)


def describe_changes(old: Any, new: Any, attributes: list[str]) -> tuple[str, ...]:
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
