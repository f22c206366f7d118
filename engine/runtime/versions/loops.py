"""The lint warning for a loop that nothing inside it waits for.

SpiffWorkflow runs such a loop at once, round and round, until its gateway lets it out; each
round sinks the next below the one before, and past about a thousand steps SpiffWorkflow can
no longer find what comes next, so the service stops the instance as failed. A loop bounded
by the data (three reminders, one round per housing provider) is fine, which is why this warns
and does not refuse: the process owner knows whether the gateway lets it out soon.
"""

from __future__ import annotations

from lxml import etree

from engine.core.errors import Problem
from engine.runtime.bpmn import BPMN_NAMESPACE
from engine.runtime.versions.elements import CONTAINERS

_NS = BPMN_NAMESPACE
# What waits for someone or something: a person's task, a message, the time.
_WAITING_TASKS = frozenset(f"{{{_NS}}}{tag}" for tag in ("userTask", "manualTask", "receiveTask"))
_CATCHING = frozenset(f"{{{_NS}}}{tag}" for tag in ("intermediateCatchEvent", "boundaryEvent"))
# A call activity runs a process this diagram does not show, which may well wait.
_CALL = f"{{{_NS}}}callActivity"


def loop_warnings(container: etree._Element, nodes: dict[str, etree._Element]) -> list[Problem]:
    """One warning for each loop of the container's sequence flows with nothing in it that
    waits, named by its first element in the diagram."""
    following: dict[str, list[str]] = {}
    for flow in container.iterchildren(f"{{{_NS}}}sequenceFlow"):
        source, target = flow.get("sourceRef", ""), flow.get("targetRef", "")
        if source in nodes and target in nodes:
            following.setdefault(source, []).append(target)
    order = list(nodes)
    warnings = []
    for loop in _loops(order, following):
        if any(_waits(nodes[element_id]) for element_id in loop):
            continue
        first = min(loop, key=order.index)
        warnings.append(
            Problem(
                first,
                "is in a loop with nothing in it that waits (no user task, timer, message or "
                "receive task): it goes round at once until its gateway lets it out, and a "
                "case's process that goes on for about a thousand steps in a row is stopped "
                "as failed",
            )
        )
    return warnings


def _waits(node: etree._Element) -> bool:
    if node.tag in _WAITING_TASKS or node.tag == _CALL:
        return True
    if node.tag in _CATCHING:
        return True
    if node.tag in CONTAINERS:
        return any(
            _waits(inner)
            for inner in node.iter(*_WAITING_TASKS, *_CATCHING, _CALL)
            if inner is not node
        )
    return node.tag == f"{{{_NS}}}eventBasedGateway"


def _loops(order: list[str], following: dict[str, list[str]]) -> list[set[str]]:
    """The strongly connected parts of the flow graph that hold a loop (Tarjan's method,
    without recursion, so a long diagram cannot reach Python's recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[set[str]] = []
    for root in order:
        if root in index:
            continue
        work = [(root, iter(following.get(root, [])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(following.get(successor, []))))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                part = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    part.add(member)
                    if member == node:
                        break
                if len(part) > 1 or node in following.get(node, []):
                    found.append(part)
    return found
