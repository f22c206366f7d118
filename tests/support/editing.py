"""A process owner's changes to the shipped application diagram, deployed through the JSON
API, and the version each case runs on."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import ProcessDefinition, ProcessInstance
from tests.support.api import API, Api, check
from tests.support.files import ROOT

OWNER = "owner@example.org"
KEY = "community_trigger_application"
SHIPPED = (ROOT / "workflows" / f"{KEY}.bpmn").read_bytes()
XML = {"content_type": "application/xml"}
LANE_SET = b'<bpmn:laneSet id="LaneSet_community_trigger_application">'
RENAMED_SCREEN = (b'name="Screen the application"', b'name="Screen the application for a review"')
RENAMED_ACKNOWLEDGE = (b'name="Acknowledge the application"', b'name="Acknowledge receipt"')
FASTER_ACKNOWLEDGE = (
    b'<spiffworkflow:property name="due" value="acknowledge_application after received_on"/>',
    b'<spiffworkflow:property name="due" value="3 working days"/>',
)


def changed(*replacements: tuple[bytes, bytes], content: bytes = SHIPPED) -> bytes:
    """The diagram with each (old, new) replaced once; each old part must be there."""
    for old, new in replacements:
        assert old in content, old
        content = content.replace(old, new, 1)
    return content


def versions(db: Database) -> list[tuple[int, str]]:
    """The application diagram's versions, with their contents' hashes."""
    with db.read() as session:
        return session.execute(
            select(ProcessDefinition.version, ProcessDefinition.content_hash)
            .where(ProcessDefinition.key == KEY)
            .order_by(ProcessDefinition.version)
        ).all()


def deploy_version(api: Api, content: bytes, status: int = 201) -> dict[str, Any]:
    return api.call("post", "/process-definitions", who=OWNER, data=content, status=status, **XML)


def definition_of(db: Database, case_id: int) -> int:
    """The version of the application diagram a case runs on."""
    with db.read() as session:
        return session.scalar(
            select(ProcessDefinition.version)
            .join(ProcessInstance, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.case_id == case_id, ProcessDefinition.key == KEY)
        )


def instance_of(db: Database, case_id: int) -> int:
    """The id of a case's application process."""
    with db.read() as session:
        return session.scalar(
            select(ProcessInstance.id)
            .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
            .where(ProcessInstance.case_id == case_id, ProcessDefinition.key == KEY)
        )


def deployed(db: Database) -> list[tuple[str, int, str]]:
    with db.read() as session:
        return session.execute(
            select(
                ProcessDefinition.key, ProcessDefinition.version, ProcessDefinition.content_hash
            ).order_by(ProcessDefinition.id)
        ).all()


def upload(api: Api, content: bytes, path: str = "/process-definitions") -> Any:
    """Send a file; the answer must be documented, and never a server error."""
    response = api.client.post(
        f"{API}{path}",
        data=content,
        headers={"Authorization": f"Bearer {api.token(OWNER)}"},
        **XML,
    )
    assert response.status_code < 500, response.get_data(as_text=True)
    check(api.document, path, "post", response)
    return response
