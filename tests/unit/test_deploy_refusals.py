"""Deploying a diagram the runtime cannot run safely is refused, naming the element at fault,
and nothing is written."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.core.db import Database
from engine.core.errors import DeploymentRefused
from engine.core.models import ProcessDefinition
from tests.support.runtime import DIAGRAM, deploy_bytes


def _refusal(db: Database, content: bytes) -> str:
    with db.read() as session:
        before = session.scalar(select(func.count()).select_from(ProcessDefinition))
    with pytest.raises(DeploymentRefused) as refused:
        deploy_bytes(db, content)
    with db.read() as session:
        after = session.scalar(select(func.count()).select_from(ProcessDefinition))
    assert after == before, "a refused diagram writes nothing"
    return str(refused.value)


CONDITION = b"total &gt;= threshold"


HOUSING_FORM = b'value="test_return" />\n          <spiffworkflow:property name="due" value="agency'


@pytest.mark.parametrize(
    "change, element, words",
    [
        ((b'name="housing"', b'name="neighbours"'), "housing_return", "not a participant role"),
        (
            (HOUSING_FORM, HOUSING_FORM.replace(b"test_return", b"nope")),
            "housing_return",
            "no form 'nope'",
        ),
        ((b'value="1 working day"', b'value="soon-ish"'), "escalated", "not a due rule"),
        ((b'value="1 working day"', b'value="fortnight"'), "escalated", "no timescale"),
        ((b'"P10D"', b'"P10X"'), "decision_overdue", "not ISO 8601"),
        ((CONDITION, b"__import__('os')"), "threshold_gateway", "refused"),
        ((CONDITION, b"__builtins__"), "threshold_gateway", "refused"),
        ((CONDITION, b"total.__class__"), "threshold_gateway", "refused"),
        ((CONDITION, b"().__class__.__base__.__subclasses__()"), "threshold_gateway", "refused"),
        ((CONDITION, b"(lambda: 1)()"), "threshold_gateway", "refused"),
        ((CONDITION, b"[x for x in incidents]"), "threshold_gateway", "refused"),
        ((CONDITION, b"open('/etc/passwd')"), "threshold_gateway", "refused"),
        ((CONDITION, b"getattr(total, 'real')"), "threshold_gateway", "refused"),
        ((CONDITION, b"9**9**9"), "threshold_gateway", "refused"),
        ((CONDITION, b"len('a' * 10**10) &gt; 0"), "threshold_gateway", "refused"),
        ((b"total = police_count + housing_count", b"import os"), "count_returns", "refused"),
        (
            (b"police_count = len(incidents)", b"police_count = eval('1')"),
            "police_return",
            "refused",
        ),
    ],
)
def test_deploy_refuses_with_the_element_named(db: Database, change, element, words) -> None:
    original = deploy_bytes(db)
    old, new = change
    assert old in DIAGRAM
    message = _refusal(db, DIAGRAM.replace(old, new))
    assert element in message and words in message, message
    with db.read() as session:
        latest = session.scalar(select(func.max(ProcessDefinition.version)))
    assert latest == original.version, "the version deployed before keeps running"


@pytest.mark.parametrize(
    "content, words",
    [
        (b"", "empty"),
        (b"this is not xml", "not well-formed"),
        (b"<?xml version='1.0'?><html/>", "not a BPMN"),
        (
            b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            b'"&lol;&lol;&lol;">]><bpmn:definitions xmlns:bpmn='
            b'"http://www.omg.org/spec/BPMN/20100524/MODEL">&lol2;</bpmn:definitions>',
            "DOCTYPE",
        ),
        (
            DIAGRAM.replace(b'isExecutable="true"', b'isExecutable="false"'),
            "exactly one executable",
        ),
        (DIAGRAM.replace(b'targetRef="join" />', b'targetRef="nowhere" />', 1), "nowhere"),
    ],
)
def test_deploy_refuses_files_that_are_not_usable_diagrams(db: Database, content, words) -> None:
    assert words in _refusal(db, content)
