"""Word documents as others will open them: the committed default template as its script
builds it, and LibreOffice opening the pack, the statistics report and the letters."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.enum.style import WD_STYLE_TYPE
from sqlalchemy import select

from engine.core.config import PROJECT_ROOT
from engine.core.models import Case, Document
from engine.documents import EMAILED_PDF, build_default_template, statistics_report
from engine.documents.word import Builder
from engine.documents.word.template import TABLE_STYLES
from tests.support.documents import (
    NASTY,
    add_attachment,
    open_docx,
    pack_for,
    reference_of,
    to_pdf,
)
from tests.support.people import COUNCIL
from tests.support.procedure import do, hold_meeting, met_case

TEMPLATE = PROJECT_ROOT / "templates" / "docx" / "default.docx"


def test_the_committed_default_template_is_the_one_the_script_builds(tmp_path: Path) -> None:
    build_default_template(tmp_path / "default.docx")
    ours, built = docx.Document(str(TEMPLATE)), docx.Document(str(tmp_path / "default.docx"))
    assert ours.styles["Normal"].font.name == built.styles["Normal"].font.name == "Arial"
    assert {s.name for s in ours.styles} == {s.name for s in built.styles}
    assert "Protective Marking" in {s.name for s in ours.styles}
    assert round(ours.sections[0].page_width.cm, 1) == 21.0, "A4"
    # Only the table styles documents use: the rest would be read and written by every one.
    assert {s.name for s in ours.styles if s.type == WD_STYLE_TYPE.TABLE} == set(TABLE_STYLES)
    assert "stylesWithEffects" not in str(list(zipfile.ZipFile(TEMPLATE).namelist()))
    assert TEMPLATE.stat().st_size < 20_000


def test_libreoffice_opens_the_pack_the_report_and_the_letters(
    review_db, fixed_clock, tmp_path: Path
) -> None:
    db = review_db
    case_id = met_case(db)
    add_attachment(db, case_id, "police_return", "police@example.org", "log.pdf", b"%PDF police")
    plan = [{"organisation": "dales-housing", "action": "Warn", "due_date": "2026-04-03"}]
    hold_meeting(db, case_id, plan, fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "email", "updates": "Monthly calls"},
    )
    with db.transaction() as session:
        case = session.get(Case, case_id)
        case.applicant = {**case.applicant, "name": NASTY}
    files = {"pack.docx": pack_for(db, reference_of(db, case_id)).content}
    with db.transaction() as session:
        files["report.docx"] = statistics_report(session, 2025).content
        letters = select(Document).where(Document.case_id == case_id, Document.kind != EMAILED_PDF)
        for document in session.scalars(letters):
            files[f"{document.kind}.docx"] = document.content
    assert {"threshold_decision_letter.docx", "outcome_letter.docx"} <= set(files)
    pdfs = to_pdf(files, tmp_path)
    for pdf in pdfs.values():
        assert pdf[:5] == b"%PDF-"
    assert len(pdfs["pack.docx"]) > 20_000


def _numbered(part: Any) -> bool:
    fields = part._element.xml
    return 'w:instr=" PAGE "' in fields and 'w:instr=" NUMPAGES "' in fields


def _footers_used(template: Path) -> docx.document.Document:
    out = Builder(template)
    out.page_numbers("Our reference: CT-1")
    out.paragraph("Dear applicant,")
    return open_docx(out.save(datetime(2026, 3, 2, 9, 0)))


def test_a_template_with_its_own_first_and_even_pages_has_them_numbered(tmp_path: Path) -> None:
    plain = _footers_used(TEMPLATE).sections[0]
    assert _numbered(plain.footer)
    # The default template shows every page the same footer: no other is written.
    assert plain.first_page_footer.is_linked_to_previous
    assert plain.even_page_footer.is_linked_to_previous

    council = docx.Document(str(TEMPLATE))
    council.sections[0].different_first_page_header_footer = True
    council.settings.odd_and_even_pages_header_footer = True
    council.save(str(tmp_path / "first-and-even.docx"))
    section = _footers_used(tmp_path / "first-and-even.docx").sections[0]
    for footer in (section.footer, section.first_page_footer, section.even_page_footer):
        assert _numbered(footer)

    # A first page's footer the template has keeps what it says, numbered below it.
    council = docx.Document(str(TEMPLATE))
    council.sections[0].first_page_footer.paragraphs[0].text = "Registered office: Matlock"
    council.save(str(tmp_path / "first-footer.docx"))
    section = _footers_used(tmp_path / "first-footer.docx").sections[0]
    texts = [p.text for p in section.first_page_footer.paragraphs]
    assert texts[0] == "Registered office: Matlock" and _numbered(section.first_page_footer)
    assert section.even_page_footer.is_linked_to_previous


def test_a_replaced_template_is_used_from_the_next_document_on(tmp_path: Path) -> None:
    template = tmp_path / "derbyshire-dales.docx"
    template.write_bytes(TEMPLATE.read_bytes())
    assert Builder(template).document.styles["Normal"].font.name == "Arial"
    council = docx.Document(str(TEMPLATE))
    council.styles["Normal"].font.name = "Verdana"
    council.save(str(template))
    assert Builder(template).document.styles["Normal"].font.name == "Verdana"
    template.unlink()
    # With the template gone, the house styles stand in.
    assert Builder(template).document.styles["Normal"].font.name == "Arial"


def test_a_document_written_on_a_template_leaves_the_next_one_as_the_template_is() -> None:
    large = Builder(TEMPLATE, large_print=18)
    large.page_numbers("Our reference: CT-1")
    large.paragraph("In large print")
    assert large.document.styles["Normal"].font.size.pt == 18
    standard = Builder(TEMPLATE)
    assert standard.document.styles["Normal"].font.size.pt == 11
    assert standard.document.sections[0].footer.is_linked_to_previous
    assert [p.text for p in standard.document.paragraphs] == []
