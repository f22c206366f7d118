"""Sizing a table's columns so that no word breaks inside itself.

Word and LibreOffice break a line between words (and after a hyphen); a word wider than its
column is cut wherever the column ends ("Bolsove r"). So each column is made at least as wide
as the longest word in it, its heading's in bold and its cells' as written, and the rest of the
width is shared out among the columns as the document asks (more for free text). Where the
words cannot all fit side by side:

1. a long word in a cell (a reference, a file name) may break after a character where a reader
   expects a break, such as ``/`` or ``-``, marked with a zero-width space;
2. failing that, the table's text is set smaller, half a point at a time, down to ``SMALLEST``
   (a large-print document's table is never set smaller than its text);
3. failing that, at that size, a cell's word too long for its column breaks where it must, so
   that the headings still do not.

Only where even the headings' words cannot fit side by side at the smallest size is the width
shared out as asked regardless.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SMALLEST = 8.0
ZERO_WIDTH_SPACE = "\u200b"

# After these a reader expects a long reference, file name or address to go on: slashes,
# hyphens and dashes, dots, underscores and the like.
_SENSIBLE_BREAK = re.compile(r"(?<=[/\\_.,:;@+=&?#|~\-\u2010\u2013\u2014])(?=\S)")
_WORD = re.compile(r"\S+")

# A word's width in points at a size of one point, in bold or not.
Measure = Callable[[str, bool], float]


@dataclass(frozen=True)
class Columns:
    """How a table is laid out: each column's width in points (its cell padding included),
    the size of its text in points, and whether a cell's word may be too long for its column
    (and so must be given places to break)."""

    widths: tuple[float, ...]
    size: float
    breaks: bool


def plan_columns(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    shares: Sequence[float],
    width: float,
    size: float,
    padding: float,
    measure: Measure,
    smallest: float = SMALLEST,
) -> Columns:
    """Columns for a table ``width`` points wide whose text is ``size`` points at most and
    ``smallest`` at least, each cell's text ``padding`` points narrower than its column;
    ``shares`` says how the width left over is shared (a free-text column's share is larger)."""
    if len(shares) != len(header) or any(share <= 0 for share in shares):
        raise ValueError("every column needs a share of the width above nothing")
    headings = [_widest(_words(text), True, measure) for text in header]
    words = [
        max(headings[column], _widest(_column_words(rows, column), False, measure))
        for column in range(len(header))
    ]
    pieces = [
        max(headings[column], _widest(_column_pieces(rows, column), False, measure))
        for column in range(len(header))
    ]
    sizes = _sizes(size, smallest)
    for candidate in sizes:
        for needs, breaks in ((words, False), (pieces, True)):
            widths = _share_out([need * candidate + padding for need in needs], shares, width)
            if widths is not None:
                return Columns(widths, candidate, breaks)
    smallest = sizes[-1]
    widths = _share_out([need * smallest + padding for need in headings], shares, width)
    if widths is None:
        total = sum(shares)
        widths = tuple(width * share / total for share in shares)
    return Columns(widths, smallest, True)


def breakable(text: str, room: float, measure: Callable[[str], float]) -> str:
    """``text`` with a zero-width space wherever a word wider than ``room`` points (as
    ``measure`` measures it) must break to fit: after a character where a reader expects a
    break if it can, else between the letters that fill the line."""

    def fit(match: re.Match[str]) -> str:
        word = match.group()
        if measure(word) <= room:
            return word
        lines: list[str] = []
        for piece in _SENSIBLE_BREAK.split(word):
            if lines and measure(lines[-1] + piece) <= room:
                lines[-1] += piece
            elif measure(piece) <= room:
                lines.append(piece)
            else:
                for character in piece:
                    if lines and measure(lines[-1] + character) <= room:
                        lines[-1] += character
                    else:
                        lines.append(character)
        return ZERO_WIDTH_SPACE.join(lines)

    return _WORD.sub(fit, text)


def _sizes(size: float, smallest: float) -> list[float]:
    """The sizes to try, largest first, in the half points Word sets text in."""
    sizes = [size]
    while sizes[-1] - 0.5 >= smallest:
        sizes.append(sizes[-1] - 0.5)
    return sizes


def _words(text: str) -> set[str]:
    return set(text.split())


def _column_words(rows: Sequence[Sequence[str]], column: int) -> set[str]:
    found: set[str] = set()
    for row in rows:
        found.update(row[column].split())
    return found


def _column_pieces(rows: Sequence[Sequence[str]], column: int) -> set[str]:
    found: set[str] = set()
    for word in _column_words(rows, column):
        found.update(_SENSIBLE_BREAK.split(word))
    return found


def _widest(words: set[str], bold: bool, measure: Measure) -> float:
    return max((measure(word, bold) for word in words), default=0.0)


def _share_out(
    floors: Sequence[float], shares: Sequence[float], width: float
) -> tuple[float, ...] | None:
    """Widths adding up to ``width`` shared as ``shares`` say, none below its floor: a column
    whose share is less than its floor gets its floor, and the others share what is left.
    None when the floors add up to more than the width."""
    if sum(floors) > width:
        return None
    if not floors:
        return ()
    held: set[int] = set()
    while True:
        free = [column for column in range(len(floors)) if column not in held]
        left = width - sum(floors[column] for column in held)
        total = sum(shares[column] for column in free)
        offered = {column: left * shares[column] / total for column in free}
        short = {column for column in free if offered[column] < floors[column]}
        if not short:
            return tuple(
                floors[column] if column in held else offered[column]
                for column in range(len(floors))
            )
        held |= short
