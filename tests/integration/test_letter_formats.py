"""Letters in the format the applicant asked for: an application asking for large print has
its letters made in large print, emailed as plain text carrying the whole letter with the
letter attached as a tagged PDF, which the mail sender makes as the email goes, and as the
Word file kept (the Word file alone, saying so, when LibreOffice cannot make the PDF); staff
see the format beside each letter and on the case; for easy read or another language, which
the service cannot write, whoever sends a letter is told to provide it in that format, and
the kept letter records it; any letter can be had in large print before it goes."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from email.message import EmailMessage
from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import AuditEvent, Case, Document, Notification
from engine.documents import EMAILED_PDF, PdfMaker
from engine.documents.convert import ConverterSettings, converter_for
from engine.procedure.sweeps import send_mail
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

    assert send_mail(app_db, smtp.url, converter_for(ConverterSettings())).failed == 0
    shown = words(council.get(f"/cases/{reference}").get_data(as_text=True))
    assert shown.count("Acknowledgement letter (version") == 1 and "Letter pdf" not in shown
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


def pdfs_kept(db: Database, case_id: int) -> list[Document]:
    with db.read() as session:
        return list(
            session.scalars(
                select(Document).where(Document.case_id == case_id, Document.kind == EMAILED_PDF)
            )
        )


def emailed(smtp: SmtpServer, db: Database, case_id: int) -> list[EmailMessage]:
    with db.read() as session:
        reference = session.get_one(Case, case_id).reference
    return [m for m in smtp.mailbox.to("sam@example.com") if reference in m["Subject"]]


def test_completing_a_task_queues_the_letter_and_the_mail_sender_makes_its_pdf(
    app_db: Database, smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    converter_installed()
    # Were the completion to make the PDF, it would find no LibreOffice here.
    monkeypatch.setenv("CASEREVIEW_SOFFICE", MISSING)
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sent = letter(app_db, case_id, "acknowledgement_letter")
    assert pdfs_kept(app_db, case_id) == [], "the completion makes no PDF"
    queued = outbox(app_db, sent)
    assert queued is not None and queued.state == "pending"
    # Until the sender settles it, the email says what it would carry without a sender's PDF.
    assert queued.body.endswith(f"The letter is attached as a Word document: {sent.filename}.")
    with app_db.read() as session:
        dispatched = session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "letter.dispatched")
        )
    assert dispatched["delivery"] == "email" and "pdf" not in dispatched

    assert send_mail(app_db, smtp.url, converter_for(ConverterSettings())).failed == 0
    (pdf,) = pdfs_kept(app_db, case_id)
    assert (pdf.notification_id, pdf.detail["pdf_of"]) == (sent.notification_id, sent.id)
    assert pdf.filename == sent.filename.replace(".docx", ".pdf")
    (mail,) = emailed(smtp, app_db, case_id)
    word, attached = mail.iter_attachments()
    assert word.get_content() == sent.content and attached.get_content() == pdf.content
    assert is_tagged_pdf_a(pdf.content)
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content().replace("\r\n", "\n").rstrip("\n")
    assert text == outbox(app_db, sent).body
    assert text.endswith(
        "The letter is attached as a PDF, which opens without a word processor: "
        f"{pdf.filename}.\nThe same letter is attached as a Word document: {sent.filename}."
    )
    with app_db.read() as session:
        made = session.scalar(
            select(AuditEvent).where(
                AuditEvent.action == "document.generated", AuditEvent.object_id == str(pdf.id)
            )
        )
    assert made is not None and made.case_id == case_id
    assert made.user_id == sent.created_by_id, "made for whoever sent the letter"


def test_a_letter_whose_send_fails_goes_again_with_the_one_pdf_made_at_first(
    app_db: Database, smtp: SmtpServer, fixed_clock: FixedClock
) -> None:
    converter_installed()
    converter = converter_for(ConverterSettings())
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sent = letter(app_db, case_id, "acknowledgement_letter")
    smtp.mailbox.refuse.add("sam@example.com")
    assert send_mail(app_db, smtp.url, converter).retrying >= 1
    (first,) = pdfs_kept(app_db, case_id)
    assert outbox(app_db, sent).state == "pending" and emailed(smtp, app_db, case_id) == []

    smtp.mailbox.refuse.clear()
    fixed_clock.advance(timedelta(hours=1))
    assert send_mail(app_db, smtp.url, converter).sent >= 1
    assert [pdf.id for pdf in pdfs_kept(app_db, case_id)] == [first.id], "one PDF, made once"
    (mail,) = emailed(smtp, app_db, case_id)
    attachments = [(part.get_filename(), part.get_content()) for part in mail.iter_attachments()]
    assert attachments == [(sent.filename, sent.content), (first.filename, first.content)]
    assert outbox(app_db, sent).state == "sent"


def test_a_pdf_that_could_not_be_made_is_tried_again_when_the_send_is(
    app_db: Database, smtp: SmtpServer, fixed_clock: FixedClock
) -> None:
    converter_installed()
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sent = letter(app_db, case_id, "acknowledgement_letter")
    smtp.mailbox.refuse.add("sam@example.com")
    missing = converter_for(ConverterSettings(program=MISSING))
    assert send_mail(app_db, smtp.url, missing).retrying >= 1
    assert pdfs_kept(app_db, case_id) == []
    assert "We could not make a PDF of this letter" in outbox(app_db, sent).body

    smtp.mailbox.refuse.clear()
    fixed_clock.advance(timedelta(hours=1))
    assert send_mail(app_db, smtp.url, converter_for(ConverterSettings())).sent >= 1
    (pdf,) = pdfs_kept(app_db, case_id)
    (mail,) = emailed(smtp, app_db, case_id)
    assert [part.get_filename() for part in mail.iter_attachments()] == [
        sent.filename,
        pdf.filename,
    ]
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "We could not make a PDF" not in text
    assert (
        f"The letter is attached as a PDF, which opens without a word processor: {pdf.filename}."
        in text
    )


def test_only_the_sender_holding_the_claim_keeps_a_pdf_and_only_one(app_db: Database) -> None:
    converter_installed()
    make = PdfMaker(converter_for(ConverterSettings()))
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sent = letter(app_db, case_id, "acknowledgement_letter")
    queued = outbox(app_db, sent)
    assert queued is not None
    # A second sender took the message over at attempt 2, after the first sender's claim lapsed.
    with app_db.transaction() as session:
        session.get_one(Notification, queued.id).attempts = 2
    make(app_db, queued.id, 1)
    assert pdfs_kept(app_db, case_id) == [], "the first sender's claim is no longer its own"
    assert outbox(app_db, sent).body == queued.body
    # Withdrawn, it is not sent: a sender that still has it in hand makes nothing for it.
    with app_db.transaction() as session:
        session.get_one(Notification, queued.id).state = "withdrawn"
    make(app_db, queued.id, 2)
    assert pdfs_kept(app_db, case_id) == []
    with app_db.transaction() as session:
        session.get_one(Notification, queued.id).state = "pending"
    make(app_db, queued.id, 2)
    make(app_db, queued.id, 2)
    (pdf,) = pdfs_kept(app_db, case_id)
    body = outbox(app_db, sent).body
    assert body.count(pdf.filename) == 1 and body.count(sent.filename) == 1


def test_a_letter_goes_as_word_saying_so_when_libreoffice_fails_as_it_is_sent(
    app_db: Database,
    tmp_path: Path,
    smtp: SmtpServer,
    caplog: pytest.LogCaptureFixture,
) -> None:
    app = make_app(app_db, tmp_path)
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    sent = letter(app_db, case_id, "acknowledgement_letter")

    assert send_mail(app_db, smtp.url, converter_for(ConverterSettings(program=MISSING))).sent >= 1
    (logged,) = [r for r in caplog.records if r.name == "engine.documents.store.emailed_pdfs"]
    assert logged.getMessage() == (
        f"letter {sent.filename} emailed as Word only: LibreOffice is not installed on the server"
    )
    assert pdfs_kept(app_db, case_id) == []
    (mail,) = emailed(smtp, app_db, case_id)
    (attached,) = mail.iter_attachments()
    assert attached.get_content_type() == DOCX and attached.get_content() == sent.content
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None
    assert (
        body.get_content()
        .rstrip()
        .endswith(
            "We could not make a PDF of this letter, so it is attached as a Word document only: "
            f"{sent.filename}."
        )
    )
    with app_db.read() as session:
        reference = session.get_one(Case, case_id).reference
        why = session.scalar(
            select(AuditEvent.detail).where(AuditEvent.action == "letter.pdf_not_made")
        )
    assert why == {
        "kind": "acknowledgement_letter",
        "notification_id": sent.notification_id,
        "reason": "LibreOffice is not installed on the server",
    }
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
