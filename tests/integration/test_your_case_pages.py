"""The applicant's case page and letters: where the review stands, what happens next and by
when, the named contact, the letters sent to them, the action plan and whether they may
appeal; nothing from the agencies' returns; only their own case, every look audited."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

import pytest
from docx import Document as WordDocument
from flask import Flask
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import AuditEvent, Document
from engine.documents import DOCX_MEDIA_TYPE, LETTER_KINDS
from tests.support.applicant import (
    NEIGHBOUR,
    RETURN_ACTIONS,
    RETURN_INCIDENT,
    RETURN_VIEW,
    case_with_returns,
    following,
    reference_of,
)
from tests.support.people import COUNCIL
from tests.support.procedure import application, do, hold_meeting, met_case, submit
from tests.support.web import make_app, signed_in

DALES_CONTACT = (
    "Community Safety Officer",
    "Derbyshire Dales District Council",
    "01629 761100",
    "community.trigger@derbyshiredales.example.gov.uk",
)


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    return make_app(all_db, tmp_path)


def text(response) -> str:  # noqa: ANN001 - a test response
    return unescape(response.get_data(as_text=True))


def same_page(page: str) -> str:
    """A page without what changes on every answer: the CSP nonce and the form's token."""
    return re.sub(r'(nonce|value)="[^"]*"', "", page)


def letters_of(db: Database, case_id: int) -> list[Document]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Document)
                .where(Document.case_id == case_id, Document.kind.in_(LETTER_KINDS))
                .order_by(Document.id)
            )
        )


def test_a_new_application_shows_its_stage_next_step_and_contact(
    app: Flask, all_db: Database
) -> None:
    case_id = submit(all_db, application())
    reference = reference_of(all_db, case_id)
    page = text(following(app, all_db, case_id).get(f"/your-case/{reference}"))
    assert '<h1 class="govuk-heading-l" id="stage">We have your application</h1>' in page
    assert "We will acknowledge it and check what kind of review it needs." in page
    # Acknowledged within 5 working days of 2 March.
    assert '<p class="govuk-body" id="next-by">The next step is due by <strong>9 March 2026' in (
        page
    )
    for detail in DALES_CONTACT:
        assert detail in page, detail
    assert 'href="mailto:community.trigger@derbyshiredales.example.gov.uk"' in page
    assert "We have not written to you yet." in page
    assert 'id="actions"' not in page, "no action plan yet"
    assert "There is no decision to appeal against yet." in page
    assert 'href="/your-case/' + reference + '/appeal"' not in page


def test_the_page_shows_nothing_from_the_agencies_returns(app: Flask, all_db: Database) -> None:
    case_id = case_with_returns(all_db)
    reference = reference_of(all_db, case_id)
    page = text(following(app, all_db, case_id).get(f"/your-case/{reference}"))
    assert "We are deciding whether the threshold for a case review is met" in page
    for secret in (RETURN_INCIDENT, RETURN_ACTIONS, RETURN_VIEW, NEIGHBOUR, "DC-5531"):
        assert secret not in page, secret
    for officer in ("police@example.org", "Police2", "council2@example.org", "Housing"):
        assert officer not in page, "no other person's name or address"


def test_the_letters_are_listed_and_download_as_files(app: Flask, all_db: Database) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    client = following(app, all_db, case_id)
    page = text(client.get(f"/your-case/{reference}"))
    letters = letters_of(all_db, case_id)
    assert len(letters) == 2, "the acknowledgement and the threshold decision"
    for letter in letters:
        assert f'href="/your-case/{reference}/letters/{letter.id}"' in page
    assert "2 March 2026" in page
    # As Word, which needs no LibreOffice (the page offers PDF: test_document_formats.py).
    answer = client.get(f"/your-case/{reference}/letters/{letters[-1].id}?format=docx")
    assert answer.status_code == 200
    assert answer.headers["Content-Disposition"].startswith("attachment;")
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in answer.headers["Cache-Control"]
    assert answer.mimetype == DOCX_MEDIA_TYPE
    words = "\n".join(p.text for p in WordDocument(io.BytesIO(answer.data)).paragraphs)
    assert "threshold" in words.lower()


