"""Letters in large print: an applicant who asked for large print has every letter written at
the area's size, its headings and tables scaled to match, on the same base template; the area
file says the size."""

from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
import pytest
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from pypdf import PdfReader

from engine.core.area import AreaFileError, current_settings, parse_area
from engine.core.db import Database
from engine.documents.word import TEMPLATES_DIR, Builder
from tests.support.documents import open_docx, to_pdf
from tests.support.files import RAW
from tests.support.letters import acknowledged, letter

# A word too long to stand in two columns of a table of three across an A4 page at the
# template's 11 points: a table in normal print is set smaller to fit it; one in large print
# is not, and the word breaks instead.
LONG_WORD = "Neighbourhoodcommunitysafetycoordinators"


def run_size(run: Any, paragraph: Paragraph, document: docx.document.Document) -> float:
    """The size in points Word sets a run in: its own, else its paragraph style's (and those
    that style is based on), else the document's default."""
    if run.font.size is not None:
        return float(run.font.size.pt)
    style = paragraph.style
    while style is not None:
        if style.font.size is not None:
            return float(style.font.size.pt)
        style = style.base_style
    defaults = document.styles.element.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:sz')}"
    )
    return int(defaults.get(qn("w:val"))) / 2


def sizes(document: docx.document.Document) -> dict[str, set[float]]:
    """The sizes of the text of each paragraph style used in the body and its tables, and in
    the footers ("Footer")."""
    found: dict[str, set[float]] = {}
    paragraphs = list(document.paragraphs)
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs += cell.paragraphs
    for section in document.sections:
        paragraphs += section.footer.paragraphs
    for paragraph in paragraphs:
        for run in paragraph.runs:
            if run.text.strip():
                size = run_size(run, paragraph, document)
                found.setdefault(paragraph.style.name, set()).add(size)
    return found


def test_a_large_print_applicants_letter_is_written_at_the_areas_size(
    app_db: Database, tmp_path: Path
) -> None:
    db = app_db
    with db.read() as session:
        assert current_settings(session)["large_print_size"] == 16
    standard = letter(db, acknowledged(db), "acknowledgement_letter")
    large = letter(db, acknowledged(db, letter_format="large_print"), "acknowledgement_letter")
    assert standard.detail["letter_format"] == "standard"
    assert "large_print_size" not in standard.detail
    assert (large.detail["letter_format"], large.detail["large_print_size"]) == ("large_print", 16)

    normal, enlarged = open_docx(standard.content), open_docx(large.content)
    assert sizes(normal)["Normal"] == {11}, "a standard letter keeps the template's sizes"
    found = sizes(enlarged)
    assert found["Normal"] == {16}, "the letter's text is at the area's size"
    assert all(size >= 16 for used in found.values() for size in used), found
    # Headings are as much larger than the text as the template makes them, in half points.
    for style in ("Heading 1", "Heading 3"):
        (was,) = sizes(normal)[style]
        assert found[style] == {max(16, round(was * 16 / 11 * 2) / 2)}
    assert found["Heading 1"] == {23.5} and found["Footer"] == {16}
    # The same base template: its fonts, page and margins.
    assert enlarged.styles["Normal"].font.name == normal.styles["Normal"].font.name == "Arial"
    for attribute in ("page_width", "page_height", "left_margin", "right_margin", "top_margin"):
        assert getattr(enlarged.sections[0], attribute) == getattr(normal.sections[0], attribute)

    # LibreOffice opens it and lays the letter's text out at 16 points.
    (pdf,) = to_pdf({"letter.docx": large.content}, tmp_path).values()
    laid_out: dict[str, float] = {}

    def seen(text: str, matrix: list[float], text_matrix: list[float], font: Any, size: float):  # noqa: ANN202
        if text.strip():
            laid_out[text.strip()] = round(size * text_matrix[3] * matrix[3], 1)

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=seen)
    assert laid_out.get("Dear Sam Taylor,") == 16.0, laid_out


def test_a_large_print_table_keeps_its_size_where_a_normal_one_is_set_smaller() -> None:
    def table(large_print: float | None) -> docx.document.Document:
        out = Builder(TEMPLATES_DIR / "default.docx", large_print=large_print)
        out.table(["What will be done", "Who", "By when"], [[LONG_WORD, LONG_WORD, "3 April"]])
        return open_docx(out.save(datetime(2026, 3, 2)))

    normal = sizes(table(None))["Normal"]
    assert max(normal) < 11, "in normal print the table is set smaller to fit the long word"
    assert sizes(table(18))["Normal"] == {18}, "in large print, never smaller than the text"


def _area(**settings: Any) -> dict[str, Any]:
    raw = {**RAW, "settings": {**RAW.get("settings", {}), **settings}}
    return parse_area(raw).settings


def test_the_area_file_sets_the_large_print_size_and_refuses_one_that_is_not() -> None:
    assert _area()["large_print_size"] == 16, "RNIB's 16 points unless the area says"
    assert _area(large_print_size=18)["large_print_size"] == 18
    assert _area(large_print_size=17.5)["large_print_size"] == 17.5
    for wrong in (12, 13.5, 40, 16.2, "16", True):
        with pytest.raises(AreaFileError) as refused:
            _area(large_print_size=wrong)
        assert "large_print_size must be a size in points from 14 to 36" in str(refused.value)
        assert "smaller text is not large print" in str(refused.value)
