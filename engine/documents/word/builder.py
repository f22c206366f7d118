"""Writing one document onto a base template: the ``Builder``.

The template's body is emptied and the content written in its place, paragraph by paragraph,
with the template's own styles. Every string goes through ``clean`` first, because Word files
are XML and a control character in a name would otherwise make the whole file unreadable.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from docx.blkcntnr import BlockItemContainer
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.oxml.text.paragraph import CT_P
from docx.parts.settings import SettingsPart
from docx.shared import Cm, Emu, Length, Twips
from docx.table import Table
from docx.text.paragraph import Paragraph

from engine.documents.word.columns import SMALLEST, breakable, plan_columns
from engine.documents.word.fonts import text_width
from engine.documents.word.template import (
    MARKING,
    MARKING_STYLE,
    TOC_STYLE,
    enlarge,
    ensure_style,
    open_template,
    text_font,
)
from engine.documents.word.text import clean

DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

# A table cell's text keeps this far from its left and right borders (Word's own default);
# a column is wider than its text by both, and by 2 points more for the borders and for
# rounding in Word and LibreOffice.
_CELL_MARGIN = Twips(108)
_CELL_PADDING = 2 * _CELL_MARGIN.pt + 2.0
# Measured widths are taken this much wider, lest a word that only just fits break all the same.
_MEASURE_SLACK = 1.02


class Builder:
    """One document being written onto a base template; with ``large_print``, a size in
    points, in large print: plain text at that size and everything else scaled to match
    (``template.enlarge``), tables never set smaller."""

    def __init__(self, template: Path | None, *, large_print: float | None = None) -> None:
        self.document = open_template(template)
        self._smallest = SMALLEST
        if large_print:
            enlarge(self.document, large_print)
            self._smallest = large_print
        body = self.document.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self._styles: dict[str, Any] = {}
        self._style_ids: dict[str, str] = {}
        self._bookmarks = 0
        self.contents: list[tuple[str, str]] = []

    # -- styles ----------------------------------------------------------------------------

    def style(self, name: str, kind: int = WD_STYLE_TYPE.PARAGRAPH) -> Any:
        """A style of the template, added (plain) when a council's template lacks it."""
        if name not in self._styles:
            self._styles[name] = ensure_style(self.document, name, kind)
        return self._styles[name]

    def style_id(self, name: str) -> str:
        # Assigning a style object makes python-docx scan every style of the template to
        # find the default one, once per paragraph; the id is looked up once instead.
        if name not in self._style_ids:
            self._style_ids[name] = self.style(name).style_id
        return self._style_ids[name]

    # -- blocks ----------------------------------------------------------------------------

    def _new(self, style: str | None = None, container: Any = None) -> Paragraph:
        paragraph = (container or self.document).add_paragraph()
        if style:
            paragraph._p.style = self.style_id(style)
        return paragraph

    def paragraph(
        self,
        text: Any = "",
        *,
        style: str | None = None,
        bold: bool = False,
        italic: bool = False,
        align: str | None = None,
    ) -> Paragraph:
        paragraph = self._new(style)
        if text not in ("", None):
            _run(paragraph._p, clean(text), bold=bold, italic=italic)
        if align == "right":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        elif align == "center":
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        return paragraph

    def labelled(self, label: str, value: Any) -> Paragraph:
        """``Label: value`` with the label in bold."""
        paragraph = self._new()
        _run(paragraph._p, clean(label) + ": ", bold=True)
        _run(paragraph._p, clean(value))
        return paragraph

    def text(self, value: Any, *, missing: str) -> None:
        """Free text as typed: blank lines start new paragraphs; ``missing`` when empty."""
        text = clean(value).replace("\r\n", "\n").replace("\r", "\n").strip()
        if not text:
            self.paragraph(missing, italic=True)
            return
        for block in re.split(r"\n\s*\n", text):
            self.paragraph(block)

    def heading(self, text: Any, level: int = 1, *, contents: bool = False) -> Paragraph:
        """A heading; with ``contents`` it is bookmarked and listed in the contents."""
        paragraph = self._new(f"Heading {level}")
        title = clean(text)
        if not contents:
            _run(paragraph._p, title)
            return paragraph
        self._bookmarks += 1
        name = f"_Toc{self._bookmarks:06d}"
        number = str(self._bookmarks)
        paragraph._p.append(
            OxmlElement("w:bookmarkStart", {qn("w:id"): number, qn("w:name"): name})
        )
        _run(paragraph._p, title)
        paragraph._p.append(OxmlElement("w:bookmarkEnd", {qn("w:id"): number}))
        self.contents.append((title, name))
        return paragraph

    def bullets(self, items: Iterable[Any]) -> None:
        for item in items:
            _run(self._new("List Bullet")._p, clean(item))

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def table(
        self,
        header: Sequence[str],
        rows: Iterable[Sequence[Any]],
        *,
        shares: Sequence[float] | None = None,
        repeat_header: bool = True,
    ) -> Table:
        """A grid across the page with a bold header row, repeated on every page.

        Each column is at least as wide as its longest word (see ``columns``), and the width
        left over is shared in proportion to ``shares`` (equally when not given). The widths
        are set on the grid and on every cell, with a fixed layout: Word and LibreOffice each
        go by a different one."""
        heads = [clean(text) for text in header]
        values = [[clean(value) for value in row] for row in rows]
        for row in values:
            if len(row) != len(heads):
                raise ValueError(f"a row of {len(heads)} columns was given {len(row)} values")
        table = self.document.add_table(rows=0, cols=len(heads))
        table.style = self.style("Table Grid", WD_STYLE_TYPE.TABLE)
        family, size = text_font(self.document, table.style)
        measure = _Measure(family)
        columns = plan_columns(
            heads,
            values,
            shares=shares or [1.0] * len(heads),
            width=self._text_width(),
            size=size,
            padding=_CELL_PADDING,
            measure=measure,
            smallest=self._smallest,
        )
        if columns.breaks:
            rooms = [width - _CELL_PADDING for width in columns.widths]
            for row in values:
                for column, text in enumerate(row):
                    row[column] = breakable(text, rooms[column], measure.at(columns.size))
        widths = [Twips(int(width * 20)) for width in columns.widths]
        _fix_widths(table, widths)
        text_size = None if columns.size == size else columns.size
        # Every row is a copy of one empty row: building each cell through python-docx
        # costs more than the rest of a long chronology put together.
        blank = table.add_row()._tr
        blank.getparent().remove(blank)
        for tc, width in zip(blank.findall(qn("w:tc")), widths, strict=True):
            tc.width = width
        head = copy.deepcopy(blank)
        if repeat_header:
            head.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        self._fill(table, head, heads, bold=True, size=text_size)
        for row in values:
            self._fill(table, copy.deepcopy(blank), row, size=text_size)
        return table

    @staticmethod
    def _fill(
        table: Table, tr: Any, values: Sequence[str], *, bold: bool = False, size: float | None
    ) -> None:
        for tc, text in zip(tr.findall(qn("w:tc")), values, strict=True):
            if text:
                _run(tc.find(qn("w:p")), text, bold=bold, size=size)
        table._tbl.append(tr)

    def _text_width(self) -> float:
        """The width in points between the margins of the page the document ends on."""
        section = self.document.sections[-1]
        page = section.page_width or Cm(21.0)
        margins = (section.left_margin or Cm(2.54)) + (section.right_margin or Cm(2.54))
        return float(Emu(page - margins - (section.gutter or 0)).pt)

    # -- the contents list -----------------------------------------------------------------

    def contents_here(self) -> Paragraph:
        """Where the contents list goes; it is written by ``write_contents`` at the end, when
        every heading is known."""
        return self.document.add_paragraph()

    def write_contents(self, anchor: Paragraph) -> None:
        """A Word TOC field whose shown result lists the headings, each linked to its place;
        Word's "Update field" adds page numbers."""
        style = self.style_id(TOC_STYLE)
        entries = self.contents or [("(no sections)", "")]
        previous = anchor._p
        for index, (title, bookmark) in enumerate(entries):
            # python-docx gives a w:p element its own paragraph class, which knows its style.
            p = cast(CT_P, OxmlElement("w:p"))
            previous.addnext(p)
            p.style = style
            if index == 0:
                _field_char(p, "begin")
                run = OxmlElement("w:r")
                instruction = OxmlElement("w:instrText", {qn("xml:space"): "preserve"})
                instruction.text = ' TOC \\o "1-1" \\h \\z \\u '
                run.append(instruction)
                p.append(run)
                _field_char(p, "separate")
            link = OxmlElement("w:hyperlink", {qn("w:anchor"): bookmark, qn("w:history"): "1"})
            _run(link, f"{index + 1}. {title}" if bookmark else title)
            p.append(link)
            if index == len(entries) - 1:
                _field_char(p, "end")
            previous = p
        parent = anchor._p.getparent()
        if parent is not None:
            parent.remove(anchor._p)

    # -- headers and footers ---------------------------------------------------------------

    def mark_every_page(self, marking: str = MARKING) -> None:
        """The protective marking at the top and bottom of every page, cover included."""
        for part in self._headers_and_footers():
            paragraph = self._in_part(MARKING_STYLE, part)
            _run(paragraph._p, clean(marking), bold=True)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def page_numbers(self, prefix: str = "") -> None:
        """``prefix  Page N of M`` in every footer a page shows: each section's own, and the
        first page's and even pages' where the template has them or sets pages to show them."""
        sections = list(self.document.sections)
        # A first page's or even pages' footer the template does not ask for would be a part
        # of its own, written with every document and read with it, that no page shows.
        first = any(
            section.different_first_page_header_footer
            or not section.first_page_footer.is_linked_to_previous
            for section in sections
        )
        even = _even_pages_differ(self.document) or any(
            not section.even_page_footer.is_linked_to_previous for section in sections
        )
        for section in sections:
            footers = [section.footer]
            if first:
                footers.append(section.first_page_footer)
            if even:
                footers.append(section.even_page_footer)
            for footer in footers:
                paragraph = self._in_part("Footer", footer)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if prefix:
                    _run(paragraph._p, clean(prefix) + "    ")
                _run(paragraph._p, "Page ")
                _simple_field(paragraph, "PAGE", "1")
                _run(paragraph._p, " of ")
                _simple_field(paragraph, "NUMPAGES", "1")

    def _in_part(self, style: str, part: BlockItemContainer) -> Paragraph:
        """A paragraph at the end of a header or footer; a new one starts with a single empty
        paragraph, which is used rather than left as a blank line."""
        paragraphs = part.paragraphs
        if len(paragraphs) == 1 and len(part._element) == 1 and len(paragraphs[0]._p) <= 1:
            paragraphs[0]._p.style = self.style_id(style)
            return paragraphs[0]
        return self._new(style, part)

    def _headers_and_footers(self) -> list[BlockItemContainer]:
        parts: list[BlockItemContainer] = []
        for section in self.document.sections:
            parts += [section.header, section.first_page_header, section.even_page_header]
            parts += [section.footer, section.first_page_footer, section.even_page_footer]
        return parts

    def landscape(self) -> None:
        for section in self.document.sections:
            if section.orientation != WD_ORIENT.LANDSCAPE:
                section.orientation = WD_ORIENT.LANDSCAPE
                section.page_width, section.page_height = section.page_height, section.page_width

    # -- finishing -------------------------------------------------------------------------

    def properties(self, *, title: str, subject: str = "", author: str = "") -> None:
        properties = self.document.core_properties
        properties.title = clean(title)[:255]
        properties.subject = clean(subject)[:255]
        properties.author = clean(author)[:255]
        properties.last_modified_by = clean(author)[:255]
        properties.comments = ""
        properties.keywords = ""

    def save(self, moment: datetime) -> bytes:
        properties = self.document.core_properties
        naive = moment.replace(tzinfo=None, microsecond=0)
        properties.created = properties.modified = naive
        buffer = io.BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _even_pages_differ(document: WordDocument) -> bool:
    """Whether the document's settings show even pages their own header and footer (read
    without adding the settings part a template may lack)."""
    try:
        settings = document.part.part_related_by(RT.SETTINGS)
    except KeyError:
        return False
    return bool(cast(SettingsPart, settings).settings.odd_and_even_pages_header_footer)


