"""Documents in three formats: Word as made, OpenDocument text and PDF (PDF/A, tagged) made
by LibreOffice; staff choose on the case page, the API takes ``format``, applicants get PDF;
and when LibreOffice is missing, the Word file is still offered and the pages say why."""

from __future__ import annotations

from html import unescape
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from engine.core.config import PROJECT_ROOT
from engine.core.db import Database
from engine.core.models import AuditEvent, Document
from engine.runtime import deploy
from tests.integration.test_document_routes import token
from tests.support.applicant import following, reference_of
from tests.support.documents import (
    converter_installed,
    is_tagged_pdf_a,
    odt_lines,
    open_docx,
    pdf_lines,
)
from tests.support.files import FORMS
from tests.support.people import COUNCIL
from tests.support.procedure import met_case
from tests.support.web import make_app, signed_in

ODT = "application/vnd.oasis.opendocument.text"
MISSING = "/nonexistent/libreoffice/soffice"
# A line of the threshold decision letter short enough to be one line on the page.
DECIDED = "On 2 March 2026 we decided that the threshold for a case review is met."


def _app(db: Database, tmp_path: Path, **environment: str) -> Flask:
    path = PROJECT_ROOT / "workflows" / "asb_case_review.bpmn"
    with db.transaction() as session:
        deploy(session, path.read_bytes(), filename=path.name, forms_dir=FORMS)
    return make_app(db, tmp_path, **environment)


@pytest.fixture
def app(all_db: Database, tmp_path: Path) -> Flask:
    converter_installed()
    return _app(all_db, tmp_path)


@pytest.fixture
def without_libreoffice(all_db: Database, tmp_path: Path) -> Flask:
    return _app(all_db, tmp_path, CASEREVIEW_SOFFICE=MISSING)


def text(response) -> str:  # noqa: ANN001 - a test response
    return unescape(response.get_data(as_text=True))


def letter_of(db: Database, case_id: int) -> Document:
    with db.read() as session:
        return session.scalar(
            select(Document).where(
                Document.case_id == case_id, Document.kind == "threshold_decision_letter"
            )
        )


def test_staff_choose_each_format_on_the_case_page(
    app: Flask, all_db: Database, tmp_path: Path
) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    client = signed_in(app, COUNCIL)
    page = text(client.get(f"/cases/{reference}"))
    letter = f"/cases/{reference}/documents/{letter_of(all_db, case_id).id}"
    for key, name in (("docx", "Word"), ("odt", "OpenDocument"), ("pdf", "PDF")):
        link = f'href="{letter}?format={key}" download>{name}<span class="govuk-visually-hidden">'
        assert link in page
    assert "as Word only" not in page

    pack = f"/cases/{reference}/documents/meeting-pack"
    word = client.get(f"{pack}?format=docx")
    assert word.headers["Content-Disposition"].endswith(f"{reference}-meeting-pack-v1.docx")
    assert f"Case reference: {reference}" in [p.text for p in open_docx(word.data).paragraphs]

    odt = client.get(f"{pack}?format=odt")
    assert odt.status_code == 200 and odt.mimetype == ODT
    assert odt.headers["Content-Disposition"].endswith(f"{reference}-meeting-pack-v1.odt")
    assert "no-store" in odt.headers["Cache-Control"]
    assert f"Case reference: {reference}" in odt_lines(odt.data, tmp_path)

    pdf = client.get(f"{pack}?format=pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].endswith(f"{reference}-meeting-pack-v1.pdf")
    assert f"Case reference: {reference}" in pdf_lines(pdf.data)
    assert is_tagged_pdf_a(pdf.data), "PDF/A-2, tagged for screen readers"

    with all_db.read() as session:
        packs = session.scalars(select(Document).where(Document.kind == "meeting_pack")).all()
        given = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == "disclosure")
        ).all()
    assert len(packs) == 1, "one pack kept, whatever the format it was handed out in"
    assert sum(d["what"] == "meeting pack version 1" for d in given) == 3


def test_a_kept_letter_and_the_statistics_report_in_each_format(
    app: Flask, all_db: Database, tmp_path: Path
) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    letter = letter_of(all_db, case_id)
    client = signed_in(app, COUNCIL)
    address = f"/cases/{reference}/documents/{letter.id}"
    assert DECIDED in pdf_lines(client.get(f"{address}?format=pdf").data)
    assert DECIDED in odt_lines(client.get(f"{address}?format=odt").data, tmp_path)

    public = app.test_client()
    assert 'href="/statistics/2025/report?format=pdf"' in text(public.get("/statistics?year=2025"))
    report = public.get("/statistics/2025/report?format=pdf")
    assert report.status_code == 200 and report.mimetype == "application/pdf"
    assert is_tagged_pdf_a(report.data)


