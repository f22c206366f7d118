"""The functions an expression may call (``FUNCTIONS``), each a guarded stand-in for Python's
own or a working-day helper, and calling one with arguments from a diagram."""

from __future__ import annotations

import ast
import inspect
import math
import types
from collections.abc import Callable, Collection, Mapping
from datetime import date, datetime
from typing import Any

from engine.core import clock, workdays
from engine.runtime.expressions.errors import (
    EvaluationError,
    ExpressionError,
    LimitExceeded,
    describe,
    show,
)
from engine.runtime.expressions.limits import (
    MAX_DAYS_APART,
    MAX_EXPONENT,
    MAX_INT_DIGITS,
    MAX_ITEMS,
    MAX_WORKING_DAYS,
    charge,
    charge_contents,
    check_whole_number,
    is_number,
    measure,
    too_long,
)
from engine.runtime.expressions.operators import binary

_MISSING: Any = object()


def _len(value: Any, /) -> int:
    try:
        return len(value)
    except TypeError:
        raise EvaluationError(
            f"len() needs text, a list or a dictionary, not {describe(value)}"
        ) from None


def _extreme(pick: Callable[..., Any], name: str, values: tuple[Any, ...], default: Any) -> Any:
    charge_contents(values)
    if not values:
        raise EvaluationError(f"{name}() needs at least one value")
    if len(values) > 1:
        if default is not _MISSING:
            raise EvaluationError(f"{name}() takes a default only with a single list")
        return pick(values)
    if default is _MISSING:
        if not _iterable(values[0]):
            raise EvaluationError(
                f"{name}() of a single value needs a list, not {describe(values[0])}"
            )
        if not values[0]:
            raise EvaluationError(f"{name}() of an empty list needs default=...")
        return pick(values[0])
    return pick(values[0], default=default)


def _iterable(value: Any) -> bool:
    return isinstance(value, str | list | tuple | set | frozenset | Mapping)


def _min(*values: Any, default: Any = _MISSING) -> Any:
    return _extreme(min, "min", values, default)


def _max(*values: Any, default: Any = _MISSING) -> Any:
    return _extreme(max, "max", values, default)


def _sum(values: Any, /, start: Any = 0) -> Any:
    # Only numbers: summing lists or text would be a way round the size guards on +.
    items = list(_items(values, "sum"))
    charge(len(items))
    for item in [start, *items]:
        if not is_number(item):
            raise EvaluationError(f"sum() adds up numbers only, not {describe(item)}")
    result = start
    for item in items:
        result = binary(ast.Add, result, item)
    return result


def _items(values: Any, name: str) -> Collection[Any]:
    if not _iterable(values):
        raise EvaluationError(f"{name}() needs a list, not {describe(values)}")
    return values


def _any(values: Any, /) -> bool:
    charge_contents(_items(values, "any"))
    return any(values)


def _all(values: Any, /) -> bool:
    charge_contents(_items(values, "all"))
    return all(values)


def _abs(value: Any, /) -> Any:
    return abs(value)


def _round(number: Any, /, ndigits: Any = None) -> Any:
    if ndigits is None:
        return round(number)
    if isinstance(ndigits, bool) or not isinstance(ndigits, int):
        raise EvaluationError("round() needs a whole number of digits")
    if abs(ndigits) > MAX_EXPONENT:
        # round(1, -10**9) would compute 10**(10**9).
        raise LimitExceeded(f"round() takes at most {MAX_EXPONENT:,} digits (size limit)")
    rounded = round(number, ndigits)
    check_whole_number(rounded)  # rounding up may make a number one bit longer
    return rounded


def _str(value: Any = "", /) -> str:
    measure((value,), MAX_ITEMS)
    try:
        text = str(value)
    except ValueError:  # Python refuses to write out whole numbers of over 4,300 digits
        raise LimitExceeded(f"{describe(value)} is too long to become text (size limit)") from None
    charge(len(text))
    if len(text) > MAX_ITEMS:
        raise too_long()
    return text


