"""Asking another public body for information, on the web: the council sends the request from
the case, the mail goes out through a real SMTP server, the body answers once through its
link with no sign-in (a used, out-of-date or made-up link says so and records nothing, an
empty answer is refused with the question still there), the body's own users answer signed
in, the case page shows the answer or that it is late, and administrators add bodies."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.chasing.mailer import send_due
from engine.chasing.notifications import ONE_TIME_BODY_REMOVED
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import (
    Attachment,
    AuditEvent,
    Case,
    InformationRequest,
    Notification,
    PublicBody,
)
from engine.documents.content import gather_pack
from tests.support.mail import SmtpServer
from tests.support.people import ADMIN, COUNCIL, POLICE, add_administrator, add_people
from tests.support.procedure import case_of, screened
from tests.support.web import (
    error_summary,
    field_error,
    form_token,
    make_app,
    page_words,
    signed_in,
)

CHILDREN = "derbyshire-childrens-services"
CHILDREN_EMAIL = "childrens.services@derbyshire.example.gov.uk"
YOS_OFFICER = "yos.officer@example.org"
ASKED = "Any contact with the household at 3 Bank Road since January, and any concerns held."
LINK_REFUSED = "This link has not worked. It may have been used already or be out of date"


@pytest.fixture
def app(app_db: Database, tmp_path: Path) -> Flask:
    add_administrator(app_db)
    return make_app(app_db, tmp_path)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def _post(client: FlaskClient, path: str, data: dict[str, str], *, form_at: str = ""):  # noqa: ANN202
    return client.post(path, data={"csrf_token": form_token(client, form_at or path), **data})


def _ask(app: Flask, reference: str, **changes: str):  # noqa: ANN202
    path = f"/cases/{reference}/information-requests/new"
    council = signed_in(app, COUNCIL)
    form = {"body": CHILDREN, "asked": ASKED, **changes}
    page = council.get(path).get_data(as_text=True)
    # The legal basis and the deadline come filled in, to change where they need it.
    basis = re.search(r'id="legal_basis" name="legal_basis" type="text" value="([^"]*)"', page)
    days = re.search(r'id="days" name="days" type="text" value="([^"]*)"', page)
    assert basis is not None and days is not None
    form.setdefault("legal_basis", basis.group(1))
    form.setdefault("days", days.group(1))
    return _post(council, path, form), form


def _requests(db: Database) -> list[InformationRequest]:
    with db.read() as session:
        return list(session.scalars(select(InformationRequest).order_by(InformationRequest.id)))


def _answers_recorded(db: Database) -> int:
    with db.read() as session:
        return len(
            session.scalars(
                select(AuditEvent.id).where(AuditEvent.action == "information_request.answered")
            ).all()
        )


def _mailed_link(db: Database, smtp: SmtpServer) -> str:
    send_due(db, smtp.url)
    (mail,) = smtp.mailbox.to(CHILDREN_EMAIL)
    assert mail["Subject"] == "Request for information for an ASB case review"
    (path,) = re.findall(r"https?://[^/\s]+(/information-request/\S+)", mail.get_content())
    return path


def test_the_council_asks_a_body_which_answers_once_through_its_emailed_link(
    app: Flask, app_db: Database, smtp: SmtpServer
) -> None:
    reference = case_of(app_db, screened(app_db)).reference
    council = signed_in(app, COUNCIL)
    assert "Ask another public body for information" in page_words(
        council.get(f"/cases/{reference}")
    )
    sent, form = _ask(app, reference)
    assert sent.status_code == 302
    assert form["legal_basis"] == (
        "Schedule 4, paragraph 7 of the Anti-social Behaviour, Crime and Policing Act 2014"
    )
    assert form["days"] == "10", "the area's timescale for information returns"
    path = _mailed_link(app_db, smtp)
    with app_db.read() as session:
        (mail,) = session.scalars(
            select(Notification).where(Notification.kind == "information_link")
        )
        assert mail.body == ONE_TIME_BODY_REMOVED, "the link is not kept once sent"

    body = app.test_client()  # no one signed in
    opened = page_words(body.get(path))
    assert ASKED in opened and "16 March 2026" in opened and reference in opened
    assert "Schedule 4, paragraph 7" in opened
    assert "Sam" not in opened, "nothing of the case beyond what is asked"

    empty = _post(body, path, {"answer": "   "})
    assert empty.status_code == 400
    page = empty.get_data(as_text=True)
    assert error_summary(page) == [
        ("Enter the information you hold, or say that you hold none", "#answer")
    ]
    assert (
        field_error(page, "answer") == "Enter the information you hold, or say that you hold none"
    )
    assert ASKED in page_words(empty), "the question is still there"
    assert _answers_recorded(app_db) == 0

    answered = _post(body, path, {"answer": "Two visits in February; no concerns."})
    assert answered.status_code == 200
    assert "Your answer has been sent" in page_words(answered)

    again = _post(body, path, {"answer": "Something more"}, form_at="/apply")
    assert again.status_code == 400 and LINK_REFUSED in page_words(again)
    reopened = body.get(path)
    assert reopened.status_code == 400 and LINK_REFUSED in page_words(reopened)
    (request,) = _requests(app_db)
    assert request.answer == "Two visits in February; no concerns."
    assert _answers_recorded(app_db) == 1

    case_page = page_words(council.get(f"/cases/{reference}"))
    assert "Information from other public bodies" in case_page
    assert "Two visits in February; no concerns." in case_page
    assert "by the body, through its link" in case_page


def test_an_out_of_date_link_says_so_and_records_nothing(
    app: Flask, app_db: Database, smtp: SmtpServer, fixed_clock: FixedClock
) -> None:
    reference = case_of(app_db, screened(app_db)).reference
    _ask(app, reference)
    path = _mailed_link(app_db, smtp)
    fixed_clock.set(datetime(2026, 4, 1, 9, tzinfo=UTC))
    body = app.test_client()
    assert body.get(path).status_code == 400
    late = _post(body, path, {"answer": "Late"}, form_at="/apply")
    assert late.status_code == 400 and LINK_REFUSED in page_words(late)
    assert _requests(app_db)[0].answered_at is None and _answers_recorded(app_db) == 0


def test_a_body_with_no_contact_is_refused_with_the_reason_and_nothing_typed_is_lost(
    app: Flask, app_db: Database
) -> None:
    reference = case_of(app_db, screened(app_db)).reference
    refused, _ = _ask(app, reference, body="derbyshire-education-welfare", days="15")
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    ((message, href),) = error_summary(page)
    assert href == "#body"
    assert message.startswith(
        "Derbyshire Education Welfare Service (schools) has no contact email address"
    )
    assert ASKED in page and 'value="15"' in page
    assert _requests(app_db) == []


def test_a_late_request_shows_as_overdue_on_the_case_page(
    app: Flask, app_db: Database, fixed_clock: FixedClock
) -> None:
    reference = case_of(app_db, screened(app_db)).reference
    _ask(app, reference, days="2")
    fixed_clock.set(datetime(2026, 3, 6, 9, tzinfo=UTC))
    page = page_words(signed_in(app, COUNCIL).get(f"/cases/{reference}"))
    assert "Overdue by 2 working days" in page and "Not answered yet" in page


def test_only_the_managing_council_has_the_form(app: Flask, app_db: Database) -> None:
    reference = case_of(app_db, screened(app_db)).reference
    police = signed_in(app, POLICE)
    assert police.get(f"/cases/{reference}/information-requests/new").status_code == 403
    assert "Ask another public body" not in page_words(police.get(f"/cases/{reference}"))


def test_a_body_s_own_users_answer_signed_in(app: Flask, app_db: Database) -> None:
    add_people(app_db, [(YOS_OFFICER, "derbyshire-youth-offending-service", ["agency_officer"])])
    reference = case_of(app_db, screened(app_db)).reference
    _ask(app, reference, body="derbyshire-youth-offending-service")
    (request,) = _requests(app_db)
    officer = signed_in(app, YOS_OFFICER)
    listed = page_words(officer.get("/information-requests"))
    assert reference in listed and "Not answered yet" in listed
    path = f"/information-requests/{request.id}"
    assert signed_in(app, POLICE).get(path).status_code == 404
    empty = _post(officer, path, {"answer": ""})
    assert empty.status_code == 400 and ASKED in page_words(empty)
    done = _post(officer, path, {"answer": "Known to the service since 2025."})
    assert done.status_code == 302
    assert "Known to the service since 2025." in page_words(
        signed_in(app, COUNCIL).get(f"/cases/{reference}")
    )


def test_an_administrator_adds_a_body_the_council_can_then_ask(
    app: Flask, app_db: Database
) -> None:
    admin = signed_in(app, ADMIN)
    assert signed_in(app, COUNCIL).get("/public-bodies").status_code == 403
    refused = _post(admin, "/public-bodies", {"name": "", "email": "not-an-address"})
    assert refused.status_code == 400
    assert [href for _, href in error_summary(refused.get_data(as_text=True))] == [
        "#name",
        "#email",
    ]
    assert 'value="not-an-address"' in refused.get_data(as_text=True)
    added = _post(
        admin,
        "/public-bodies",
        {"name": "Matlock School", "email": "office@matlock.example.sch.uk"},
    )
    assert added.status_code == 302
    assert "Matlock School" in page_words(admin.get("/public-bodies"))
    with app_db.read() as session:
        key = session.scalar(select(PublicBody.key).where(PublicBody.name == "Matlock School"))
    reference = case_of(app_db, screened(app_db)).reference
    sent, _ = _ask(app, reference, body=key)
    assert sent.status_code == 302


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _post_files(
    client: FlaskClient, path: str, answer: str, files: list[tuple[bytes, str]], *, form_at: str
):  # noqa: ANN202
    return client.post(
        path,
        data={
            "csrf_token": form_token(client, form_at),
            "answer": answer,
            "files": [(io.BytesIO(content), name) for content, name in files],
        },
        content_type="multipart/form-data",
    )


def _answer_files(db: Database) -> list[Attachment]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Attachment)
                .where(Attachment.information_request_id.is_not(None))
                .order_by(Attachment.id)
            )
        )


def test_a_body_s_answer_through_its_link_carries_files_checked_as_a_return_s_are(
    app: Flask, app_db: Database, smtp: SmtpServer
) -> None:
    """A file the service would not take on a return is refused, naming it, with the answer
    kept and the link unspent; the answer then goes with its file, once, and the file is
    listed on the case page and among the meeting pack's appendices, from the body."""
    reference = case_of(app_db, screened(app_db)).reference
    _ask(app, reference)
    path = _mailed_link(app_db, smtp)
    body = app.test_client()
    answer = "Two visits in February; the notes are attached."

    refused = _post_files(
        body, path, answer, [(b"<html>hi</html>", "notes.pdf"), (PDF, "visits.pdf")], form_at=path
    )
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    (problem,) = error_summary(page)
    assert problem[1] == "#files" and "notes.pdf" in problem[0]
    assert answer in page, "what was typed is kept"
    assert "choose them again" in page_words(refused)
    assert _answers_recorded(app_db) == 0 and _answer_files(app_db) == []

    done = _post_files(body, path, answer, [(PDF, "visits.pdf")], form_at=path)
    assert done.status_code == 200
    assert "visits.pdf" in page_words(done)
    again = _post_files(body, path, "More", [(PDF, "more.pdf")], form_at="/apply")
    assert again.status_code == 400 and LINK_REFUSED in page_words(again), "still single use"
    (kept,) = _answer_files(app_db)
    assert kept.filename == "visits.pdf" and kept.content == PDF
    assert kept.organisation_id is None and kept.uploaded_by_id is None
    with app_db.read() as session:
        added = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "attachment.added")
        ).one()
        assert added.object_id == str(kept.id) and added.detail["by"] == "link"

    council = signed_in(app, COUNCIL)
    case_page = council.get(f"/cases/{reference}").get_data(as_text=True)
    assert f'href="/attachments/{kept.id}">visits.pdf</a>' in case_page
    assert council.get(f"/attachments/{kept.id}").data == PDF
    with app_db.read() as session:
        content = gather_pack(session, session.get_one(Case, kept.case_id))
    (appendix,) = content.appendices
    assert (appendix.filename, appendix.organisation) == (
        "visits.pdf",
        "Derbyshire County Council Children's Services",
    )
    (other,) = content.other_bodies
    assert other.appendices == (appendix.number,)
    pack = council.get(f"/cases/{reference}/documents/meeting-pack.zip")
    with zipfile.ZipFile(io.BytesIO(pack.data)) as archive:
        assert "appendices/Appendix 01 - visits.pdf" in archive.namelist()
        assert archive.read("appendices/Appendix 01 - visits.pdf") == PDF


def test_a_body_s_own_users_send_files_with_their_answer(app: Flask, app_db: Database) -> None:
    add_people(app_db, [(YOS_OFFICER, "derbyshire-youth-offending-service", ["agency_officer"])])
    reference = case_of(app_db, screened(app_db)).reference
    _ask(app, reference, body="derbyshire-youth-offending-service")
    (request,) = _requests(app_db)
    officer = signed_in(app, YOS_OFFICER)
    path = f"/information-requests/{request.id}"
    too_many = [(PDF, f"visit-{n}.pdf") for n in range(11)]
    refused = _post_files(officer, path, "Known to us.", too_many, form_at=path)
    assert refused.status_code == 400
    assert "Select no more than 10 files" in page_words(refused)
    done = _post_files(officer, path, "Known to us.", [(PDF, "contact-log.pdf")], form_at=path)
    assert done.status_code == 302
    (kept,) = _answer_files(app_db)
    assert kept.uploaded_by_id is not None and kept.organisation_id is not None
    assert "contact-log.pdf" in page_words(officer.get(path)), "listed with the answer sent"
    assert "contact-log.pdf" in page_words(signed_in(app, COUNCIL).get(f"/cases/{reference}"))
