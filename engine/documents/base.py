"""Word documents on a council's base template: the one module tree that imports python-docx.

A base template (``templates/docx/default.docx``, or ``<district-key>.docx`` where a council
gives one) brings the styles, fonts, page size, logo and letterhead; its body is emptied and
the engine writes the content. Every string goes through ``clean`` first, because Word files
are XML and a control character in a name would otherwise make the whole file unreadable.
"""

from __future__ import annotations

import copy
import io
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph

from engine.core.config import PROJECT_ROOT

log = logging.getLogger(__name__)

TEMPLATES_DIR = PROJECT_ROOT / "templates" / "docx"
DEFAULT_TEMPLATE = "default.docx"
DOCX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MARKING = "OFFICIAL-SENSITIVE"
MARKING_STYLE = "Protective Marking"
TOC_STYLE = "TOC 1"

# Characters XML 1.0 cannot hold at all: C0 controls other than tab and line ends, lone
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Template names come from district keys in the area file: never a path.
_TEMPLATE_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


def clean(value: Any) -> str:
    """Text that is safe to write into a Word file, whatever was typed or imported."""
    if value is None:
        return ""
    return _NOT_XML.sub("", str(value))


def long_date(day: date | datetime | None, missing: str = "not recorded") -> str:
    """How dates read in letters and packs: 2 March 2026."""
    if day is None:
        return missing
    if isinstance(day, datetime):
        day = day.date()
    return f"{day.day} {day:%B %Y}"


def template_path(keys: Sequence[str], templates_dir: Path | None = None) -> Path:
    """The first base template named after one of ``keys`` (a district, an organisation),
    else the default one."""
    directory = templates_dir or TEMPLATES_DIR
    for key in keys:
        if key and _TEMPLATE_KEY.fullmatch(key):
            candidate = directory / f"{key}.docx"
            if candidate.is_file():
                return candidate
    return directory / DEFAULT_TEMPLATE


def setup_styles(document: WordDocument) -> None:
    """The house styles of the default template (also used when no template file exists)."""
    for section in document.sections:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
        section.left_margin = section.right_margin = Cm(2.2)
        section.top_margin = section.bottom_margin = Cm(2.0)
        section.header_distance = section.footer_distance = Cm(1.0)
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(11)
    normal.paragraph_format.space_after = Pt(6)
    _east_asian_font(normal, "Arial")
    for name, size in (("Title", 24), ("Heading 1", 16), ("Heading 2", 13), ("Heading 3", 11)):
        style = styles[name]
        style.font.name = "Arial"
        style.font.size = Pt(size)
        style.font.bold = True
        style.font.color.rgb = RGBColor(0x0B, 0x0C, 0x0C)
        _east_asian_font(style, "Arial")
        style.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        style.paragraph_format.space_after = Pt(6)
    marking = _ensure_style(document, MARKING_STYLE)
    marking.base_style = styles["Normal"]
    marking.font.bold = True
    marking.font.size = Pt(10)
    marking.font.color.rgb = RGBColor(0xD4, 0x35, 0x1C)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.paragraph_format.space_after = Pt(0)
    toc = _ensure_style(document, TOC_STYLE)
    toc.base_style = styles["Normal"]
    toc.paragraph_format.space_after = Pt(2)
    for name in ("Header", "Footer"):
        styles[name].font.size = Pt(9)


def _east_asian_font(style: Any, name: str) -> None:
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _ensure_style(document: WordDocument, name: str, kind: int = WD_STYLE_TYPE.PARAGRAPH) -> Any:
    try:
        return document.styles[name]
    except KeyError:
        return document.styles.add_style(name, kind)


def build_default_template(path: Path) -> None:
    """Write the default base template: A4, Arial, plain headings, the marking style."""
    document = docx.Document()
    setup_styles(document)
    properties = document.core_properties
    properties.title = "ASB Case Review base template"
    properties.author = "casereview"
    properties.last_modified_by = "casereview"
    properties.comments = (
        "Base template for casereview documents: change styles, fonts, the header (logo, "
        "letterhead) and the footer; the body is replaced by each generated document."
    )
    properties.created = properties.modified = datetime(2026, 1, 1)
    properties.revision = 1
    path.parent.mkdir(parents=True, exist_ok=True)
    document.save(str(path))


