"""What the service's CSV downloads share: cells a spreadsheet will not run as formulas."""

from __future__ import annotations

from typing import Any

# A spreadsheet runs a cell starting like a formula (a name, an address or a reason typed in).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def inert(value: Any) -> Any:
    """``value`` as a CSV cell: text starting like a formula gets a single quote before it,
    which spreadsheets show as text; anything else is left as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
