"""A diagram's steps in words, in the order a case meets them: what a case page lists beside
the drawing for anyone who reads rather than looks."""

from __future__ import annotations

from engine.runtime import outline
from tests.support.files import ROOT

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def _diagram(body: str, lanes: str = "") -> str:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><definitions xmlns="{BPMN}" id="d" '
        'targetNamespace="t"><process id="p" isExecutable="true">'
        f"{lanes}{body}</process></definitions>"
    )


def test_the_steps_follow_the_flows_from_the_start_parallel_branches_side_by_side() -> None:
    xml = _diagram(
        '<startEvent id="start"/>'
        # In the file, the last step comes first: the order is the flows', not the file's.
        '<userTask id="decide" name="Decide"/>'
        '<userTask id="ask" name="Ask"/>'
        '<parallelGateway id="split"/>'
        '<userTask id="police" name="Police return"/>'
        '<manualTask id="housing" name="Housing return"/>'
        '<parallelGateway id="join"/>'
        '<scriptTask id="tally" name="Tally"/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="ask"/>'
        '<sequenceFlow id="f2" sourceRef="ask" targetRef="split"/>'
        '<sequenceFlow id="f3" sourceRef="split" targetRef="police"/>'
        '<sequenceFlow id="f4" sourceRef="split" targetRef="housing"/>'
        '<sequenceFlow id="f5" sourceRef="police" targetRef="join"/>'
        '<sequenceFlow id="f6" sourceRef="housing" targetRef="join"/>'
        '<sequenceFlow id="f7" sourceRef="join" targetRef="tally"/>'
        '<sequenceFlow id="f8" sourceRef="tally" targetRef="decide"/>'
        # A loop back to the start of the returns lists nothing twice.
        '<sequenceFlow id="f9" sourceRef="decide" targetRef="ask"/>',
        lanes='<laneSet id="ls"><lane id="l1" name="council"><flowNodeRef>ask</flowNodeRef>'
        '<flowNodeRef>decide</flowNodeRef></lane><lane id="l2" name="police">'
        "<flowNodeRef>police</flowNodeRef></lane></laneSet>",
    )
    steps = outline(xml)
    assert [(s.element_id, s.name, s.lane) for s in steps] == [
        ("ask", "Ask", "council"),
        ("police", "Police return", "police"),
        ("housing", "Housing return", ""),
        ("decide", "Decide", "council"),
    ], "people's tasks only: no gateways, events or scripts"


def test_a_subprocess_s_steps_follow_it_and_steps_nothing_leads_to_come_last() -> None:
    xml = _diagram(
        '<startEvent id="start"/>'
        '<userTask id="orphan"/>'
        '<subProcess id="review"><startEvent id="inner_start"/>'
        '<userTask id="meet" name="Meet"/>'
        '<sequenceFlow id="i1" sourceRef="inner_start" targetRef="meet"/></subProcess>'
        '<userTask id="close" name="Close"/>'
        '<sequenceFlow id="f1" sourceRef="start" targetRef="review"/>'
        '<sequenceFlow id="f2" sourceRef="review" targetRef="close"/>'
    )
    assert [s.name for s in outline(xml)] == ["Meet", "Close", "orphan"], "unnamed: its id"


def test_the_shipped_application_begins_with_acknowledging_it_in_the_council_s_lane() -> None:
    xml = (ROOT / "workflows" / "community_trigger_application.bpmn").read_text()
    steps = outline(xml)
    assert (steps[0].name, steps[0].lane) == ("Acknowledge the application", "council")
    assert steps[1].name == "Screen the application"
    assert len({s.element_id for s in steps}) == len(steps)


def test_each_step_says_when_it_falls_due_as_the_diagram_says() -> None:
    spiff = "http://spiffworkflow.org/bpmn/schema/1.0/core"

    def task(element_id: str, properties: str) -> str:
        return (
            f'<userTask id="{element_id}"><extensionElements>'
            f'<spiffworkflow:properties xmlns:spiffworkflow="{spiff}">{properties}'
            "</spiffworkflow:properties></extensionElements></userTask>"
        )

    xml = _diagram(
        task("rule", '<spiffworkflow:property name="due" value="5 working days"/>')
        + task("date", '<spiffworkflow:property name="due_on" value="action[\'due_date\']"/>')
        + task("none", '<spiffworkflow:property name="form" value="screening"/>')
    )
    assert [(s.element_id, s.due) for s in outline(xml)] == [
        ("rule", "5 working days"),
        ("date", "the date action['due_date']"),
        ("none", ""),
    ]
