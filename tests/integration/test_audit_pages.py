"""The audit trail on the web: an administrator downloads a date range, the council reads a
case's trail with the reasons given, and the outbox does not show an applicant's letter."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from engine.cases.opening import open_case
from engine.chasing.notifications import notify
from engine.core.db import Database
from engine.core.models import AuditEvent, Case, Document, Task, User
from engine.people.access import consult_case
from engine.people.accounts import add_user
from engine.records.attachments import attach_file
from tests.support.people import DEMO_PASSWORD, user
from tests.support.procedure import application, do, live, submit
from tests.support.web import signed_in


@pytest.fixture
def app(db: Database, tmp_path) -> Flask:  # type: ignore[no-untyped-def]
    from engine.core.config import load_settings
    from web import create_app

    with db.transaction() as session:
        add_user(
            session,
            email="admin@example.org",
            name="Admin",
            organisation_key="derbyshire-dales-district-council",
            roles=["administrator"],
            password=DEMO_PASSWORD,
        )
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, db)


def a_case_looked_at(db: Database) -> str:
    with db.transaction() as session:
        reference = open_case(session, "derbyshire-dales", date(2026, 2, 20)).reference
    with db.transaction() as session:
        council = session.scalars(select(User).where(User.email == "council2@example.org")).one()
        consult_case(session, council, reference, reason="Checking a complaint about us")
    return reference


def test_an_administrator_downloads_the_trail_of_a_date_range(app: Flask, db: Database) -> None:
    reference = a_case_looked_at(db)
    admin = signed_in(app, "admin@example.org")
    page = admin.get("/audit").get_data(as_text=True)
    assert "Download the audit trail" in page and 'href="/audit"' in page

    response = admin.get("/audit/export?from=2026-03-01&to=2026-03-02&format=csv")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert "audit-trail-2026-03-01-to-2026-03-02.csv" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    (viewed,) = [row for row in rows if row["action"] == "case.viewed"]
    assert viewed["case_reference"] == reference
    assert viewed["user_email"] == "council2@example.org"
    assert viewed["justification"] == "Checking a complaint about us"

    assert admin.get("/audit/export?from=2026-03-03&to=2026-03-04&format=json").get_json() == []
    with db.read() as session:
        exports = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.exported").order_by(AuditEvent.seq)
        ).all()
        admin_id = session.scalar(select(User.id).where(User.email == "admin@example.org"))
    assert [(e.user_id, e.detail["from"], e.detail["channel"]) for e in exports] == [
        (admin_id, "2026-03-01", "audit page"),
        (admin_id, "2026-03-03", "audit page"),
    ]


def test_a_wrong_range_is_explained_and_nothing_is_exported(app: Flask, db: Database) -> None:
    admin = signed_in(app, "admin@example.org")
    response = admin.get("/audit/export?from=2026-03-05&to=yesterday&format=csv")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "There is a problem" in page
    assert '<a href="#to-day">The last day must be a real date</a>' in page
    assert not re.search(r"like \d{4}-", page), "no ISO date to copy"
    typed = admin.get(
        "/audit/export",
        query_string={
            "from-day": "5",
            "from-month": "3",
            "from-year": "",
            "to-day": "",
            "to-month": "",
            "to-year": "",
            "format": "csv",
        },
    )
    page = typed.get_data(as_text=True)
    assert typed.status_code == 400
    assert '<a href="#from-year">The first day must include a year</a>' in page
    assert '<a href="#to-day">Enter the last day</a>' in page
    assert 'name="from-day" type="text" value="5"' in page, "what was typed is kept"
    assert page.count("For example, 27 3 2026") == 2
    response = admin.get("/audit/export?from=2026-03-05&to=2026-03-01")
    assert "The last day must be the same as or after the first day" in response.get_data(
        as_text=True
    )
    with db.read() as session:
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "audit.exported")
        ).all()


def test_only_administrators_download_the_trail(app: Flask, db: Database) -> None:
    council = signed_in(app, "council@example.org")
    assert council.get("/audit").status_code == 403
    assert council.get("/audit/export?from=2026-03-01&to=2026-03-02").status_code == 403
    assert 'href="/audit"' not in council.get("/").get_data(as_text=True)
    assert app.test_client().get("/audit/export?from=2026-03-01&to=2026-03-02").status_code == 302


def test_the_council_reads_a_case_trail_with_the_reasons_given(app: Flask, db: Database) -> None:
    reference = a_case_looked_at(db)
    page = signed_in(app, "council@example.org").get(f"/cases/{reference}").get_data(as_text=True)
    assert "Audit trail" in page
    assert "Reason given: Checking a complaint about us" in page
    police = signed_in(app, "police@example.org").get(f"/cases/{reference}")
    assert police.status_code == 200 and "Reason given" not in police.get_data(as_text=True)


def test_the_outbox_does_not_show_an_applicants_letter(app: Flask, db: Database) -> None:
    with db.transaction() as session:
        notify(
            session,
            key="letter:test",
            kind="letter",
            subject="Your application (CT-2026-00001)",
            body="Dear Sam Taylor, 1 Bank Road, Matlock",
            email="sam@example.com",
        )
    page = signed_in(app, "admin@example.org").get("/outbox").get_data(as_text=True)
    assert "Your application (CT-2026-00001)" in page
    assert "The applicant" in page
    assert "sam@example.com" not in page and "Sam Taylor" not in page


def test_every_look_and_download_is_recorded_with_who_where_when_and_the_case(
    app_db: Database, tmp_path
) -> None:
    """Section 62: a case page, a task page, a task through the API, an attached file and a
    letter, each leaves an event naming the user, their organisation, the moment and the case."""
    from engine.core.config import load_settings
    from web import create_app

    db = app_db
    app = create_app(
        load_settings(
            {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
        ),
        db,
    )
    case_id = submit(db, application())
    acknowledge = live(db, case_id)["acknowledge"]
    council = user(db, "council@example.org")
    attachment_id = attach_file(db, acknowledge.id, council, "note.pdf", b"%PDF-1.4 note")
    do(db, case_id, "acknowledge", council.email, {"method": "email"})
    with db.read() as session:
        reference = session.get(Case, case_id).reference
        letter_id = session.scalar(
            select(Document.id).where(Document.case_id == case_id).order_by(Document.id)
        )
        screen_id = session.scalar(
            select(Task.id).where(Task.case_id == case_id, Task.spec_name == "screen")
        )
    with db.read() as session:
        already = session.scalar(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))

    client = signed_in(app, council.email)
    assert client.get(f"/cases/{reference}").status_code == 200
    assert client.get(f"/tasks/{screen_id}").status_code == 200
    assert client.get(f"/attachments/{attachment_id}").status_code == 200
    assert client.get(f"/cases/{reference}/documents/{letter_id}").status_code == 200
    token = (
        app.test_client()
        .post("/api/v1/auth/token", json={"email": council.email, "password": DEMO_PASSWORD})
        .get_json()["token"]
    )
    api = app.test_client().get(
        f"/api/v1/tasks/{screen_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.status_code == 200

    with db.read() as session:
        looks = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.seq > already, AuditEvent.case_id.is_not(None))
            .order_by(AuditEvent.seq)
        ).all()
    assert [
        (e.action, e.object_type, e.detail.get("purpose") or e.detail.get("what")) for e in looks
    ] == [
        ("case.viewed", "case", "case page"),
        ("case.viewed", "case", f"task {screen_id}"),
        ("disclosure", "attachment", "attachment downloaded"),
        ("disclosure", "document", "acknowledgement letter v1"),
        ("case.viewed", "task", "task"),
    ]
    for look in looks:
        assert (look.user_id, look.organisation_id, look.case_id) == (
            council.id,
            council.organisation_id,
            case_id,
        )
        assert look.at is not None