class _Measure:
    """Words' widths in one font family at a size of one point, each measured once however
    often it comes in a table."""

    def __init__(self, family: str) -> None:
        self.family = family
        self._widths: dict[tuple[str, bool], float] = {}

    def __call__(self, word: str, bold: bool) -> float:
        if (word, bold) not in self._widths:
            width = text_width(word, self.family, 1.0, bold=bold)
            self._widths[word, bold] = width * _MEASURE_SLACK
        return self._widths[word, bold]

    def at(self, size: float) -> Callable[[str], float]:
        """Plain words' widths at ``size`` points."""
        return lambda word: self(word, False) * size


def _fix_widths(table: Table, widths: Sequence[Length]) -> None:
    """A fixed layout, the columns' widths on the grid, the table's width, and the cells'
    margins these widths allow for."""
    table.autofit = False  # a fixed layout
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    properties = table._tbl.tblPr
    table_width = properties.find(qn("w:tblW"))
    if table_width is None:
        table_width = OxmlElement("w:tblW")
        properties.insert(1 if properties.find(qn("w:tblStyle")) is not None else 0, table_width)
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(Length(width).twips for width in widths)))
    margins = OxmlElement("w:tblCellMar")
    for side in ("w:left", "w:right"):
        margins.append(OxmlElement(side, {qn("w:w"): str(_CELL_MARGIN.twips), qn("w:type"): "dxa"}))
    properties.get_or_add_tblLayout().addnext(margins)


