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


# Longer values (a script, say) are cut here: the table shows what changed, the diagrams how.
VALUE_LIMIT = 300


@dataclass(frozen=True)
class ValueChange:
    """One thing about an element that differs: in words, as it was and as it is."""

    what: str
    before: str
    after: str


@dataclass(frozen=True)
class ElementChange:
    element_id: str
    name: str
    what: tuple[str, ...] = ()
    values: tuple[ValueChange, ...] = ()


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
                values = changed_values(spec, newer_spec, attributes)
                result.changed.append(
                    ElementChange(
                        element,
                        (newer_spec or spec).bpmn_name or "",
                        tuple(value.what for value in values),
                        values,
                    )
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


def describe_changes(old: Any, new: Any, attributes: list[str]) -> tuple[str, ...]:
    """What differs about an element, in words ("its name", "its due property")."""
    return tuple(value.what for value in changed_values(old, new, attributes))


def changed_values(old: Any, new: Any, attributes: list[str]) -> tuple[ValueChange, ...]:
    """Each thing that differs about an element, with its value before and after."""
    changes = []
    for attribute in attributes:
        if attribute == "extensions" and new is not None:
            before = (old.extensions or {}).get("properties", {})
            after = (new.extensions or {}).get("properties", {})
            names = sorted(n for n in set(before) | set(after) if before.get(n) != after.get(n))
            changes += [
                ValueChange(
                    f"its {name} property", readable(before.get(name)), readable(after.get(name))
                )
                for name in names
            ] or [ValueChange("its extension properties", readable(before), readable(after))]
        else:
            changes.append(
                ValueChange(
                    _ATTRIBUTE_WORDS.get(attribute, attribute.replace("_", " ")),
                    readable(getattr(old, attribute, None)),
                    readable(getattr(new, attribute, None)) if new is not None else "",
                )
            )
    return tuple(changes)


def readable(value: Any) -> str:
    """A spec's attribute as a process owner would name it: names of the elements it points
    to, the text of a script or condition, "yes" or "no"; nothing for none."""
    text = _readable(value)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _readable(value: Any) -> str:
    if value is None or value == "" or value == [] or value == {}:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str | int | float):
        return str(value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {_readable(item)}" for key, item in sorted(value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        items = [_readable(item) for item in value]
        return ", ".join(sorted(items) if isinstance(value, set | frozenset) else items)
    for name in ("bpmn_name", "bpmn_id", "name", "expression"):
        found = getattr(value, name, None)
        if isinstance(found, str) and found:
            return found
    return _words(type(value).__name__)


def _words(class_name: str) -> str:
    """``TimerEventDefinition`` as "timer event definition"."""
    letters = [f" {c.lower()}" if c.isupper() else c for c in class_name]
    return "".join(letters).strip()
