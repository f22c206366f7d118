"""What every piece of text written into a document goes through: ``clean`` makes it safe for
a Word file, and ``long_date`` is how a date reads in letters, packs and reports.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

# Characters XML 1.0 cannot hold at all: C0 controls other than tab and line ends, lone
# surrogates, U+FFFE and U+FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


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
