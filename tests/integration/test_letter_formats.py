"""Letters in the format the applicant asked for: an application asking for large print has
its letters made in large print, emailed as plain text carrying the whole letter with the
letter attached as a tagged PDF and as the Word file kept (the Word file alone, saying so,
when LibreOffice cannot make the PDF); staff see the format beside each letter and on the
case; for easy read or another language, which the service cannot write, whoever sends a
letter is told to provide it in that format, and the kept letter records it; any letter can
be had in large print before it goes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.chasing.mailer import send_due
from engine.core.db import Database
from engine.core.models import AuditEvent, Case, Document
from tests.support.documents import converter_installed, is_tagged_pdf_a, open_docx, pdf_lines
from tests.support.letters import letter, outbox, texts
from tests.support.mail import SmtpServer
from tests.support.people import COUNCIL
from tests.support.procedure import ACKNOWLEDGED, application, do, live, submit
from tests.support.web import application_form, csrf_token, make_app, signed_in

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MISSING = "/nonexistent/libreoffice/soffice"


@pytest.fixture
def app(app_db: Database, tmp_path: Path) -> Flask:
    return make_app(app_db, tmp_path)


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


def words(page: str) -> str:
    """What a page says, as words without the markup."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page)).split())


def text_size(content: bytes) -> float:
    return float(open_docx(content).styles["Normal"].font.size.pt)


def test_an_application_asking_for_large_print_has_its_letters_in_it_by_plain_text_email(
    app: Flask, app_db: Database, smtp: SmtpServer
) -> None:
    converter_installed()
    public = app.test_client()
    form = application_form(public, letter_format="large_print")
    assert public.post("/apply", data=form).status_code == 302
    with app_db.read() as session:
        case_id, reference = session.execute(select(Case.id, Case.reference)).one()

    council = signed_in(app, COUNCIL)
    task_id = live(app_db, case_id)["acknowledge"].id
    page = council.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert "The applicant asked for letters in large print: the letter is made and sent in " in (
        words(page)
    )
    assert "a copy in large print" not in words(page), "the letter itself is in large print"
    answers = {"csrf_token": csrf_token(page), **ACKNOWLEDGED, "action": "complete"}
    assert council.post(f"/tasks/{task_id}", data=answers).status_code == 302

    sent = letter(app_db, case_id, "acknowledgement_letter")
    assert sent.detail["letter_format"] == "large_print"
    assert text_size(sent.content) == 16, "the area's large print size"
    shown = words(council.get(f"/cases/{reference}").get_data(as_text=True))
    assert "Letters in Large print. The service makes and sends their letters in large print." in (
        shown
    )
    assert "Acknowledgement letter (version 1)" in shown and ", emailed, in large print" in shown

    assert shown.count("Acknowledgement letter (version") == 1 and "Letter pdf" not in shown

    assert send_due(app_db, smtp.url).failed == 0
    (mail,) = [m for m in smtp.mailbox.to("alex@example.com") if reference in m["Subject"]]
    # Plain text, the Word file and its PDF: nothing in HTML for a screen reader to wade
    # through.
    assert [part.get_content_type() for part in mail.walk()] == [
        "multipart/mixed",
        "text/plain",
        DOCX,
        "application/pdf",
    ]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and body.get_content_charset() == "utf-8"
    text = body.get_content()
    assert text.replace("\r\n", "\n").rstrip("\n") == outbox(app_db, sent).body
    # The whole letter, from its greeting to its contacts, in the order the Word file has it.
    lines = texts(sent)
    start = lines.index("Dear Alex Morgan,")
    for line in (line for line in lines[start:] if line.strip()):
        assert line in text, f"{line!r} is in the letter but not in its email"
    attached, pdf = mail.iter_attachments()
    assert attached.get_filename() == sent.filename == f"{reference}-acknowledgement-letter-v1.docx"
    assert attached.get_content() == sent.content
    # The PDF is the same letter, which a screen reader can follow.
    assert pdf.get_filename() == f"{reference}-acknowledgement-letter-v1.pdf"
    assert is_tagged_pdf_a(pdf.get_content())
    # Its words in the Word file's order, from the greeting on (a page's header and footer
    # may come between them).
    on_pages = iter(" ".join(pdf_lines(pdf.get_content())).split())
    said = " ".join(p.text for p in open_docx(sent.content).paragraphs).split()
    greeting = said.index("Dear")
    missing = [word for word in said[greeting:] if word not in on_pages]
    assert not missing, f"the PDF lacks {missing[:5]} of the letter"
    assert (
        "The letter is attached as a PDF, which opens without a word processor: "
        f"{reference}-acknowledgement-letter-v1.pdf." in text
    )
    assert f"The same letter is attached as a Word document: {sent.filename}." in text