def test_an_unknown_format_is_not_a_page_and_the_api_says_which_there_are(
    app: Flask, all_db: Database
) -> None:
    reference = reference_of(all_db, met_case(all_db))
    client = signed_in(app, COUNCIL)
    assert client.get(f"/cases/{reference}/documents/meeting-pack?format=rtf").status_code == 404
    assert app.test_client().get("/statistics/2025/report?format=exe").status_code == 404
    answer = app.test_client().get(
        f"/api/v1/cases/{reference}/documents/meeting-pack?format=rtf",
        headers=token(app, COUNCIL),
    )
    assert answer.status_code == 400
    assert answer.get_json() == {
        "error": "There is no format 'rtf': ask for docx (Word), odt (OpenDocument), pdf (PDF)"
    }


def test_the_api_hands_out_the_pack_and_letters_in_the_format_asked_for(
    app: Flask, all_db: Database, tmp_path: Path
) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    api = app.test_client()
    pack = f"/api/v1/cases/{reference}/documents/meeting-pack"
    pdf = api.get(f"{pack}?format=pdf", headers=token(app, COUNCIL))
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert is_tagged_pdf_a(pdf.data)
    odt = api.get(f"{pack}?format=odt", headers=token(app, COUNCIL))
    assert f"Case reference: {reference}" in odt_lines(odt.data, tmp_path)
    letter = letter_of(all_db, case_id)
    kept = f"/api/v1/cases/{reference}/documents/{letter.id}"
    letter_pdf = api.get(f"{kept}?format=pdf", headers=token(app, COUNCIL))
    assert letter_pdf.status_code == 200 and DECIDED in pdf_lines(letter_pdf.data)
    assert api.get(f"{kept}?format=doc", headers=token(app, COUNCIL)).status_code == 400
    word = api.get(pack, headers=token(app, COUNCIL))
    assert word.headers["Content-Disposition"].endswith(".docx"), "Word unless asked otherwise"
    described = api.get("/api/v1/openapi.json").get_json()
    operation = described["paths"]["/cases/{reference}/documents/meeting-pack"]["get"]
    [parameter] = [p for p in operation["parameters"] if p["name"] == "format"]
    assert parameter["schema"]["enum"] == ["docx", "odt", "pdf"]
    assert set(operation["responses"]["200"]["content"]) == {
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ODT,
        "application/pdf",
    }


def test_the_applicant_gets_their_letters_as_pdf(app: Flask, all_db: Database) -> None:
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    letter = letter_of(all_db, case_id)
    client = following(app, all_db, case_id)
    page = text(client.get(f"/your-case/{reference}"))
    assert f'href="/your-case/{reference}/letters/{letter.id}">Download' in page
    assert "(PDF)</a>" in page and "Word document" not in page
    answer = client.get(f"/your-case/{reference}/letters/{letter.id}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    assert answer.headers["Content-Disposition"].endswith(".pdf")
    assert DECIDED in pdf_lines(answer.data)
    assert is_tagged_pdf_a(answer.data)


def test_without_libreoffice_word_is_still_offered_and_the_pages_say_why(
    without_libreoffice: Flask, all_db: Database
) -> None:
    app = without_libreoffice
    case_id = met_case(all_db)
    reference = reference_of(all_db, case_id)
    client = signed_in(app, COUNCIL)
    page = text(client.get(f"/cases/{reference}"))
    letter = letter_of(all_db, case_id)
    assert f'href="/cases/{reference}/documents/{letter.id}?format=docx" download>Word' in page
    assert "?format=pdf" not in page and "?format=odt" not in page
    pack = f"/cases/{reference}/documents/meeting-pack"
    assert "Documents can be downloaded as Word only just now" in page
    assert "LibreOffice is not installed on the server" in page

    refused = client.get(f"{pack}?format=pdf")
    assert refused.status_code == 503
    said = text(refused)
    assert "The PDF file cannot be made just now" in said
    assert "LibreOffice is not installed on the server" in said
    assert f'href="{pack}?format=docx">Download the Word document instead' in said
    word = client.get(f"{pack}?format=docx")
    assert word.status_code == 200 and open_docx(word.data).paragraphs

    answer = app.test_client().get(f"/api/v1{pack}?format=odt", headers=token(app, COUNCIL))
    assert answer.status_code == 503
    assert answer.get_json()["error"] == (
        "The file cannot be made in that format just now: LibreOffice is not installed on the "
        "server; ask for format=docx"
    )

    applicant = following(app, all_db, case_id)
    page = text(applicant.get(f"/your-case/{reference}"))
    assert f'href="/your-case/{reference}/letters/{letter.id}?format=docx">Download' in page
    assert "we cannot make PDF copies of them just now" in page
    assert applicant.get(f"/your-case/{reference}/letters/{letter.id}").status_code == 503
    word = applicant.get(f"/your-case/{reference}/letters/{letter.id}?format=docx")
    assert word.status_code == 200 and open_docx(word.data).paragraphs
