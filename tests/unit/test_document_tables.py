"""The tables of the Word documents as LibreOffice lays them out: every heading and every word
of every cell stays whole on its line, never broken inside itself ("Bolsove r")."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from docx.shared import Cm
from PIL import ImageFont
from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import Case
from engine.documents import TEMPLATES_DIR, preview_document, preview_letter, statistics_report
from engine.documents.word import Builder
from engine.documents.word.columns import ZERO_WIDTH_SPACE
from engine.documents.word.fonts import text_width
from tests.support.documents import (
    add_attachment,
    open_docx,
    pack_for,
    pdf_lines,
    reference_of,
    to_pdf,
)
from tests.support.people import add_people, user
from tests.support.procedure import (
    CONSIDERED,
    INVITED,
    NO_RETURN,
    STANDARD_RISK,
    VIEWS_BY_LETTER,
    application,
    do,
    incident,
    live,
    submit,
)

BOLSOVER = "caseworker@bolsover.example.org"
EMH = "housing@emh.example.org"
CHAIR = "chair@example.org"
POLICE = "police@example.org"
LONG_REFERENCE = "DERBYSHIRE-CONSTABULARY/NEIGHBOURHOOD-POLICING/BOLSOVER/2026/000018734"


def bolsover_case(db: Database, fixed_clock: FixedClock) -> int:
    """A Bolsover case taken through its review meeting, with long references and names."""
    add_people(
        db,
        [
            (BOLSOVER, "bolsover-district-council", ["caseworker"]),
            (EMH, "emh-homes", ["agency_officer"]),
        ],
    )
    incidents = [
        incident("2026-01-05", "2026-01-06", "police", "DC/2026/0000187"),
        incident("2026-01-19", "2026-01-20", "bolsover-district-council", "BDC-ASB-0042"),
        incident("2026-02-02", "2026-02-10", "emh-homes", "EMH/TEN/7731"),
        # Too long for any fair share of the page: it breaks after a slash or a hyphen.
        incident("2026-02-09", "2026-02-10", "police", LONG_REFERENCE),
    ]
    case_id = submit(db, application(incidents, district="bolsover"))
    do(db, case_id, "acknowledge", BOLSOVER, {"method": "email"})
    do(db, case_id, "screen", BOLSOVER, {"route": "review", "hate_element": False})
    returns = {
        "police_return": POLICE,
        "housing_return [child]": EMH,
        "health_return": "health@example.org",
        "council_return": BOLSOVER,
    }
    assert set(live(db, case_id)) == {*returns, "risk_assessment"}
    for task, email in returns.items():
        do(db, case_id, task, email, NO_RETURN)
    do(db, case_id, "risk_assessment", BOLSOVER, STANDARD_RISK)
    add_attachment(
        db, case_id, "police_return", POLICE, "neighbourhood-policing-log.pdf", b"%PDF police"
    )
    do(
        db,
        case_id,
        "threshold_decision",
        BOLSOVER,
        {"threshold_met": True, "decision_basis": "count"},
    )
    do(db, case_id, "decision_letter", BOLSOVER, {"method": "email"})
    do(
        db,
        case_id,
        "schedule_meeting",
        BOLSOVER,
        {"chair_email": CHAIR, "meeting_date": "2026-03-20"},
    )
    do(db, case_id, "meeting_pack", BOLSOVER, {"pack_ready_on": "2026-03-17"})
    do(db, case_id, "meeting_invitation", CHAIR, INVITED)
    fixed_clock.advance(timedelta(days=18))
    plan = [
        {
            "organisation": "bolsover-district-council",
            "action": "Install additional CCTV and review the neighbourhood's noise complaints",
            "due_date": "2026-04-30",
        },
        {"organisation": "emh-homes", "action": "Warn the tenant", "due_date": "2026-04-03"},
        {
            "organisation": "derbyshire-constabulary",
            "action": "Patrol on Friday nights",
            "due_date": "2026-04-17",
        },
    ]
    do(
        db,
        case_id,
        "record_meeting",
        CHAIR,
        {
            "held_on": "2026-03-20",
            "attendees": ["Chair", "Police", "emh homes", "Bolsover District Council"],
            "findings": "Agencies did not share information",
            "applicant_took_part": "in_person",
            "recommendations": plan,
        },
    )
    do(db, case_id, "applicant_views", BOLSOVER, VIEWS_BY_LETTER)
    do(db, case_id, "finalise_plan", CHAIR, CONSIDERED)
    return case_id


def table_words(content: bytes) -> set[str]:
    """Every word of every table of a Word file, headings and cells; a word the document
    itself gives places to break (with a zero-width space) counts as its parts."""
    words: set[str] = set()
    for table in open_docx(content).tables:
        for row in table.rows:
            for cell in row.cells:
                words.update(re.split(r"[\s\u200b]+", cell.text))
    return words - {""}


def broken_words(lines: list[str], words: set[str]) -> list[str]:
    """The table words that a line ends with the start of and the next line goes on with."""
    broken = []
    for line, following in zip(lines, lines[1:], strict=False):
        if not line.split() or not following.split():
            continue
        joined = line.split()[-1] + following.split()[0]
        if joined in words:
            broken.append(f"{line.split()[-1]} | {following.split()[0]}")
    return broken


def test_no_word_in_a_table_breaks_inside_itself(
    review_db: Database, fixed_clock: FixedClock, tmp_path: Path
) -> None:
    db = review_db
    case_id = bolsover_case(db, fixed_clock)
    reference = reference_of(db, case_id)
    files = {"pack.docx": pack_for(db, reference, CHAIR).content}
    with db.transaction() as session:
        files["statistics.docx"] = statistics_report(session, 2025).content
        case = session.scalar(select(Case).where(Case.id == case_id))
        for kind, answers in (
            ("draft_plan_letter", {}),
            ("outcome_letter", {"method": "email", "updates": "Monthly calls"}),
            ("case_closed_letter", {}),
        ):
            letter = preview_letter(session, case, kind, user(db, BOLSOVER), answers)
            files[f"{kind}.docx"] = preview_document(letter)
    words = {name: table_words(content) for name, content in files.items()}
    assert all(words.values()), "every document has a table"
    pdfs = to_pdf(files, tmp_path)
    lines = {name: pdf_lines(pdf) for name, pdf in pdfs.items()}
    missing = {
        name: words[name] - {word for line in lines[name] for word in line.split()}
        for name in files
    }
    assert missing == {name: set() for name in files}, "every word is on the page, whole"
    broken = {name: broken_words(lines[name], words[name]) for name in files}
    assert broken == {name: [] for name in files}


# The columns as Word reads them


TEMPLATE = TEMPLATES_DIR / "default.docx"
A4_TEXT_WIDTH = Cm(21.0 - 2 * 2.2).pt
CELL_PADDING = 2 * 5.4  # Word's cell margins, left and right


def made(out: Builder) -> docx.table.Table:
    return open_docx(out.save(datetime(2026, 3, 2, 9, 0))).tables[0]


def layout(table: docx.table.Table) -> list[float]:
    """The columns' widths in points, checked to be the same on the grid and on every cell,
    with a fixed layout and the table's width their sum."""
    grid = [column.width.twips for column in table.columns]
    for row in table.rows:
        assert [cell.width.twips for cell in row.cells] == grid
    properties = table._tbl.tblPr
    assert properties.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    assert properties.find(qn("w:tblW")).get(qn("w:w")) == str(sum(grid))
    return [twips / 20 for twips in grid]


