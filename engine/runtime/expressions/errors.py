"""What goes wrong with an expression, and how values are named in the messages that say so.

Every message is for a process owner, in plain English: values are described by their kind
("a whole number", "text") or shown briefly, never dumped whole.
"""

from __future__ import annotations

import decimal
from datetime import date, datetime, timedelta
from typing import Any


class ExpressionError(ValueError):
    """Base class; ``str(error)`` is a plain-English message for a process owner."""


class UnsafeExpression(ExpressionError):
    """Refused by the static check, so the diagram cannot be deployed with it."""


class EvaluationError(ExpressionError):
    """Failed while running: unknown name, wrong types, a size limit, division by zero..."""


class LimitExceeded(EvaluationError):
    """A size or time limit; the static check words these differently from plain failures."""


_TYPE_NAMES: dict[type, str] = {
    bool: "true/false",
    int: "a whole number",
    float: "a number",
    decimal.Decimal: "a number",
    str: "text",
    list: "a list",
    tuple: "a tuple",
    dict: "a dictionary",
    set: "a set",
    frozenset: "a set",
    type(None): "None",
    datetime: "a date-time",
    date: "a date",
    timedelta: "a length of time",
}


def describe(value: Any) -> str:
    for kind in type(value).__mro__:
        if kind in _TYPE_NAMES:
            return _TYPE_NAMES[kind]
    return type(value).__name__


def show(value: Any, limit: int = 40) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[: limit - 10]) + "..."
    shown = isinstance(value, float | bool | type(None)) or (
        isinstance(value, int) and value.bit_length() < 128
    )
    return repr(value) if shown else describe(value)


def snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
