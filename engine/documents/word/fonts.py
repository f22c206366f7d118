"""How wide text is in a document's font, measured from the font's own metrics.

Word and LibreOffice lay text out with the font the document names; the service has no need of
the font itself, only of a font drawn to the same widths. For the fonts councils' templates use,
free metric-compatible twins exist (Debian: ``fonts-liberation2`` for Arial, Times New Roman
and Courier New; ``fonts-crosextra-carlito`` for Calibri; ``fonts-crosextra-caladea`` for
Cambria), and the fonts themselves are used where a machine has them. For any other font, or
where none of these is installed, text is measured in DejaVu Sans, which is wider than the
usual document fonts, so that a column sized with it is wide enough.
"""

from __future__ import annotations

import functools
import logging

from PIL import ImageFont

log = logging.getLogger(__name__)

# Fonts are opened this many pixels to the em, and their widths scaled to the size wanted.
_REFERENCE = 1000

# Font files, regular then bold, of the families templates use (as a template names them,
# case folded): a free twin first, then the font's own files as Windows and Debian's
# msttcorefonts name them.
_SANS = (
    ("LiberationSans-Regular.ttf", "Arimo-Regular.ttf", "arial.ttf", "Arial.ttf"),
    ("LiberationSans-Bold.ttf", "Arimo-Bold.ttf", "arialbd.ttf", "Arial_Bold.ttf"),
)
_CALIBRI = (("Carlito-Regular.ttf", "calibri.ttf"), ("Carlito-Bold.ttf", "calibrib.ttf"))
_SERIF = (
    ("LiberationSerif-Regular.ttf", "Tinos-Regular.ttf", "times.ttf", "Times_New_Roman.ttf"),
    ("LiberationSerif-Bold.ttf", "Tinos-Bold.ttf", "timesbd.ttf", "Times_New_Roman_Bold.ttf"),
)
_CAMBRIA = (("Caladea-Regular.ttf", "cambria.ttc"), ("Caladea-Bold.ttf", "cambriab.ttf"))
_MONO = (
    ("LiberationMono-Regular.ttf", "Cousine-Regular.ttf", "cour.ttf", "Courier_New.ttf"),
    ("LiberationMono-Bold.ttf", "Cousine-Bold.ttf", "courbd.ttf", "Courier_New_Bold.ttf"),
)
_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "arial": _SANS,
    "helvetica": _SANS,
    "liberation sans": _SANS,
    "arimo": _SANS,
    "calibri": _CALIBRI,
    "carlito": _CALIBRI,
    "times new roman": _SERIF,
    "times": _SERIF,
    "liberation serif": _SERIF,
    "tinos": _SERIF,
    "cambria": _CAMBRIA,
    "caladea": _CAMBRIA,
    "courier new": _MONO,
    "courier": _MONO,
    "liberation mono": _MONO,
    "cousine": _MONO,
}
_WIDE = (("DejaVuSans.ttf",), ("DejaVuSans-Bold.ttf",))

# Pillow's own font stands in only where a machine has no fonts at all: its widths are not the
# document's, so they are stretched to stay on the wide side.
_BUILT_IN_STRETCH = 1.2


def text_width(text: str, family: str, size: float, *, bold: bool = False) -> float:
    """The width in points of ``text`` on one line, in ``family`` at ``size`` points."""
    font, stretch = _font(family.strip().casefold(), bold)
    return font.getlength(text) * stretch * size / _REFERENCE


@functools.cache
def _font(family: str, bold: bool) -> tuple[ImageFont.FreeTypeFont, float]:
    for name in (*_files(family, bold), *_WIDE[bold]):
        try:
            font = ImageFont.truetype(name, _REFERENCE, layout_engine=ImageFont.Layout.BASIC)
        except OSError:
            continue
        return font, 1.0
    log.warning("no font file to measure %r text in; using Pillow's own", family)
    built_in = ImageFont.load_default(_REFERENCE)
    if not isinstance(built_in, ImageFont.FreeTypeFont):  # a Pillow built without FreeType
        raise RuntimeError("Pillow cannot measure text: it was built without FreeType")
    return built_in, _BUILT_IN_STRETCH * (1.1 if bold else 1.0)


def _files(family: str, bold: bool) -> tuple[str, ...]:
    """The files to measure a family in: its twin's, or those its makers commonly name."""
    if family in _FILES:
        return _FILES[family][bold]
    stem = "".join(family.title().split())
    return (f"{stem}-Bold.ttf",) if bold else (f"{stem}-Regular.ttf", f"{stem}.ttf")
