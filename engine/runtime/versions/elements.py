"""The kinds of element a BPMN diagram holds, as lxml names their tags, and the executable
processes of a diagram, which is all the service runs."""

from __future__ import annotations

from lxml import etree

from engine.runtime.bpmn import BPMN_NAMESPACE

_NS = BPMN_NAMESPACE
ACTIVITIES = frozenset(
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
EVENTS = frozenset(
    f"{{{_NS}}}{tag}"
    for tag in (
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
    )
)
GATEWAYS = frozenset(
    f"{{{_NS}}}{tag}"
    for tag in (
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    )
)
FLOW_NODES = ACTIVITIES | EVENTS | GATEWAYS
CONTAINERS = frozenset(
    f"{{{_NS}}}{tag}" for tag in ("subProcess", "transaction", "adHocSubProcess")
)


def executable_processes(root: etree._Element) -> list[etree._Element]:
    return [
        process
        for process in root.iterchildren(f"{{{_NS}}}process")
        if process.get("isExecutable") == "true"
    ]
