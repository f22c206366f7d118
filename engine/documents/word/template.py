"""The base templates and the house styles: which template a document is written on, the
styles and fonts of the default one, and opening a template to write on.

A base template (``templates/docx/default.docx``, or ``<district-key>.docx`` where a council
gives one) brings the styles, fonts, page size, logo and letterhead. When there is none, or
it cannot be read, the same house styles are set up on an empty document instead.
"""

from __future__ import annotations

import copy
import io
import logging
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import docx
from docx.document import Document as WordDocument
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from lxml import etree

from engine.core.config import PROJECT_ROOT

log = logging.getLogger(__name__)

TEMPLATES_DIR = PROJECT_ROOT / "templates" / "docx"
DEFAULT_TEMPLATE = "default.docx"
MARKING = "OFFICIAL-SENSITIVE"
MARKING_STYLE = "Protective Marking"
TOC_STYLE = "TOC 1"
# The table styles documents use; python-docx's blank document brings about a hundred more,
# nine tenths of its styles part, which every document would read and write again.
TABLE_STYLES = ("Normal Table", "Table Grid")
# Word 2010's copy of the styles, which later Word and LibreOffice ignore.
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

# Template names come from district keys in the area file: never a path.
_TEMPLATE_KEY = re.compile(r"[a-z0-9][a-z0-9_-]{0,99}")


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
    marking = ensure_style(document, MARKING_STYLE)
    marking.base_style = styles["Normal"]
    marking.font.bold = True
    marking.font.size = Pt(10)
    marking.font.color.rgb = RGBColor(0xD4, 0x35, 0x1C)
    marking.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    marking.paragraph_format.space_after = Pt(0)
    toc = ensure_style(document, TOC_STYLE)
    toc.base_style = styles["Normal"]
    toc.paragraph_format.space_after = Pt(2)
    for name in ("Header", "Footer"):
        styles[name].font.size = Pt(9)
    _drop_unused_styles(document)


def _drop_unused_styles(document: WordDocument) -> None:
    """Leave out the table styles no document uses and Word 2010's styles part: each
    document opens and saves in a third of the time."""
    for style in list(document.styles.element.findall(qn("w:style"))):
        name = style.find(qn("w:name"))
        if style.get(qn("w:type")) == "table" and (
            name is None or name.get(qn("w:val")) not in TABLE_STYLES
        ):
            document.styles.element.remove(style)
    relationships = document.part.rels
    for key, relationship in list(relationships.items()):
        if relationship.reltype == _STYLES_WITH_EFFECTS:
            relationships.pop(key)


def _east_asian_font(style: Any, name: str) -> None:
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def text_font(document: WordDocument, table_style: Any = None) -> tuple[str, float]:
    """The font family and size in points of plain text (in a table of ``table_style``), as
    Word resolves them: the default paragraph style and those it is based on, then the table's
    style, then the document's defaults; Word's own when none says."""
    chain: list[Any] = []
    for style in (document.styles.default(WD_STYLE_TYPE.PARAGRAPH), table_style):
        # A damaged template may base a style on itself, at some remove.
        seen: list[Any] = []
        while style is not None and not any(element is style.element for element in seen):
            seen.append(style.element)
            chain.append(style.element.rPr)
            style = style.base_style
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        chain.append(defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}"))
    family: str | None = None
    size: float | None = None
    for properties in chain:
        if properties is None:
            continue
        fonts = properties.find(qn("w:rFonts"))
        if family is None and fonts is not None:
            theme = fonts.get(qn("w:asciiTheme"))
            family = fonts.get(qn("w:ascii")) or _theme_font(document, theme)
        half_points = properties.find(qn("w:sz"))
        value = half_points.get(qn("w:val"), "") if half_points is not None else ""
        if size is None and value.isdigit() and int(value) > 0:
            size = int(value) / 2
    return family or "Times New Roman", size or 10.0


def _theme_font(document: WordDocument, theme: str | None) -> str | None:
    """The typeface a theme font name (``minorHAnsi``, ``majorHAnsi``) stands for."""
    if not theme:
        return None
    scheme = "majorFont" if theme.startswith("major") else "minorFont"
    drawing = "http://schemas.openxmlformats.org/drawingml/2006/main"
    for relationship in document.part.rels.values():
        if relationship.reltype != RT.THEME or relationship.is_external:
            continue
        try:
            theme_xml = parse_xml(relationship.target_part.blob)
        except etree.XMLSyntaxError:
            return None  # a damaged theme: Word's own font stands in
        latin = theme_xml.find(f".//{{{drawing}}}{scheme}/{{{drawing}}}latin")
        return (latin.get("typeface") or None) if latin is not None else None
    return None


def enlarge(document: WordDocument, size: float) -> None:
    """Large print on the same template: plain text at ``size`` points, and the text of every
    other style (headings, tables, lists, header and footer) as much larger as plain text is,
    none smaller than ``size``, so that headings keep their place above the text."""
    _, plain = text_font(document)
    least = round(size * 2)  # Word sets sizes in half points
    factor = size / plain
    styles = document.styles.element
    for element in styles.iter(qn("w:sz"), qn("w:szCs")):
        value = element.get(qn("w:val"), "")
        if value.isdigit():
            element.set(qn("w:val"), str(max(least, round(int(value) * factor))))
    # Plain text is ``size`` however the template arrives at its own: its default paragraph
    # style says so, and so do the document's defaults, for the styles based on neither.
    normal = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    holders = [normal.element.get_or_add_rPr()] if normal is not None else []
    defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if defaults is not None:
        holders.append(defaults)
    for properties in holders:
        properties.get_or_add_sz().val = Pt(size)
        complex_script = properties.find(qn("w:szCs"))
        if complex_script is None:
            complex_script = OxmlElement("w:szCs")
            properties.sz.addnext(complex_script)
        complex_script.set(qn("w:val"), str(least))


def ensure_style(document: WordDocument, name: str, kind: int = WD_STYLE_TYPE.PARAGRAPH) -> Any:
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


# Each base template as last opened, by its path, with the modification time and size its
# file had then: a template is read and parsed once, and again as soon as it is replaced.
_OPENED: dict[Path, tuple[tuple[int, int], WordDocument]] = {}


def _opened(template: Path) -> WordDocument:
    """The template as its file is now, parsed; never written on."""
    status = template.stat()
    stamp = (status.st_mtime_ns, status.st_size)
    kept = _OPENED.get(template)
    if kept is not None and kept[0] == stamp:
        return kept[1]
    document = docx.Document(io.BytesIO(template.read_bytes()))
    _OPENED[template] = (stamp, document)
    return document


def open_template(template: Path | None) -> WordDocument:
    """The base template, or the built-in house styles when there is none or it cannot be
    read: a council's broken template must not stop letters being sent."""
    if template is not None and template.is_file():
        try:
            opened = _opened(template)
        except Exception as error:  # python-docx raises many kinds for a damaged file
            log.warning(
                "cannot use the document template %s (%s); using the built-in one", template, error
            )
        else:
            # Each document is written on its own copy, made in a third of the time that
            # parsing the file again takes.
            return copy.deepcopy(opened)
    document = docx.Document()
    setup_styles(document)
    return document