def _open_template(template: Path | None) -> WordDocument:
    """The base template, or the built-in house styles when there is none or it cannot be
    read: a council's broken template must not stop letters being sent."""
    if template is not None and template.is_file():
        try:
            return docx.Document(str(template))
        except Exception as error:  # python-docx raises many kinds for a damaged file
            log.warning(
                "cannot use the document template %s (%s); using the built-in one", template, error
            )
    document = docx.Document()
    setup_styles(document)
    return document


class Builder:
    """One document being written onto a base template."""

    def __init__(self, template: Path | None) -> None:
        self.document = _open_template(template)
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
            self._styles[name] = _ensure_style(self.document, name, kind)
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
        widths: Sequence[float] | None = None,
        repeat_header: bool = True,
    ) -> Table:
        """A grid with a bold header row repeated on every page; ``widths`` in cm."""
        table = self.document.add_table(rows=0, cols=len(header))
        table.style = self.style("Table Grid", WD_STYLE_TYPE.TABLE)
        if widths:
            table.autofit = False
            for column, width in zip(table.columns, widths, strict=True):
                column.width = Cm(width)
            table._tbl.tblPr.append(OxmlElement("w:tblLayout", {qn("w:type"): "fixed"}))
        # Every row is a copy of one empty row: building each cell through python-docx
        # costs more than the rest of a long chronology put together.
        blank = table.add_row()._tr
        blank.getparent().remove(blank)
        head = copy.deepcopy(blank)
        if repeat_header:
            head.get_or_add_trPr().append(OxmlElement("w:tblHeader"))
        self._fill(table, head, header, bold=True)
        for values in rows:
            self._fill(table, copy.deepcopy(blank), values)
        return table

    @staticmethod
    def _fill(table: Table, tr: Any, values: Sequence[Any], *, bold: bool = False) -> None:
        cells = tr.findall(qn("w:tc"))
        if len(cells) != len(values):
            raise ValueError(f"a row of {len(cells)} columns was given {len(values)} values")
        for tc, value in zip(cells, values, strict=True):
            text = clean(value)
            if text:
                _run(tc.find(qn("w:p")), text, bold=bold)
        table._tbl.append(tr)

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
            p = OxmlElement("w:p")
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
        anchor._p.getparent().remove(anchor._p)

    # -- headers and footers ---------------------------------------------------------------

    def mark_every_page(self, marking: str = MARKING) -> None:
        """The protective marking at the top and bottom of every page, cover included."""
        for part in self._headers_and_footers():
            paragraph = self._in_part(MARKING_STYLE, part)
            _run(paragraph._p, clean(marking), bold=True)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER

    def page_numbers(self, prefix: str = "") -> None:
        """``prefix  Page N of M`` in every footer."""
        for section in self.document.sections:
            for footer in (section.footer, section.first_page_footer, section.even_page_footer):
                paragraph = self._in_part("Footer", footer)
                paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
                if prefix:
                    _run(paragraph._p, clean(prefix) + "    ")
                _run(paragraph._p, "Page ")
                _simple_field(paragraph, "PAGE", "1")
                _run(paragraph._p, " of ")
                _simple_field(paragraph, "NUMPAGES", "1")

    def _in_part(self, style: str, part: Any) -> Paragraph:
        """A paragraph at the end of a header or footer; a new one starts with a single empty
        paragraph, which is used rather than left as a blank line."""
        paragraphs = part.paragraphs
        if len(paragraphs) == 1 and len(part._element) == 1 and len(paragraphs[0]._p) <= 1:
            paragraphs[0]._p.style = self.style_id(style)
            return paragraphs[0]
        return self._new(style, part)

    def _headers_and_footers(self) -> list[Any]:
        parts = []
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


_BREAKS = re.compile("([\n\t])")


def _run(parent: Any, text: str, *, bold: bool = False, italic: bool = False) -> None:
    """Append a run of already cleaned text; line ends become breaks, tabs become tabs."""
    run = OxmlElement("w:r")
    if bold or italic:
        properties = OxmlElement("w:rPr")
        if bold:
            properties.append(OxmlElement("w:b"))
        if italic:
            properties.append(OxmlElement("w:i"))
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
