"""The case page's audit trail reads as sentences, and a status set to itself adds nothing."""

from __future__ import annotations

from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select

from engine.cases.status import set_status
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import AuditEvent, Case
from tests.support.people import COUNCIL, user
from tests.support.procedure import ACKNOWLEDGED, application, do, submit
from tests.support.web import signed_in
from web import create_app


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


def _status_events(db: Database, case_id: int) -> list[dict]:
    with db.read() as session:
        return [
            dict(event.detail)
            for event in session.scalars(
                select(AuditEvent)
                .where(AuditEvent.case_id == case_id, AuditEvent.action == "case.status_changed")
                .order_by(AuditEvent.seq)
            )
        ]


def test_the_trail_says_who_did_what_in_words(app: Flask, app_db: Database) -> None:
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    name = user(app_db, COUNCIL).name
    with app_db.read() as session:
        reference = session.get(Case, case_id).reference
    page = unescape(signed_in(app, COUNCIL).get(f"/cases/{reference}").get_data(as_text=True))
    trail = page[page.index('id="audit"') :]
    assert f"{name} completed Acknowledge the application" in trail
    assert "The task Acknowledge the application was set" in trail
    assert "The case's status changed from Received to " in trail
    assert f"{name} looked at the case" in trail, "this look, recorded as it is shown"
    assert "case.status_changed" not in trail and "task.completed" not in trail
    assert "from Received to Received" not in trail


def test_a_status_set_to_itself_is_not_recorded(app_db: Database) -> None:
    case_id = submit(app_db, application())
    assert _status_events(app_db, case_id) == [], "a new case starts at Received, no change"
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    before = _status_events(app_db, case_id)
    assert before and all(event["from"] != event["to"] for event in before)
    with app_db.transaction() as session:
        case = session.get(Case, case_id)
        set_status(session, case, case.status)
    assert _status_events(app_db, case_id) == before


def test_the_download_keeps_its_codes_and_adds_the_sentence(app_db: Database) -> None:
    from datetime import date

    from engine.core import audit

    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    with app_db.transaction() as session:
        events = audit.export_events(session, date(2000, 1, 1), date(2100, 1, 1))
    completed = [e for e in events if e["action"] == "task.completed"]
    assert completed[0]["what_happened"].endswith("completed Acknowledge the application")
    assert "what_happened" in audit.render_csv(events).splitlines()[0]
