"""The operators an expression may use: arithmetic, comparison, ``not`` and item lookup.

Each runs the guards of ``limits`` first and turns Python's own failures into an
``EvaluationError`` that names the values' kinds.
"""

from __future__ import annotations

import ast
import decimal
import math
import operator
from collections.abc import Callable
from typing import Any

from engine.runtime.expressions.errors import EvaluationError, LimitExceeded, describe, show
from engine.runtime.expressions.limits import (
    SEQUENCES,
    charge,
    charge_contents,
    check_whole_number,
    guard_binary,
)

_BINARY_SYMBOLS: dict[type, str] = {
    ast.Add: "+",
    ast.Sub: "-",
    ast.Mult: "*",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.Pow: "**",
}
_BINARY_FUNCTIONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_COMPARE_SYMBOLS: dict[type, str] = {
    ast.Eq: "==",
    ast.NotEq: "!=",
    ast.Lt: "<",
    ast.LtE: "<=",
    ast.Gt: ">",
    ast.GtE: ">=",
    ast.In: "in",
    ast.NotIn: "not in",
    ast.Is: "is",
    ast.IsNot: "is not",
}
_COMPARE_FUNCTIONS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda a, b: a in b,
    ast.NotIn: lambda a, b: a not in b,
    ast.Is: operator.is_,
    ast.IsNot: operator.is_not,
}


# Values whose comparison or making looks at every item they hold (text is compared by Python
# in one go, so it is not among them).
_CONTAINERS = (list, tuple, set, frozenset, dict)


def _is_infinite(value: Any) -> bool:
    return isinstance(value, float) and math.isinf(value)


def binary(op: type, left: Any, right: Any) -> Any:
    symbol = _BINARY_SYMBOLS[op]
    guard_binary(op, left, right)
    try:
        result = _BINARY_FUNCTIONS[op](left, right)
    except ZeroDivisionError:
        raise EvaluationError("cannot divide by zero") from None
    except (OverflowError, decimal.Overflow):
        raise LimitExceeded("the result is too large to be a number (size limit)") from None
    except TypeError:
        raise EvaluationError(
            f"cannot use {symbol} on {describe(left)} and {describe(right)}"
        ) from None
    except (ArithmeticError, ValueError):  # e.g. Decimal's InvalidOperation
        raise EvaluationError(f"cannot work out {show(left)} {symbol} {show(right)}") from None
    if isinstance(result, complex):
        raise EvaluationError(
            f"{show(left)} {symbol} {show(right)} has no result among ordinary numbers"
        )
    if _is_infinite(result) and not (_is_infinite(left) or _is_infinite(right)):
        raise LimitExceeded("the result is too large to be a number (size limit)")
    check_whole_number(result)  # + and - grow a number a bit at a time, past the guards
    for value in (left, right, result):
        if isinstance(value, _CONTAINERS):
            charge(len(value))  # set differences look at every item; results are made
    return result


def unary(op: type, operand: Any) -> Any:
    if op is ast.Not:
        return not operand
    try:
        return -operand if op is ast.USub else +operand
    except TypeError:
        symbol = "-" if op is ast.USub else "+"
        raise EvaluationError(f"cannot use {symbol} on {describe(operand)}") from None


def compare(op: type, left: Any, right: Any) -> Any:
    if op in (ast.In, ast.NotIn):
        if isinstance(right, set | frozenset | dict):
            charge_contents(left)  # looked up by its hash
        elif isinstance(right, _CONTAINERS):
            charge_contents(left, right)
    elif (
        op not in (ast.Is, ast.IsNot)
        and isinstance(left, _CONTAINERS)
        and isinstance(right, _CONTAINERS)
    ):
        charge_contents(left, right)
    try:
        return _COMPARE_FUNCTIONS[op](left, right)
    except TypeError:
        symbol = _COMPARE_SYMBOLS[op]
        if op in (ast.In, ast.NotIn):
            raise EvaluationError(
                f"cannot look for {describe(left)} '{symbol}' {describe(right)}"
            ) from None
        raise EvaluationError(
            f"cannot compare {describe(left)} with {describe(right)} using {symbol}"
        ) from None
    except ArithmeticError:  # e.g. a Decimal NaN
        raise EvaluationError(
            f"cannot compare {show(left)} with {show(right)} using {_COMPARE_SYMBOLS[op]}"
        ) from None


def subscript(container: Any, index: Any) -> Any:
    try:
        part = container[index]
    except KeyError:
        raise EvaluationError(f"there is no key {show(index)} in the dictionary") from None
    except IndexError:
        size = len(container) if isinstance(container, SEQUENCES) else 0
        raise EvaluationError(
            f"position {show(index)} is past the end of {describe(container)} of length {size}"
        ) from None
    except TypeError:
        raise EvaluationError(f"cannot look up [{show(index)}] in {describe(container)}") from None
    except ValueError as error:
        raise EvaluationError(f"cannot take that part of {describe(container)}: {error}") from None
    if isinstance(index, slice) and isinstance(part, _CONTAINERS):
        charge(len(part))
    return part
