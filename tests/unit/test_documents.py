"""Word documents as others will open them: the committed default template as its script
builds it, and LibreOffice opening the pack, the statistics report and the letters."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from sqlalchemy import select

from engine.core.config import PROJECT_ROOT
from engine.core.models import Case, Document
from engine.documents import EMAILED_PDF, build_default_template, statistics_report
from engine.documents.word.template import TABLE_STYLES
from tests.support.documents import NASTY, add_attachment, pack_for, reference_of, to_pdf
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
