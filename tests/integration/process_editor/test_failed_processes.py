"""A diagram that fails while it runs: the application that started it is still received,
and the process owners see on their pages which case stopped, where and why."""

from __future__ import annotations

from datetime import date
from html import unescape
from pathlib import Path

from flask.testing import FlaskClient
from sqlalchemy import select

from engine import procedure
from engine.cases.opening import open_case
from engine.core.db import Database
from engine.core.models import Case, ProcessInstance, Task
from tests.support.editing import KEY, OWNER, SHIPPED, changed
from tests.support.files import FORMS
from tests.support.runtime import looping_diagram
from tests.support.web import application_form, make_app, signed_in

# A script after the start that makes text of 100,000 characters for each character of the
# case's reference: past the expression language's limit, which only running it can tell.
_SCRIPT = b"""
    <bpmn:scriptTask id="prepare_summary" name="Prepare a summary">
      <bpmn:incoming>f_start</bpmn:incoming>
      <bpmn:outgoing>f_prepared</bpmn:outgoing>
      <bpmn:script>summary = case_reference * 100000</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f_prepared" sourceRef="prepare_summary" targetRef="acknowledge"/>
    <bpmn:sequenceFlow id="f_start" sourceRef="application_received"
        targetRef="prepare_summary"/>"""
PAST_THE_LIMITS = changed(
    (
        b'<bpmn:sequenceFlow id="f_start" sourceRef="application_received" '
        b'targetRef="acknowledge"/>',
        _SCRIPT,
    ),
    (b"<bpmn:incoming>f_start</bpmn:incoming>", b"<bpmn:incoming>f_prepared</bpmn:incoming>"),
    (
        b"<bpmn:flowNodeRef>acknowledge</bpmn:flowNodeRef>",
        b"<bpmn:flowNodeRef>prepare_summary</bpmn:flowNodeRef>"
        b"<bpmn:flowNodeRef>acknowledge</bpmn:flowNodeRef>",
    ),
    content=SHIPPED,
)


def _deploy(db: Database, content: bytes) -> None:
    with db.transaction() as session:
        procedure.deploy(session, content, filename="changed.bpmn", forms_dir=FORMS)


def _owner_pages(client: FlaskClient, key: str) -> tuple[str, str]:
    listed, one = client.get("/procedure"), client.get(f"/procedure/{key}")
    assert listed.status_code == one.status_code == 200
    return unescape(listed.get_data(as_text=True)), unescape(one.get_data(as_text=True))


def test_a_script_past_the_limits_still_receives_the_public_application(
    api_db: Database, tmp_path: Path
) -> None:
    _deploy(api_db, PAST_THE_LIMITS)
    app = make_app(api_db, tmp_path)
    public = app.test_client()
    sent = public.post("/apply", data=application_form(public))
    assert sent.status_code == 302, "the application is received, not refused"
    confirmation = unescape(public.get(sent.headers["Location"]).get_data(as_text=True))
    with api_db.read() as session:
        case = session.scalars(select(Case)).one()
        instance = session.scalars(
            select(ProcessInstance).where(ProcessInstance.case_id == case.id)
        ).one()
        reference, status = case.reference, case.status
        assert not session.scalars(select(Task).where(Task.case_id == case.id)).all()
    assert reference in confirmation
    assert status == "received"
    assert instance.state == "failed"
    assert instance.failed_element_id == "prepare_summary"
    assert "100,000 items or characters" in instance.failure_reason

    owner = signed_in(app, OWNER)
    for page in _owner_pages(owner, KEY):
        failed = page[page.index('id="failed"') :]
        assert reference in failed
        assert "Prepare a summary" in failed and "prepare_summary" in failed
        assert "over the size limit" in failed


def test_a_looping_review_is_failed_not_closed_and_shown_to_process_owners(
    api_db: Database, tmp_path: Path
) -> None:
    _deploy(api_db, looping_diagram(procedure.CASE_REVIEW))
    with api_db.transaction() as session:
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        procedure.start_process(session, case, procedure.CASE_REVIEW)
        case_id, reference = case.id, case.reference
    with api_db.read() as session:
        case = session.get_one(Case, case_id)
        assert case.status != "closed" and case.closed_on is None
    owner = signed_in(make_app(api_db, tmp_path), OWNER)
    listed, review = _owner_pages(owner, procedure.CASE_REVIEW)
    for page in (listed, review):
        failed = page[page.index('id="failed"') :]
        assert reference in failed
        assert "went round a loop" in failed
        assert "Go round again?" in failed or "Count a round" in failed
    assert f"Looping {procedure.CASE_REVIEW}" in listed[listed.index('id="failed"') :]
    elsewhere = unescape(owner.get(f"/procedure/{KEY}").get_data(as_text=True))
    assert reference not in elsewhere, "each process's page lists only its own"
