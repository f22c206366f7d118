"""Dates as people type them: the GOV.UK date input's three boxes (day, month, year), read
back as the ``year-month-day`` text the engine checks, and the boxes a problem is about."""

from __future__ import annotations

import re
from collections.abc import Mapping

from engine.core.form_wording import DATE_PARTS, date_problem

HINT = "For example, 27 3 2026"
# Only plain digits, and few of them: int() refuses "²" and numbers thousands of digits long.
_DIGITS = re.compile(r"[0-9]{1,2}")
_YEAR = re.compile(r"[0-9]{4}")


def typed_date(form: Mapping[str, str], name: str) -> str | None:
    """The date typed in the boxes ``NAME-day``, ``NAME-month`` and ``NAME-year`` as
    ``2026-03-27``; what does not make a date is passed on as typed (``26-3-``) for the
    engine to say what is wrong; None when all three are empty."""
    parts = [str(form.get(f"{name}-{part}") or "").strip() for part in ("year", "month", "day")]
    if not any(parts):
        return None
    year, month, day = (part.replace("-", "") for part in parts)
    # A year of fewer than four digits ("26") is refused, not read as the year 26.
    if _YEAR.fullmatch(year) and _DIGITS.fullmatch(month) and _DIGITS.fullmatch(day):
        return f"{int(year):04d}-{int(month):02d}-{int(day):02d}"
    # Anything else (letters, "²", a thousand digits) goes on for the engine to refuse.
    return f"{year}-{month}-{day}"


def date_answer(args: Mapping[str, str], name: str) -> str:
    """A date from a form of three boxes, or given whole in the address (``name=2026-03-27``,
    as the page's own links carry it)."""
    typed = typed_date(args, name)
    return typed if typed is not None else str(args.get(name) or "").strip()


def boxes_in_error(value: object) -> tuple[str, ...]:
    """The boxes to mark for a date with a problem: those missing, or all three."""
    return date_problem(value)[1] if isinstance(value, str) and value else DATE_PARTS