_BREAKS = re.compile("([\n\t])")


def _run(
    parent: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
) -> None:
    """Append a run of already cleaned text; line ends become breaks, tabs become tabs."""
    run = OxmlElement("w:r")
    if bold or italic or size:
        properties = OxmlElement("w:rPr")
        if bold:
            properties.append(OxmlElement("w:b"))
        if italic:
            properties.append(OxmlElement("w:i"))
        if size:
            half_points = str(round(size * 2))
            properties.append(OxmlElement("w:sz", {qn("w:val"): half_points}))
            properties.append(OxmlElement("w:szCs", {qn("w:val"): half_points}))
        run.append(properties)
    for piece in _BREAKS.split(text.replace("\r\n", "\n").replace("\r", "\n")):
        if piece == "\n":
            run.append(OxmlElement("w:br"))
        elif piece == "\t":
            run.append(OxmlElement("w:tab"))
        elif piece:
            element = OxmlElement("w:t", {qn("xml:space"): "preserve"})
            element.text = piece
            run.append(element)
    parent.append(run)


def _field_char(p: Any, kind: str) -> None:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:fldChar", {qn("w:fldCharType"): kind}))
    p.append(run)


def _simple_field(paragraph: Paragraph, instruction: str, shown: str) -> None:
    field = OxmlElement("w:fldSimple", {qn("w:instr"): f" {instruction} "})
    _run(field, shown)
    paragraph._p.append(field)
