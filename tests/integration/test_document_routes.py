"""Downloading documents over the web: signed in, by API token, and the public report."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.config import PROJECT_ROOT, load_settings
from engine.core.db import Database
from engine.core.models import AuditEvent, Document
from engine.people.tokens import issue_token
from engine.runtime import deploy
from tests.support.files import FORMS
from tests.support.people import COUNCIL, user
from tests.support.procedure import met_case
from tests.support.web import signed_in
from web import create_app

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def app(app_db: Database, tmp_path) -> Flask:
    path = PROJECT_ROOT / "workflows" / "asb_case_review.bpmn"
    with app_db.transaction() as session:
        deploy(session, path.read_bytes(), filename=path.name, forms_dir=FORMS)
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": app_db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, app_db)


@pytest.fixture
def case(app: Flask) -> str:
    db = app.extensions["casereview.db"]
    case_id = met_case(db)
    return f"CT-2026-{case_id:05d}"


def token(app: Flask, email: str) -> dict[str, str]:
    db = app.extensions["casereview.db"]
    with db.transaction() as session:
        return {"Authorization": f"Bearer {issue_token(session, user(db, email))}"}


def opened(response) -> docx.document.Document:
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == DOCX
    return docx.Document(io.BytesIO(response.data))


def downloads(app: Flask) -> list[AuditEvent]:
    """Disclosures by download (sending a letter to the applicant is one too)."""
    with app.extensions["casereview.db"].read() as session:
        events = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "disclosure").order_by(AuditEvent.id)
        ).all()
    return [e for e in events if "to the applicant" not in e.detail["what"]]


def test_a_participant_downloads_the_meeting_pack(app: Flask, case: str) -> None:
    client = signed_in(app, "police@example.org")
    response = client.get(f"/cases/{case}/documents/meeting-pack")
    pack = opened(response)
    assert f"Case reference: {case}" in [p.text for p in pack.paragraphs]
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename={case}-meeting-pack-v1.docx"
    )
    assert response.headers["Cache-Control"] == "no-store"
    [event] = downloads(app)
    assert event.user_id == user(app.extensions["casereview.db"], "police@example.org").id
    assert event.detail["what"] == "meeting pack version 1"


def test_the_pack_with_its_attachments_as_one_zip(app: Flask, case: str) -> None:
    response = signed_in(app, COUNCIL).get(f"/cases/{case}/documents/meeting-pack.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        assert archive.namelist() == [f"{case}-meeting-pack-v1.docx"]


def test_a_kept_letter_is_downloaded_by_its_number(app: Flask, case: str) -> None:
    db = app.extensions["casereview.db"]
    with db.read() as session:
        letter = session.scalar(
            select(Document).where(Document.kind == "threshold_decision_letter")
        )
    client = signed_in(app, COUNCIL)
    word = opened(client.get(f"/cases/{case}/documents/{letter.id}"))
    assert "Your application meets the threshold for an ASB Case Review" in [
        p.text for p in word.paragraphs
    ]
    assert client.get(f"/cases/{case}/documents/{letter.id + 1000}").status_code == 404
    assert client.get(f"/cases/CT-2026-99999/documents/{letter.id}").status_code == 404
    assert [e.object_id for e in downloads(app)] == [str(letter.id)]


def test_need_to_know_and_signing_in(app: Flask, case: str) -> None:
    anonymous = app.test_client().get(f"/cases/{case}/documents/meeting-pack")
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"].startswith("/sign-in?next=")
    outsider = signed_in(app, "erewash@example.org")
    for path in ("meeting-pack", "meeting-pack.zip", "1"):
        response = outsider.get(f"/cases/{case}/documents/{path}")
        assert response.status_code == 404
        assert response.mimetype == "text/html"
        assert case not in response.get_data(as_text=True)
    with app.extensions["casereview.db"].read() as session:
        assert (
            session.scalars(select(Document.kind).where(Document.kind == "meeting_pack")).all()
            == []
        )
    assert downloads(app) == []


def test_the_api_hands_the_pack_to_a_token_holder(app: Flask, case: str) -> None:
    client = app.test_client()
    path = f"/api/v1/cases/{case}/documents/meeting-pack"
    pack = opened(client.get(path, headers=token(app, "health@example.org")))
    assert "Meeting pack" in [p.text for p in pack.paragraphs]

    missing = client.get(path)
    assert missing.status_code == 401 and "Bearer" in missing.headers["WWW-Authenticate"]
    assert "error" in missing.get_json()
    session_only = signed_in(app, COUNCIL).get(path)
    assert session_only.status_code == 401, "the API never reads the session cookie"

    outsider = client.get(path, headers=token(app, "erewash@example.org"))
    assert outsider.status_code == 404
    assert outsider.get_json() == {"error": f"There is no case {case} that you can see"}
    unknown = client.get(
        "/api/v1/cases/CT-2026-99999/documents/meeting-pack",
        headers=token(app, COUNCIL),
    )
    assert unknown.status_code == 404 and "error" in unknown.get_json()


def test_anyone_downloads_the_published_figures(app: Flask, case: str) -> None:
    client = app.test_client()
    report = opened(client.get("/statistics/2025.docx"))
    rows = [[cell.text for cell in row.cells] for row in report.tables[0].rows]
    assert rows[0][5] == "Derbyshire Dales"
    assert rows[1][5] == "1", "the one application, received in 2025/26"
    assert client.get("/statistics/1850.docx").status_code == 404
    [event] = downloads(app)
    assert event.user_id is None and event.detail["kind"] == "statistics_report"