def test_a_letter_emailed_when_its_pdf_cannot_be_made_goes_as_word_saying_so(
    app_db: Database,
    tmp_path: Path,
    smtp: SmtpServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    # The service's processes take LibreOffice's place from their environment.
    monkeypatch.setenv("CASEREVIEW_SOFFICE", MISSING)
    app = make_app(app_db, tmp_path, CASEREVIEW_SOFFICE=MISSING)
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sent = letter(app_db, case_id, "acknowledgement_letter")
    (logged,) = [r for r in caplog.records if r.name == "engine.documents.store.letters_sent"]
    assert logged.getMessage() == (
        f"letter {sent.filename} emailed as Word only: LibreOffice is not installed on the server"
    )
    with app_db.read() as session:
        reference = session.get_one(Case, case_id).reference
        kept = session.scalars(select(Document.filename).where(Document.case_id == case_id))
        assert list(kept) == [sent.filename], "no PDF kept, and nothing else lost"
        dispatched = session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "letter.dispatched")
        )
    assert dispatched["delivery"] == "email" and dispatched["pdf"] is False

    assert send_due(app_db, smtp.url).sent >= 1
    (mail,) = [m for m in smtp.mailbox.to("sam@example.com") if reference in m["Subject"]]
    (attached,) = mail.iter_attachments()
    assert attached.get_content_type() == DOCX and attached.get_content() == sent.content
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert (
        "We could not make a PDF of this letter, so it is attached as a Word document only: "
        f"{sent.filename}." in body.get_content()
    )
    shown = words(signed_in(app, COUNCIL).get(f"/cases/{reference}").get_data(as_text=True))
    assert "Acknowledgement letter (version 1)" in shown


@pytest.mark.parametrize(
    "asked, told, case_page",
    [
        (
            {"letter_format": "easy_read"},
            "The applicant asked for letters in easy read. The service cannot write easy read, "
            "so it sends this letter as it is shown here: you must also provide it to the "
            "applicant in easy read. The letter kept on the case records this.",
            "Letters in Easy read. The service cannot write easy read: each letter it sends "
            "must also be provided in it.",
        ),
        (
            {"letter_format": "another_language", "letter_language": "Polish"},
            "The applicant asked for letters in Polish. The service cannot write in another "
            "language, so it sends this letter as it is shown here: you must also provide it "
            "to the applicant in Polish.",
            "Letters in Another language: Polish. The service cannot translate: each letter it "
            "sends must also be provided in it.",
        ),
    ],
)
def test_a_letter_the_service_cannot_write_in_the_format_asked_for_is_flagged_to_provide(
    app: Flask, app_db: Database, asked: dict[str, str], told: str, case_page: str
) -> None:
    case_id = submit(app_db, application(**asked))
    council = signed_in(app, COUNCIL)
    page = council.get(f"/tasks/{live(app_db, case_id)['acknowledge'].id}").get_data(as_text=True)
    assert told in words(page)
    assert 'class="govuk-warning-text"' in page

    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sent = letter(app_db, case_id, "acknowledgement_letter")
    assert sent.detail["letter_format"] == asked["letter_format"]
    assert sent.detail.get("letter_language") == asked.get("letter_language")
    assert text_size(sent.content) == 11, "made as a standard letter, to go as it is"
    with app_db.read() as session:
        reference = session.get_one(Case, case_id).reference
    shown = words(council.get(f"/cases/{reference}").get_data(as_text=True))
    assert case_page in shown
    provide = "easy read" if asked["letter_format"] == "easy_read" else "the applicant's language"
    assert "Acknowledgement letter (version 1)" in shown
    assert f", emailed, to provide in {provide}" in shown


def test_any_letter_can_be_had_in_large_print_before_it_goes(app: Flask, app_db: Database) -> None:
    task_id = live(app_db, submit(app_db, application()))["acknowledge"].id
    council = signed_in(app, COUNCIL)
    page = council.get(f"/tasks/{task_id}").get_data(as_text=True)
    assert f'href="/tasks/{task_id}/letter.docx?print=large"' in page
    assert "a copy in large print" in words(page)

    standard = council.get(f"/tasks/{task_id}/letter.docx")
    assert text_size(standard.data) == 11
    large = council.get(f"/tasks/{task_id}/letter.docx?print=large")
    assert large.headers["Content-Disposition"].endswith("-preview-large-print.docx")
    assert text_size(large.data) == 16