def _int(value: Any, /) -> int:
    if isinstance(value, str) and len(value.strip()) > MAX_INT_DIGITS:
        raise LimitExceeded(
            f"text of more than {MAX_INT_DIGITS:,} characters cannot become a whole number "
            "(size limit)"
        )
    try:
        number = int(value)
    except OverflowError:
        raise LimitExceeded(f"{show(value)} is too large to be a whole number") from None
    except (TypeError, ValueError, ArithmeticError):
        raise EvaluationError(f"{show(value)} is not a whole number") from None
    check_whole_number(number)  # 4,300 digits of text make a number far over the limit
    return number


def _float(value: Any, /) -> float:
    if isinstance(value, str) and len(value) > MAX_ITEMS:
        raise too_long()
    try:
        number = float(value)
    except OverflowError:
        raise LimitExceeded(f"{show(value)} is too large to be a number") from None
    except (TypeError, ValueError):
        raise EvaluationError(f"{show(value)} is not a number") from None
    if not math.isfinite(number):
        # Infinity and NaN cannot be kept in the task data: JSON has no way to write them.
        raise EvaluationError(f"{show(value)} is not a finite number")
    return number


def _bool(value: Any = False, /) -> bool:
    return bool(value)


def _sorted(values: Any, /, *, reverse: bool = False) -> list[Any]:
    # No key=: a key would have to be a function, and functions are never values here.
    items = _items(values, "sorted")
    # Sorting compares each item about log2(n) times, and comparing may look at all it holds.
    for _ in range(max(len(items), 2).bit_length()):
        charge_contents(items)
    try:
        return sorted(items, reverse=bool(reverse))
    except TypeError:
        raise EvaluationError("sorted() cannot put values of different kinds in order") from None


def _add_working_days(start: Any, days: Any, /) -> date:
    if isinstance(days, bool) or not isinstance(days, int):
        raise EvaluationError("the number of working days must be a whole number")
    if abs(days) > MAX_WORKING_DAYS:
        # The helper steps day by day, so the count bounds its running time.
        raise LimitExceeded(
            f"add_working_days() goes at most {MAX_WORKING_DAYS:,} working days (time limit)"
        )
    return workdays.add_working_days(_as_date(start), days)


def _working_days_between(start: Any, end: Any, /) -> int:
    first, last = _as_date(start), _as_date(end)
    if abs((last - first).days) > MAX_DAYS_APART:
        raise LimitExceeded(
            f"working_days_between() takes dates at most {MAX_DAYS_APART:,} days apart (time limit)"
        )
    return workdays.working_days_between(first, last)


def _as_date(value: Any) -> date:
    try:
        return workdays.as_date(value)
    except ValueError as error:
        raise EvaluationError(str(error)) from None
    except TypeError:
        raise EvaluationError(f"expected a date, not {describe(value)}") from None


def _today() -> date:
    return clock.today()


def _now() -> datetime:
    return clock.now()


def _date(text: Any, /) -> date:
    return _as_date(text)


def _named(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    # Python's own argument errors name the function; they should say len, not _len.
    function.__name__ = function.__qualname__ = name
    return function


_ALLOWED: dict[str, Callable[..., Any]] = {
    "len": _len,
    "min": _min,
    "max": _max,
    "sum": _sum,
    "any": _any,
    "all": _all,
    "abs": _abs,
    "round": _round,
    "str": _str,
    "int": _int,
    "float": _float,
    "bool": _bool,
    "sorted": _sorted,
    "add_working_days": _add_working_days,
    "working_days_between": _working_days_between,
    "today": _today,
    "now": _now,
    "date": _date,
}
FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType(
    {name: _named(name, function) for name, function in _ALLOWED.items()}
)
_SIGNATURES = {name: inspect.signature(function) for name, function in FUNCTIONS.items()}


def call_function(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    try:
        _SIGNATURES[name].bind(*args, **kwargs)
    except TypeError as error:
        raise EvaluationError(f"wrong arguments for {name}(): {error}") from None
    try:
        return FUNCTIONS[name](*args, **kwargs)
    except ExpressionError:
        raise
    except OverflowError:
        raise LimitExceeded(f"{name}(): the result is too large to be a number") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise EvaluationError(f"{name}() could not work on the values given: {error}") from None
