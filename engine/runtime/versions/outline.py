"""A diagram's steps as a list, in the order a case meets them: what a screen reader, or anyone
who would rather read than look at a drawing, is given beside a case's diagram.

The steps are the tasks people do (user and manual tasks), each with its lane, walked along
the sequence flows from the start events (breadth first, so parallel branches are listed
side by side, and a loop back lists nothing twice). Tasks nothing leads to come last, in the
order the file holds them.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from lxml import etree

from engine.runtime import bpmn
from engine.runtime.versions.elements import CONTAINERS, FLOW_NODES, executable_processes

_NS = bpmn.BPMN_NAMESPACE
STEPS = frozenset(f"{{{_NS}}}{tag}" for tag in ("userTask", "manualTask"))


@dataclass(frozen=True)
class OutlineStep:
    """One task of a diagram: its element id, its name, the lane (the role) that does it, and
    when it falls due as the diagram says (its ``due`` rule, or its ``due_on`` date), if at all."""

    element_id: str
    name: str
    lane: str
    due: str = ""


def outline(bpmn_xml: str) -> tuple[OutlineStep, ...]:
    """The diagram's tasks in the order a case meets them."""
    root = bpmn.parse_xml_safely(bpmn_xml.encode("utf-8"))
    steps: list[OutlineStep] = []
    for process in executable_processes(root):
        lanes = _lanes(process)
        for node in _in_order(process):
            if node.tag in STEPS:
                element_id = node.get("id") or ""
                steps.append(
                    OutlineStep(
                        element_id,
                        node.get("name") or element_id,
                        lanes.get(element_id, ""),
                        _due(node),
                    )
                )
    return tuple(steps)


def _due(node: etree._Element) -> str:
    """The task's due rule, or its due date's expression, from its extension properties."""
    properties = {
        element.get("name"): element.get("value") or ""
        for element in node.iter(etree.Element)
        if etree.QName(element).localname == "property"
    }
    if properties.get("due"):
        return properties["due"]
    return f"the date {properties['due_on']}" if properties.get("due_on") else ""


def _lanes(process: etree._Element) -> dict[str, str]:
    return {
        reference.text.strip(): lane.get("name") or lane.get("id") or ""
        for lane in process.iter(f"{{{_NS}}}lane")
        for reference in lane.iterchildren(f"{{{_NS}}}flowNodeRef")
        if reference.text
    }


def _in_order(scope: etree._Element) -> list[etree._Element]:
    """The flow nodes of a process or subprocess, from its start events along its flows; a
    subprocess's own steps follow it."""
    nodes: dict[str, etree._Element] = {
        node.get("id") or "": node for node in scope.iterchildren() if node.tag in FLOW_NODES
    }
    following: dict[str, list[str]] = {}
    for flow in scope.iterchildren(f"{{{_NS}}}sequenceFlow"):
        following.setdefault(flow.get("sourceRef") or "", []).append(flow.get("targetRef") or "")
    for node in nodes.values():
        if node.tag == f"{{{_NS}}}boundaryEvent" and node.get("attachedToRef"):
            following.setdefault(node.get("attachedToRef") or "", []).append(node.get("id") or "")
    starts = [i for i, node in nodes.items() if node.tag == f"{{{_NS}}}startEvent"]
    seen: set[str] = set()
    ordered: list[etree._Element] = []
    queue: deque[str] = deque(starts)
    while queue or len(seen) < len(nodes):
        if not queue:
            queue.append(next(i for i in nodes if i not in seen))
        element_id = queue.popleft()
        if element_id in seen or element_id not in nodes:
            continue
        seen.add(element_id)
        node = nodes[element_id]
        ordered.append(node)
        if node.tag in CONTAINERS:
            ordered += _in_order(node)
        queue.extend(following.get(element_id, []))
    return ordered
