"""Test diagrams through the workflow runtime: the review test diagram of the fixtures, and
diagrams of one user task made up on the spot, deployed, started and completed."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from engine import procedure
from engine.cases.opening import open_case
from engine.core.clock import LOCAL_ZONE
from engine.core.db import Database
from engine.core.models import (
    CaseParticipant,
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Task,
    User,
)
from engine.runtime import bpmn, complete_task, deploy, start_process
from tests.support.files import FIXTURES, TEST_FORMS
from tests.support.people import user

DIAGRAM = (FIXTURES / "review_test.bpmn").read_bytes()
RETURN = {"incidents": [{"occurred_on": "2026-01-10", "reported_on": "2026-01-12"}]}


def deploy_bytes(db: Database, content: bytes = DIAGRAM) -> ProcessDefinition:
    with db.transaction() as session:
        return deploy(
            session, content, filename="review_test.bpmn", forms_dir=TEST_FORMS
        ).definition


def start_case(db: Database, district: str = "derbyshire-dales", threshold: int = 2) -> int:
    with db.transaction() as session:
        case = open_case(session, district, date(2026, 3, 2))
        start_process(
            session,
            case,
            "test_review",
            {
                "received_on": case.received_on,
                "threshold": threshold,
                "case_reference": case.reference,
            },
        )
        return case.id


def open_tasks(db: Database, case_id: int) -> dict[str, Task]:
    with db.read() as session:
        rows = session.scalars(
            select(Task).where(Task.case_id == case_id, Task.state.in_(["open", "claimed"]))
        ).all()
        for row in rows:
            row.organisation_ids  # noqa: B018 - load candidates before the session closes
        return {row.spec_name: row for row in rows}


def complete(db: Database, task: Task, email: str, data: dict) -> object:
    return complete_task(db, task.id, user(db, email), data, forms_dir=TEST_FORMS)


def acknowledged_case(db: Database, threshold: int = 2) -> int:
    """A case of the test diagram whose application the council has acknowledged: its
    agencies' returns wait."""
    deploy_bytes(db)
    case_id = start_case(db, threshold=threshold)
    complete(db, open_tasks(db, case_id)["acknowledge"], "council@example.org", {"note": "sent"})
    return case_id


def stored_workflow(db: Database, case_id: int) -> tuple[Any, ProcessInstance]:
    """The case's one instance's workflow, loaded from what is stored, and the instance."""
    with db.read() as session:
        instance = session.scalar(select(ProcessInstance).where(ProcessInstance.case_id == case_id))
        definition = session.get(ProcessDefinition, instance.definition_id)
        return bpmn.load_workflow(instance.workflow_json, definition.spec_json), instance


def at(day: date, hour: int = 9) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL_ZONE)


def one_task_diagram(key: str, lane: str, properties: dict[str, str] | None = None) -> bytes:
    """A process with one user task in ``lane``, due in 5 working days unless told otherwise."""
    given = {"form": "test_acknowledge", "due": "5 working days", **(properties or {})}
    props = "".join(f'<spiffworkflow:property name="{n}" value="{v}" />' for n, v in given.items())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" name="{key}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1">
      <bpmn:lane id="Lane_1" name="{lane}">
        <bpmn:flowNodeRef>start</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>work</bpmn:flowNodeRef>
        <bpmn:flowNodeRef>end</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:userTask id="work" name="Do the work">
      <bpmn:extensionElements><spiffworkflow:properties>{props}</spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="end" />
  </bpmn:process>
</bpmn:definitions>""".encode()


def deploy_diagram(db: Database, content: bytes) -> None:
    with db.transaction() as session:
        deploy(session, content, filename="diagram.bpmn", forms_dir=TEST_FORMS)


def start(db: Database, key: str, *, opcc: bool = False, chair: User | None = None) -> int:
    """Start a case in Derbyshire Dales on process ``key``, with the OPCC or ``chair`` taking
    part if asked; returns its one live task's id."""
    with db.transaction() as session:
        case = open_case(session, "derbyshire-dales")
        if opcc:
            opcc_id = session.scalar(select(Organisation.id).where(Organisation.kind == "opcc"))
            case.participants.append(CaseParticipant(organisation_id=opcc_id, role="opcc"))
        if chair is not None:
            case.participants.append(
                CaseParticipant(
                    organisation_id=chair.organisation_id, role="chair", user_id=chair.id
                )
            )
        session.flush()
        procedure.start_process(session, case, key)
        return session.scalar(
            select(Task.id).where(Task.case_id == case.id, Task.state.in_(["open", "claimed"]))
        )