def test_only_letters_to_the_applicant_of_their_own_case_download(
    app: Flask, all_db: Database
) -> None:
    mine, other = met_case(all_db), met_case(all_db)
    reference = reference_of(all_db, mine)
    client = following(app, all_db, mine)
    theirs = letters_of(all_db, other)[0].id
    assert client.get(f"/your-case/{reference}/letters/{theirs}").status_code == 404
    assert client.get(f"/your-case/{reference_of(all_db, other)}/letters/{theirs}").status_code == (
        404
    )
    staff = signed_in(app, COUNCIL)
    assert staff.get(f"/cases/{reference}/documents/meeting-pack").status_code == 200
    with all_db.read() as session:
        pack = session.scalar(
            select(Document.id).where(Document.case_id == mine, Document.kind == "meeting_pack")
        )
    assert pack is not None
    assert client.get(f"/your-case/{reference}/letters/{pack}").status_code == 404, (
        "the meeting pack is the agencies'"
    )
    assert client.get(f"/your-case/{reference}/letters/99999999").status_code == 404


def test_another_case_answers_like_one_that_does_not_exist(app: Flask, all_db: Database) -> None:
    mine, other = submit(all_db, application()), submit(all_db, application())
    client = following(app, all_db, mine)
    theirs = client.get(f"/your-case/{reference_of(all_db, other)}")
    made_up = client.get("/your-case/CT-2026-99999")
    assert theirs.status_code == made_up.status_code == 404
    assert same_page(text(theirs)) == same_page(text(made_up))
    for path in ("/appeal", "/letters/1"):
        assert client.get(f"/your-case/{reference_of(all_db, other)}{path}").status_code == 404
    with all_db.read() as session:
        looks = session.scalars(
            select(AuditEvent.case_id).where(AuditEvent.action == "case.viewed")
        ).all()
    assert other not in looks


def test_without_a_code_the_case_pages_lead_to_the_start(app: Flask, all_db: Database) -> None:
    reference = reference_of(all_db, submit(all_db, application()))
    client = app.test_client()
    for path in ("", "/appeal", "/letters/1"):
        answer = client.get(f"/your-case/{reference}{path}")
        assert answer.status_code == 302 and answer.headers["Location"] == "/your-case", path


def test_the_action_plan_shows_each_action_and_whether_it_is_done(
    app: Flask, all_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = met_case(all_db)
    plan = [
        {"organisation": "dales-housing", "action": "Warn the tenant", "due_date": "2026-04-03"},
        {
            "organisation": "derbyshire-constabulary",
            "action": "Patrol the street at weekends",
            "due_date": "2026-04-17",
        },
    ]
    hold_meeting(all_db, case_id, plan, fixed_clock)
    outcome = {"method": "email", "updates": "Monthly"}
    do(all_db, case_id, "outcome_letter", COUNCIL, outcome)
    reference = reference_of(all_db, case_id)
    page = text(following(app, all_db, case_id).get(f"/your-case/{reference}"))
    assert "The agencies are carrying out the actions agreed" in page
    table = page[page.index('id="actions"') : page.index("</table>", page.index('id="actions"'))]
    assert "Dales Housing" in table and "Warn the tenant" in table and "3 April 2026" in table
    assert "Derbyshire Constabulary" in table and "17 April 2026" in table
    assert table.count("Not done yet") == 2
    assert "The outcome of your ASB Case Review" in page
    assert f'href="/your-case/{reference}/appeal"' in page
    assert "You can appeal until <strong>" in page


def test_every_look_is_in_the_audit_trail(app: Flask, all_db: Database) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    client = following(app, all_db, case_id)
    letter = letters_of(all_db, case_id)[0]
    client.get(f"/your-case/{reference}")
    client.get(f"/your-case/{reference}/letters/{letter.id}")
    client.get(f"/your-case/{reference}/appeal")
    with all_db.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.case_id == case_id, AuditEvent.user_id.is_(None))
            .where(AuditEvent.action.in_(["case.viewed", "disclosure"]))
            .order_by(AuditEvent.id)
        ).all()
    assert [(event.action, event.detail.get("purpose")) for event in events] == [
        ("case.viewed", "your case"),
        ("case.viewed", "a letter"),
        ("disclosure", None),
        ("case.viewed", "your case"),
    ]
    assert all(event.detail.get("by", "applicant") == "applicant" for event in events)
    assert events[2].object_id == str(letter.id)
    assert "to the applicant" in events[2].detail["what"]
