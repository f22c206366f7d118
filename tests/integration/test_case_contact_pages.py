"""The case page offers a manager of the council managing the case to name the applicant's
contact, from that council's officers; no one else may, and the applicant's page shows whom
they now deal with."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.db import Database
from engine.core.models import AuditEvent
from tests.support.applicant import following, reference_of
from tests.support.people import COUNCIL, MANAGER, user
from tests.support.procedure import ACKNOWLEDGED, application, case_of, do, submit
from tests.support.web import form_token, make_app, signed_in

FORM = "Change the applicant&#39;s contact"


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def _words(response) -> str:  # noqa: ANN001 - a test response
    """The page's text as a reader sees it: no markup, one space between words."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))).split())


def test_a_manager_names_the_contact_and_the_applicant_sees_them(
    app: Flask, all_db: Database
) -> None:
    db = all_db
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    reference = reference_of(db, case_id)
    page = f"/cases/{reference}"
    council2 = user(db, "council2@example.org").id

    manager = signed_in(app, MANAGER)
    shown = manager.get(page)
    assert FORM in shown.get_data(as_text=True)
    assert "Applicant's contact Council, council@example.org" in _words(shown)

    wrong = manager.post(
        f"{page}/contact",
        data={
            "contact": str(user(db, "police@example.org").id),
            "csrf_token": form_token(manager, page),
        },
    )
    assert wrong.status_code == 400
    assert "<title>Error: Case" in wrong.get_data(as_text=True)
    assert "Select an officer of the council managing this case" in _words(wrong)
    assert case_of(db, case_id).contact_user_id == user(db, COUNCIL).id

    done = manager.post(
        f"{page}/contact",
        data={"contact": str(council2), "csrf_token": form_token(manager, page)},
        follow_redirects=True,
    )
    words = _words(done)
    assert "Council2 is now the applicant's contact, and has been told" in words
    assert "Applicant's contact Council2, council2@example.org" in words
    assert case_of(db, case_id).contact_user_id == council2
    with db.read() as session:
        assert session.scalar(
            select(AuditEvent.user_id).where(
                AuditEvent.case_id == case_id,
                AuditEvent.action == "case.contact_named",
                AuditEvent.user_id == user(db, MANAGER).id,
            )
        )

    applicant = following(app, db, case_id)
    seen = _words(applicant.get(f"/your-case/{reference}"))
    assert "Name Council2" in seen and "council2@example.org" in seen
    assert "Phone 01629 761100" in seen


def test_no_one_but_a_manager_of_the_managing_council_may_change_it(
    app: Flask, all_db: Database
) -> None:
    db = all_db
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(db, case_id, "screen", COUNCIL, {"route": "review", "hate_element": False})
    reference = reference_of(db, case_id)
    page = f"/cases/{reference}"
    choice = {"contact": str(user(db, "council2@example.org").id)}

    for email, refused in (
        (COUNCIL, 403),  # the managing council's caseworker
        ("police.manager@example.org", 403),  # a manager of another agency on the case
        ("erewash@example.org", 404),  # not on the case: as if it did not exist
    ):
        client = signed_in(app, email)
        if refused == 403:
            assert FORM not in client.get(page).get_data(as_text=True), email
        answer = client.post(
            f"{page}/contact", data={**choice, "csrf_token": form_token(client, "/sign-out")}
        )
        assert answer.status_code == refused, email
    assert case_of(db, case_id).contact_user_id == user(db, COUNCIL).id
