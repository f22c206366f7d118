"""The web pages so far: sign in with CSRF protection, see the inbox, sign out."""

from __future__ import annotations

from datetime import date

import pytest
from flask import Flask
from sqlalchemy import select

from engine.cases.opening import open_case
from engine.core.config import load_settings
from engine.core.db import Database
from engine.runtime import deploy, start_process
from tests.support.files import FIXTURES, TEST_FORMS
from tests.support.people import DEMO_PASSWORD
from tests.support.web import form_token, sign_in
from web import create_app


@pytest.fixture
def app(db: Database, tmp_path) -> Flask:
    settings = load_settings(
        {"CASEREVIEW_DATABASE_URL": db.url, "CASEREVIEW_INSTANCE_DIR": str(tmp_path)}
    )
    return create_app(settings, db)


def test_pages_need_signing_in(app: Flask) -> None:
    response = app.test_client().get("/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/sign-in?next=")


def test_a_page_not_found_leads_each_visitor_somewhere_they_can_go(app: Flask) -> None:
    client = app.test_client()
    public = client.get("/no-such-page")
    assert public.status_code == 404
    assert 'href="/apply">Apply for an ASB Case Review</a>' in public.get_data(as_text=True)
    assert "Go to your tasks" not in public.get_data(as_text=True)
    sign_in(client, "police@example.org", DEMO_PASSWORD)
    staff = client.get("/no-such-page").get_data(as_text=True)
    assert 'href="/">Go to your tasks</a>' in staff


def test_sign_in_refuses_a_form_without_csrf_token(app: Flask) -> None:
    client = app.test_client()
    response = client.post(
        "/sign-in", data={"email": "police@example.org", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 400
    assert client.get("/").status_code == 302


def test_wrong_password_shows_an_error_summary(app: Flask) -> None:
    response = sign_in(app.test_client(), "police@example.org", "wrong password")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page and "The email address or password is not right" in page
    assert 'value="police@example.org"' in page, "what the user typed is kept"


def test_signed_in_user_sees_their_organisation_tasks(app: Flask, db: Database) -> None:
    with db.transaction() as session:
        deploy(
            session,
            (FIXTURES / "review_test.bpmn").read_bytes(),
            filename="review_test.bpmn",
            forms_dir=TEST_FORMS,
        )
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        start_process(session, case, "test_review", {"received_on": case.received_on})
        reference = case.reference
    council = app.test_client()
    response = sign_in(council, "council@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    page = council.get("/").get_data(as_text=True)
    assert reference in page
    assert "Acknowledge the application" in page
    assert "Due in 5 working days" in page
    assert "Derbyshire Dales" in page

    police = app.test_client()
    sign_in(police, "police@example.org")
    assert reference not in police.get("/").get_data(as_text=True)

    token = form_token(council, "/sign-out")
    assert council.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert council.get("/").status_code == 302


def test_sign_in_is_recorded_in_the_audit_trail(app: Flask, db: Database) -> None:
    from engine.core.models import AuditEvent

    sign_in(app.test_client(), "health@example.org")
    with db.read() as session:
        assert session.scalars(select(AuditEvent.action)).all()[-1] == "user.signed_in"


def test_next_parameter_cannot_send_users_elsewhere(app: Flask) -> None:
    client = app.test_client()
    token = form_token(client, "/sign-in")
    response = client.post(
        "/sign-in?next=//evil.example",
        data={"email": "police@example.org", "password": DEMO_PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_govuk_frontend_is_served_from_the_app(app: Flask) -> None:
    response = app.test_client().get("/assets/govuk/govuk-frontend.min.css")
    assert response.status_code == 200
    assert b".govuk-header" in response.data