def sizes_of(table: docx.table.Table) -> set[float]:
    return {int(size.get(qn("w:val"))) / 2 for size in table._tbl.iter(qn("w:sz"))}


def test_each_column_fits_its_longest_word_and_free_text_has_the_rest() -> None:
    out = Builder(TEMPLATE)
    out.table(
        ["No.", "Reported to", "Reference", "Summary"],
        [
            ("1", "Bolsover District Council", "BDC-ASB-0042", "Shouting late at night"),
            ("2", "Derbyshire Constabulary", "DC/2026/0000187", "Banging on the door"),
        ],
        shares=[1, 3, 2, 6],
    )
    widths = layout(made(out))
    assert A4_TEXT_WIDTH - 1 < sum(widths) <= A4_TEXT_WIDTH
    for width, longest in zip(
        widths, ["No.", "Constabulary", "DC/2026/0000187", "Shouting"], strict=True
    ):
        assert width > text_width(longest, "Arial", 11, bold=longest == "No.") + CELL_PADDING
    assert widths[3] == max(widths), "free text has the largest share"


def test_a_table_of_many_columns_is_set_smaller_rather_than_break_a_heading() -> None:
    header = ["Measure", "Amber Valley", "Bolsover", "Chesterfield", "Derby City"]
    header += ["Derbyshire Dales", "Erewash", "High Peak", "North East Derbyshire"]
    header += ["South Derbyshire", "Newark and Sherwood", "Rushcliffe", "Broxtowe", "Total"]
    out = Builder(TEMPLATE)
    out.landscape()
    out.table(header, [["Applications received", *["12"] * (len(header) - 1)]])
    table = made(out)
    widths = layout(table)
    [size] = sizes_of(table)
    assert 8 <= size < 11
    assert sum(widths) <= Cm(29.7 - 2 * 2.2).pt
    for width, heading in zip(widths, header, strict=True):
        longest = max(text_width(word, "Arial", size, bold=True) for word in heading.split())
        assert width > longest + CELL_PADDING, heading
    assert ZERO_WIDTH_SPACE not in "".join(cell.text for cell in table.rows[0].cells)


def test_a_reference_too_long_for_the_page_breaks_after_its_slashes_and_hyphens() -> None:
    out = Builder(TEMPLATE)
    out.table(
        ["No.", "Date of behaviour", "Reported to", "Reference", "Summary", "Qualifying"],
        [("1", "5 January 2026", "Bolsover District Council", LONG_REFERENCE, "Noise", "Yes")],
    )
    table = made(out)
    layout(table)
    assert sizes_of(table) == set(), "the text keeps its size"
    header, row = ([cell.text for cell in line.cells] for line in table.rows)
    assert ZERO_WIDTH_SPACE not in "".join(header)
    assert row[2] == "Bolsover District Council"
    lines = row[3].split(ZERO_WIDTH_SPACE)
    assert "".join(lines) == LONG_REFERENCE and len(lines) > 1
    assert all(line[-1] in "/-" for line in lines[:-1])


def test_words_are_measured_in_the_widths_of_the_documents_font() -> None:
    try:
        ImageFont.truetype("LiberationSans-Bold.ttf", 10)
    except OSError:
        pytest.skip("Liberation Sans is not installed (Debian: apt-get install fonts-liberation2)")
    # Arial Bold's advance widths of B, o, l, s, o, v, e, r in thousandths of an em.
    arial = (722 + 611 + 278 + 556 + 611 + 556 + 556 + 389) / 1000 * 11
    assert text_width("Bolsover", "Arial", 11, bold=True) == pytest.approx(arial, abs=0.1)
    assert text_width("Bolsover", "A font this machine lacks", 11, bold=True) > arial