def looping_diagram(key: str, *, before: str = "", wait_in_loop: bool = False) -> bytes:
    """A process whose script goes round a loop for ever, through the gateway 'again': from
    the start, or after the council's one user task (``before="task"``) or a day's timer
    (``before="timer"``); ``wait_in_loop`` puts a timer inside the loop, so each round waits
    a day."""
    elements = {
        "task": """
    <bpmn:userTask id="first" name="Do the work">
      <bpmn:extensionElements><spiffworkflow:properties>
        <spiffworkflow:property name="form" value="test_acknowledge" />
        <spiffworkflow:property name="due" value="5 working days" />
      </spiffworkflow:properties></bpmn:extensionElements>
      <bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_first</bpmn:outgoing>
    </bpmn:userTask>""",
        "timer": """
    <bpmn:intermediateCatchEvent id="first" name="A day later">
      <bpmn:incoming>f_start</bpmn:incoming><bpmn:outgoing>f_first</bpmn:outgoing>
      <bpmn:timerEventDefinition id="first_timer">
        <bpmn:timeDuration>"P1D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>""",
    }
    first = ""
    if before:
        first = (
            elements[before]
            + """
    <bpmn:sequenceFlow id="f_first" sourceRef="first" targetRef="tick" />"""
        )
    wait = """
    <bpmn:intermediateCatchEvent id="wait" name="A day later">
      <bpmn:incoming>f_tick</bpmn:incoming><bpmn:outgoing>f_waited</bpmn:outgoing>
      <bpmn:timerEventDefinition id="wait_timer">
        <bpmn:timeDuration>"P1D"</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f_waited" sourceRef="wait" targetRef="again" />"""
    into_tick = "wait" if wait_in_loop else "again"
    wait_part = wait if wait_in_loop else ""
    lane = ["start", "first" if before else "", "tick", "wait" if wait_in_loop else "", "again"]
    refs = "".join(f"<bpmn:flowNodeRef>{ref}</bpmn:flowNodeRef>" for ref in [*lane, "end"] if ref)
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"
    id="Definitions_{key}" targetNamespace="http://bpmn.io/schema/bpmn">
  <bpmn:process id="{key}" name="Looping {key}" isExecutable="true">
    <bpmn:laneSet id="LaneSet_1"><bpmn:lane id="Lane_1" name="council">{refs}</bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="start" name="Started"><bpmn:outgoing>f_start</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="f_start" sourceRef="start" targetRef="{"first" if before else "tick"}" />
    {first}
    <bpmn:scriptTask id="tick" name="Count a round">
      <bpmn:incoming>{"f_first" if before else "f_start"}</bpmn:incoming>
      <bpmn:incoming>f_back</bpmn:incoming><bpmn:outgoing>f_tick</bpmn:outgoing>
      <bpmn:script>rounds = 1</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_tick" sourceRef="tick" targetRef="{into_tick}" />{wait_part}
    <bpmn:exclusiveGateway id="again" name="Go round again?" default="f_out">
      <bpmn:incoming>{"f_waited" if wait_in_loop else "f_tick"}</bpmn:incoming>
      <bpmn:outgoing>f_back</bpmn:outgoing><bpmn:outgoing>f_out</bpmn:outgoing>
    </bpmn:exclusiveGateway>
    <bpmn:sequenceFlow id="f_back" sourceRef="again" targetRef="tick">
      <bpmn:conditionExpression id="c_back">rounds &gt; 0</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_out" sourceRef="again" targetRef="end" />
    <bpmn:endEvent id="end" name="Done"><bpmn:incoming>f_out</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>""".encode()
