"""The expression language of diagrams: gateway conditions, timers and script tasks.

Diagrams are written by process owners, so what they contain is not trusted code. Python's own
eval/exec would hand it the whole interpreter; instead the source is parsed with ``ast`` and
walked here, allowing only a small, explicit part of Python. Every construct is refused unless
it is listed below, and there is no attribute access at all, so no path leads from a value to
Python's internals (``().__class__.__base__.__subclasses__()`` and the like).

Checks happen twice. ``check_expression``/``check_script`` run when a diagram is deployed and
refuse forbidden constructs, plus anything that fails on constants alone (``9**9**9``), so
process owners hear about it before a case depends on it. ``evaluate``/``execute`` run the same
check (cached) and then guard every operation whose cost depends on task data, because the
service must stay up whatever a diagram and its data contain.
"""

from __future__ import annotations

import ast
import decimal
import inspect
import math
import operator
import textwrap
import types
from collections.abc import Callable, Collection, Iterable, Mapping, MutableMapping
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from engine.core import clock, workdays

__all__ = [
    "FUNCTIONS",
    "EvaluationError",
    "ExpressionError",
    "UnsafeExpression",
    "check_expression",
    "check_script",
    "evaluate",
    "execute",
]

MAX_SOURCE_CHARS = 10_000
# Items plus characters a value made by an expression may hold (nested values count in full).
MAX_ITEMS = 100_000
MAX_INT_BITS = 4096
MAX_EXPONENT = 1000
MAX_INT_DIGITS = 4300  # Python's own limit on converting text to a whole number
# Deeper than any real formula; keeps our recursive walk far from Python's recursion limit.
MAX_SYNTAX_DEPTH = 100
# How deeply values may nest; JSON serialization of task data must not hit the recursion limit.
MAX_VALUE_NESTING = 100
# Everything one script run may write into task data, so a script cannot bloat a case's data.
MAX_SCRIPT_WRITES = 1_000_000
MAX_WORKING_DAYS = 10_000
MAX_DAYS_APART = 20_000


class ExpressionError(ValueError):
    """Base class; ``str(error)`` is a plain-English message for a process owner."""


class UnsafeExpression(ExpressionError):
    """Refused by the static check, so the diagram cannot be deployed with it."""


class EvaluationError(ExpressionError):
    """Failed while running: unknown name, wrong types, a size limit, division by zero..."""


class _LimitExceeded(EvaluationError):
    """A size or time limit; the static check words these differently from plain failures."""


# --- describing values in messages ------------------------------------------------------------

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


def _describe(value: Any) -> str:
    for kind in type(value).__mro__:
        if kind in _TYPE_NAMES:
            return _TYPE_NAMES[kind]
    return type(value).__name__


def _show(value: Any, limit: int = 40) -> str:
    if isinstance(value, str):
        return repr(value) if len(value) <= limit else repr(value[: limit - 10]) + "..."
    shown = isinstance(value, float | bool | type(None)) or (
        isinstance(value, int) and value.bit_length() < 128
    )
    return repr(value) if shown else _describe(value)


def _snippet(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --- size accounting --------------------------------------------------------------------------


_NESTED = (str, list, tuple, set, frozenset, dict)


def _measure(
    roots: Collection[Any],
    limit: int,
    forbidden: object = None,
    too_large: Callable[[], _LimitExceeded] | None = None,
) -> int:
    """Count what serializing ``roots`` would write: one per value, one per character.

    Counting goes by path, not by object, so a value shared many times counts every time, as
    it would in JSON; that is what stops ``a = [a, a]`` doubling its way to a bomb. The count
    is checked before each container is looked into, so measuring a huge value is cheap.
    """
    total = 0
    stack: list[tuple[Collection[Any], int]] = [(roots, 1)]
    while stack:
        items, depth = stack.pop()
        total += len(items)
        if total > limit:
            raise (too_large or _too_long)()
        for item in [item for item in items if isinstance(item, _NESTED)]:
            if item is forbidden:
                raise EvaluationError("a value cannot be stored inside itself")
            if isinstance(item, str):
                total += max(len(item) - 1, 0)
                if total > limit:
                    raise (too_large or _too_long)()
            elif item:
                if depth >= MAX_VALUE_NESTING:
                    raise _LimitExceeded(
                        f"values may be nested at most {MAX_VALUE_NESTING} levels deep (size limit)"
                    )
                if isinstance(item, dict):
                    stack.append((item.keys(), depth + 1))
                    stack.append((item.values(), depth + 1))
                else:
                    stack.append((item, depth + 1))
    return total


def _content_size(container: Any, limit: int = MAX_ITEMS) -> int:
    """Size of what a container (or text) holds, not counting the container itself."""
    return _measure((container,), limit + 1) - 1


def _check_result_size(items: Collection[Any]) -> None:
    _measure(items, MAX_ITEMS)


def _too_long() -> _LimitExceeded:
    return _LimitExceeded(
        f"the result would hold more than {MAX_ITEMS:,} items or characters, "
        "which is over the size limit"
    )


# --- operators --------------------------------------------------------------------------------

_SEQUENCES = (str, list, tuple)

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
_REFUSED_OPERATORS: dict[type, str] = {
    ast.LShift: "the << operator (bit shift)",
    ast.RShift: "the >> operator (bit shift)",
    ast.BitOr: "the | operator (bitwise or)",
    ast.BitAnd: "the & operator (bitwise and)",
    ast.BitXor: "the ^ operator (bitwise exclusive or)",
    ast.MatMult: "the @ operator (matrix multiplication)",
    ast.Invert: "the ~ operator (bitwise not)",
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


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _bits(value: int) -> int:
    return abs(value).bit_length()


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal)


def _is_infinite(value: Any) -> bool:
    return isinstance(value, float) and math.isinf(value)


def _guard_binary(op: type, left: Any, right: Any) -> None:
    """Refuse, before doing any work, operations whose cost grows with the values given."""
    if op is ast.Add:
        if isinstance(left, str) and isinstance(right, str):
            if len(left) + len(right) > MAX_ITEMS:
                raise _too_long()
        elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
            _content_size(right, MAX_ITEMS - _content_size(left))
    elif op is ast.Mult:
        if isinstance(left, _SEQUENCES) and _is_int(right):
            _guard_repeat(left, right)
        elif isinstance(right, _SEQUENCES) and _is_int(left):
            _guard_repeat(right, left)
        elif _is_int(left) and _is_int(right) and _bits(left) + _bits(right) > MAX_INT_BITS:
            raise _too_many_bits()
    elif op is ast.Mod:
        if isinstance(left, str):
            raise EvaluationError(
                "% cannot be used on text (it would format it); join text with + and str()"
            )
    elif op is ast.Pow:
        _guard_power(left, right)


def _guard_repeat(sequence: Any, times: int) -> None:
    if times <= 0:
        return
    if isinstance(sequence, str):
        if len(sequence) * times > MAX_ITEMS:
            raise _too_long()
        return
    unit = _content_size(sequence, MAX_ITEMS // times)
    if unit * times > MAX_ITEMS:
        raise _too_long()


def _guard_power(base: Any, exponent: Any) -> None:
    try:
        too_big = _is_number(exponent) and abs(exponent) > MAX_EXPONENT
    except ArithmeticError:  # a Decimal NaN cannot be compared
        too_big = False
    if too_big:
        raise _LimitExceeded(
            f"a power may be at most {MAX_EXPONENT:,} (size limit), and this one is "
            f"{_show(exponent)}"
        )
    ints = _is_int(base) and _is_int(exponent)
    if ints and exponent > 0 and _bits(base) * exponent > MAX_INT_BITS:
        raise _too_many_bits()


def _too_many_bits() -> _LimitExceeded:
    return _LimitExceeded(
        f"the result would be a whole number over {MAX_INT_BITS:,} bits long, "
        "which is over the size limit"
    )


def _binary(op: type, left: Any, right: Any) -> Any:
    symbol = _BINARY_SYMBOLS[op]
    _guard_binary(op, left, right)
    try:
        result = _BINARY_FUNCTIONS[op](left, right)
    except ZeroDivisionError:
        raise EvaluationError("cannot divide by zero") from None
    except (OverflowError, decimal.Overflow):
        raise _LimitExceeded("the result is too large to be a number (size limit)") from None
    except TypeError:
        raise EvaluationError(
            f"cannot use {symbol} on {_describe(left)} and {_describe(right)}"
        ) from None
    except (ArithmeticError, ValueError):  # e.g. Decimal's InvalidOperation
        raise EvaluationError(f"cannot work out {_show(left)} {symbol} {_show(right)}") from None
    if isinstance(result, complex):
        raise EvaluationError(
            f"{_show(left)} {symbol} {_show(right)} has no result among ordinary numbers"
        )
    if _is_infinite(result) and not (_is_infinite(left) or _is_infinite(right)):
        raise _LimitExceeded("the result is too large to be a number (size limit)")
    return result


def _unary(op: type, operand: Any) -> Any:
    if op is ast.Not:
        return not operand
    try:
        return -operand if op is ast.USub else +operand
    except TypeError:
        symbol = "-" if op is ast.USub else "+"
        raise EvaluationError(f"cannot use {symbol} on {_describe(operand)}") from None


def _compare(op: type, left: Any, right: Any) -> Any:
    try:
        return _COMPARE_FUNCTIONS[op](left, right)
    except TypeError:
        symbol = _COMPARE_SYMBOLS[op]
        if op in (ast.In, ast.NotIn):
            raise EvaluationError(
                f"cannot look for {_describe(left)} '{symbol}' {_describe(right)}"
            ) from None
        raise EvaluationError(
            f"cannot compare {_describe(left)} with {_describe(right)} using {symbol}"
        ) from None
    except ArithmeticError:  # e.g. a Decimal NaN
        raise EvaluationError(
            f"cannot compare {_show(left)} with {_show(right)} using {_COMPARE_SYMBOLS[op]}"
        ) from None


def _subscript(container: Any, index: Any) -> Any:
    try:
        return container[index]
    except KeyError:
        raise EvaluationError(f"there is no key {_show(index)} in the dictionary") from None
    except IndexError:
        size = len(container) if isinstance(container, _SEQUENCES) else 0
        raise EvaluationError(
            f"position {_show(index)} is past the end of {_describe(container)} of length {size}"
        ) from None
    except TypeError:
        raise EvaluationError(
            f"cannot look up [{_show(index)}] in {_describe(container)}"
        ) from None
    except ValueError as error:
        raise EvaluationError(f"cannot take that part of {_describe(container)}: {error}") from None


# --- the allowed functions --------------------------------------------------------------------

_MISSING: Any = object()


def _len(value: Any, /) -> int:
    try:
        return len(value)
    except TypeError:
        raise EvaluationError(
            f"len() needs text, a list or a dictionary, not {_describe(value)}"
        ) from None


def _extreme(pick: Callable[..., Any], name: str, values: tuple[Any, ...], default: Any) -> Any:
    if not values:
        raise EvaluationError(f"{name}() needs at least one value")
    if len(values) > 1:
        if default is not _MISSING:
            raise EvaluationError(f"{name}() takes a default only with a single list")
        return pick(values)
    if default is _MISSING:
        if not _iterable(values[0]):
            raise EvaluationError(
                f"{name}() of a single value needs a list, not {_describe(values[0])}"
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
    for item in [start, *items]:
        if not _is_number(item):
            raise EvaluationError(f"sum() adds up numbers only, not {_describe(item)}")
    result = start
    for item in items:
        result = _binary(ast.Add, result, item)
    return result


def _items(values: Any, name: str) -> Iterable[Any]:
    if not _iterable(values):
        raise EvaluationError(f"{name}() needs a list, not {_describe(values)}")
    return values


def _any(values: Any, /) -> bool:
    return any(_items(values, "any"))


def _all(values: Any, /) -> bool:
    return all(_items(values, "all"))


def _abs(value: Any, /) -> Any:
    return abs(value)


def _round(number: Any, /, ndigits: Any = None) -> Any:
    if ndigits is None:
        return round(number)
    if isinstance(ndigits, bool) or not isinstance(ndigits, int):
        raise EvaluationError("round() needs a whole number of digits")
    if abs(ndigits) > MAX_EXPONENT:
        # round(1, -10**9) would compute 10**(10**9).
        raise _LimitExceeded(f"round() takes at most {MAX_EXPONENT:,} digits (size limit)")
    return round(number, ndigits)


def _str(value: Any = "", /) -> str:
    _measure((value,), MAX_ITEMS)
    try:
        text = str(value)
    except ValueError:  # Python refuses to write out whole numbers of over 4,300 digits
        raise _LimitExceeded(
            f"{_describe(value)} is too long to become text (size limit)"
        ) from None
    if len(text) > MAX_ITEMS:
        raise _too_long()
    return text


def _int(value: Any, /) -> int:
    if isinstance(value, str) and len(value.strip()) > MAX_INT_DIGITS:
        raise _LimitExceeded(
            f"text of more than {MAX_INT_DIGITS:,} characters cannot become a whole number "
            "(size limit)"
        )
    try:
        return int(value)
    except OverflowError:
        raise _LimitExceeded(f"{_show(value)} is too large to be a whole number") from None
    except (TypeError, ValueError, ArithmeticError):
        raise EvaluationError(f"{_show(value)} is not a whole number") from None


def _float(value: Any, /) -> float:
    if isinstance(value, str) and len(value) > MAX_ITEMS:
        raise _too_long()
    try:
        return float(value)
    except OverflowError:
        raise _LimitExceeded(f"{_show(value)} is too large to be a number") from None
    except (TypeError, ValueError):
        raise EvaluationError(f"{_show(value)} is not a number") from None


def _bool(value: Any = False, /) -> bool:
    return bool(value)


def _sorted(values: Any, /, *, reverse: bool = False) -> list[Any]:
    # No key=: a key would have to be a function, and functions are never values here.
    try:
        return sorted(_items(values, "sorted"), reverse=bool(reverse))
    except TypeError:
        raise EvaluationError("sorted() cannot put values of different kinds in order") from None


def _add_working_days(start: Any, days: Any, /) -> date:
    if isinstance(days, bool) or not isinstance(days, int):
        raise EvaluationError("the number of working days must be a whole number")
    if abs(days) > MAX_WORKING_DAYS:
        # The helper steps day by day, so the count bounds its running time.
        raise _LimitExceeded(
            f"add_working_days() goes at most {MAX_WORKING_DAYS:,} working days (time limit)"
        )
    return workdays.add_working_days(_as_date(start), days)


def _working_days_between(start: Any, end: Any, /) -> int:
    first, last = _as_date(start), _as_date(end)
    if abs((last - first).days) > MAX_DAYS_APART:
        raise _LimitExceeded(
            f"working_days_between() takes dates at most {MAX_DAYS_APART:,} days apart (time limit)"
        )
    return workdays.working_days_between(first, last)


def _as_date(value: Any) -> date:
    try:
        return workdays.as_date(value)
    except ValueError as error:
        raise EvaluationError(str(error)) from None
    except TypeError:
        raise EvaluationError(f"expected a date, not {_describe(value)}") from None


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


FUNCTIONS: Mapping[str, Callable[..., Any]] = types.MappingProxyType(
    {
        name: _named(name, function)
        for name, function in {
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
        }.items()
    }
)
_SIGNATURES = {name: inspect.signature(function) for name, function in FUNCTIONS.items()}


def _call(name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
    try:
        _SIGNATURES[name].bind(*args, **kwargs)
    except TypeError as error:
        raise EvaluationError(f"wrong arguments for {name}(): {error}") from None
    try:
        return FUNCTIONS[name](*args, **kwargs)
    except ExpressionError:
        raise
    except OverflowError:
        raise _LimitExceeded(f"{name}(): the result is too large to be a number") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise EvaluationError(f"{name}() could not work on the values given: {error}") from None


# --- the evaluator ----------------------------------------------------------------------------


class _Evaluator:
    """Walks a checked tree. Names are read from ``names``; nothing else is reachable."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        self._names = names

    def value(self, node: ast.AST) -> Any:
        return _DISPATCH[type(node)](self, node)

    def _Constant(self, node: ast.Constant) -> Any:
        return node.value

    def _Name(self, node: ast.Name) -> Any:
        try:
            return self._names[node.id]
        except KeyError:
            raise EvaluationError(f"'{node.id}' is not defined in the task data") from None

    def _List(self, node: ast.List) -> list[Any]:
        items = [self.value(item) for item in node.elts]
        _check_result_size(items)
        return items

    def _Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        items = tuple(self.value(item) for item in node.elts)
        _check_result_size(items)
        return items

    def _Set(self, node: ast.Set) -> set[Any]:
        items = [self.value(item) for item in node.elts]
        _check_result_size(items)
        try:
            return set(items)
        except TypeError:
            raise EvaluationError("a set can only hold text, numbers, dates and tuples") from None

    def _Dict(self, node: ast.Dict) -> dict[Any, Any]:
        pairs = [
            (self.value(key), self.value(value))
            for key, value in zip(node.keys, node.values, strict=True)
        ]
        _check_result_size([value for pair in pairs for value in pair])
        try:
            return dict(pairs)
        except TypeError:
            raise EvaluationError(
                "dictionary keys can only be text, numbers, dates and tuples"
            ) from None

    def _BinOp(self, node: ast.BinOp) -> Any:
        return _binary(type(node.op), self.value(node.left), self.value(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        return _unary(type(node.op), self.value(node.operand))

    def _BoolOp(self, node: ast.BoolOp) -> Any:
        # Short-circuit like Python, so `x is not None and x['a']` is safe when x is None.
        stop_when = not isinstance(node.op, ast.And)
        result: Any = None
        for operand in node.values:
            result = self.value(operand)
            if bool(result) is stop_when:
                return result
        return result

    def _Compare(self, node: ast.Compare) -> Any:
        left = self.value(node.left)
        for op, operand in zip(node.ops, node.comparators, strict=True):
            right = self.value(operand)
            outcome = _compare(type(op), left, right)
            if not outcome:
                return outcome
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        return _subscript(self.value(node.value), self.value(node.slice))

    def _Slice(self, node: ast.Slice) -> slice:
        parts = [
            None if part is None else self.value(part)
            for part in (node.lower, node.upper, node.step)
        ]
        return slice(*parts)

    def _Call(self, node: ast.Call) -> Any:
        assert isinstance(node.func, ast.Name)  # the static check allows nothing else
        args = [self.value(arg) for arg in node.args]
        kwargs = {str(keyword.arg): self.value(keyword.value) for keyword in node.keywords}
        return _call(node.func.id, args, kwargs)


_DISPATCH: dict[type, Callable[[_Evaluator, Any], Any]] = {
    ast.Constant: _Evaluator._Constant,
    ast.Name: _Evaluator._Name,
    ast.List: _Evaluator._List,
    ast.Tuple: _Evaluator._Tuple,
    ast.Set: _Evaluator._Set,
    ast.Dict: _Evaluator._Dict,
    ast.BinOp: _Evaluator._BinOp,
    ast.UnaryOp: _Evaluator._UnaryOp,
    ast.BoolOp: _Evaluator._BoolOp,
    ast.Compare: _Evaluator._Compare,
    ast.IfExp: _Evaluator._IfExp,
    ast.Subscript: _Evaluator._Subscript,
    ast.Slice: _Evaluator._Slice,
    ast.Call: _Evaluator._Call,
}


class _FoldingEvaluator(_Evaluator):
    """Computes one node from the already computed values of its children."""

    def __init__(self, known: dict[ast.AST, Any]) -> None:
        super().__init__({})
        self._known = known

    def value(self, node: ast.AST) -> Any:
        if node in self._known:
            return self._known[node]
        return super().value(node)


# Stands for the task data as a target; None cannot, as a value in the data may be None.
_TASK_DATA = object()


class _ScriptRunner(_Evaluator):
    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self._data = data
        self._written = 0
        self.line = 0  # of the statement running, for messages about multi-line scripts

    def run(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.line = statement.lineno
            if isinstance(statement, ast.Assign):
                value = self.value(statement.value)
                for target in statement.targets:
                    self._store(*self._locate(target), value)
            elif isinstance(statement, ast.AugAssign):
                # A new value, never in-place: list += would bypass the size guards on +.
                container, key = self._locate(statement.target)
                current = self._load(container, key)
                value = _binary(type(statement.op), current, self.value(statement.value))
                self._store(container, key, value)
            elif isinstance(statement, ast.Expr):
                self.value(statement.value)
            elif isinstance(statement, ast.If):
                self.run(statement.body if self.value(statement.test) else statement.orelse)
            # ast.Pass needs nothing; the static check let no other statement through.

    def _locate(self, target: ast.expr) -> tuple[Any, Any]:
        """The container written to (_TASK_DATA for a name) and the key within it."""
        if isinstance(target, ast.Name):
            return _TASK_DATA, target.id
        assert isinstance(target, ast.Subscript)
        return self.value(target.value), self.value(target.slice)

    def _load(self, container: Any, key: Any) -> Any:
        if container is not _TASK_DATA:
            return _subscript(container, key)
        try:
            return self._data[key]
        except KeyError:
            raise EvaluationError(f"'{key}' is not defined in the task data") from None

    def _store(self, container: Any, key: Any, value: Any) -> None:
        self._written += _measure(
            (value,), MAX_SCRIPT_WRITES - self._written, container, _too_much_written
        )
        if container is _TASK_DATA:
            self._data[key] = value
        elif isinstance(container, list):
            try:
                container[key] = value
            except IndexError:
                raise EvaluationError(
                    f"position {_show(key)} is past the end of a list of length {len(container)}"
                ) from None
            except TypeError:
                raise EvaluationError(
                    f"a list position must be a whole number, not {_describe(key)}"
                ) from None
        elif isinstance(container, MutableMapping):
            try:
                container[key] = value
            except TypeError:
                raise EvaluationError(f"{_describe(key)} cannot be a dictionary key") from None
        else:
            raise EvaluationError(
                f"cannot change an item of {_describe(container)}; only lists and "
                "dictionaries can be changed"
            )


def _too_much_written() -> _LimitExceeded:
    return _LimitExceeded(
        f"the script would write more than {MAX_SCRIPT_WRITES:,} items or characters into "
        "the task data, which is over the size limit"
    )


# --- the static check -------------------------------------------------------------------------

_REFUSED_NODES: dict[type, str] = {
    ast.Lambda: "lambda functions are not supported",
    ast.ListComp: "list comprehensions are not supported, as they are loops",
    ast.SetComp: "set comprehensions are not supported, as they are loops",
    ast.DictComp: "dictionary comprehensions are not supported, as they are loops",
    ast.GeneratorExp: "generator expressions are not supported, as they are loops",
    ast.NamedExpr: "the walrus operator := is not supported; use an assignment in a script",
    ast.JoinedStr: (
        "f-strings are not supported, as they can reach inside Python objects; "
        "join text with + and str() instead"
    ),
    ast.FormattedValue: "f-strings are not supported",
    ast.Starred: "unpacking with * is not supported; pass each value separately",
    ast.Await: "'await' is not supported",
    ast.Yield: "'yield' is not supported",
    ast.YieldFrom: "'yield from' is not supported",
    ast.Import: "'import' is not allowed: scripts can only use the functions listed",
    ast.ImportFrom: "'import' is not allowed: scripts can only use the functions listed",
    ast.FunctionDef: "defining functions with 'def' is not allowed",
    ast.AsyncFunctionDef: "defining functions with 'async def' is not allowed",
    ast.ClassDef: "defining classes with 'class' is not allowed",
    ast.For: "'for' loops are not allowed, so that every script finishes quickly",
    ast.AsyncFor: "'for' loops are not allowed, so that every script finishes quickly",
    ast.While: "'while' loops are not allowed, so that every script finishes quickly",
    ast.With: "'with' blocks are not allowed",
    ast.AsyncWith: "'with' blocks are not allowed",
    ast.Try: "'try' blocks are not allowed; a failing step stops the workflow for review",
    ast.TryStar: "'try' blocks are not allowed; a failing step stops the workflow for review",
    ast.Global: "'global' is not allowed",
    ast.Nonlocal: "'nonlocal' is not allowed",
    ast.Delete: "'del' is not allowed; set the value to None instead",
    ast.Return: "'return' is not allowed; a script sets values in the task data instead",
    ast.Assert: "'assert' is not allowed",
    ast.Raise: "'raise' is not allowed",
    ast.Break: "'break' is not allowed",
    ast.Continue: "'continue' is not allowed",
    ast.Match: "'match' statements are not allowed; use if/elif/else",
    ast.AnnAssign: "type annotations (a: int = ...) are not supported; write a = ...",
}

_ALLOWED_NODES = (
    ast.Expression, ast.Module, ast.Constant, ast.Name, ast.Load, ast.Store,
    ast.BinOp, ast.UnaryOp, ast.BoolOp, ast.Compare, ast.IfExp,
    ast.Subscript, ast.Slice, ast.Call, ast.keyword,
    ast.List, ast.Tuple, ast.Set, ast.Dict,
    ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow,
    ast.UAdd, ast.USub, ast.Not, ast.And, ast.Or,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.Assign, ast.AugAssign, ast.Expr, ast.If, ast.Pass,
)  # fmt: skip

_CONSTANT_TYPES = (int, float, str, bool, type(None))


class _Checker:
    def __init__(self, source: str, script: bool) -> None:
        self._source = source
        self._script = script

    def refuse(self, node: ast.AST, message: str) -> UnsafeExpression:
        if self._script and isinstance(node, ast.expr | ast.stmt):
            message = f"line {node.lineno}: {message}"
        return UnsafeExpression(message)

    def text(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self._source, node)
        return _snippet(segment) if segment else type(node).__name__

    def check(self, tree: ast.AST) -> None:
        self._check_depth(tree)
        for node in ast.walk(tree):
            self._check_node(node)
        if isinstance(tree, ast.Expression):
            self._fold(tree.body)
        else:
            assert isinstance(tree, ast.Module)
            self._fold_statements(tree.body)

    def _check_depth(self, tree: ast.AST) -> None:
        # Iterative, so that a hostile tree cannot exhaust the stack while we measure it.
        stack = [(tree, 0)]
        while stack:
            node, depth = stack.pop()
            if isinstance(node, ast.expr | ast.stmt):
                depth += 1
                if depth > MAX_SYNTAX_DEPTH:
                    raise self.refuse(
                        node,
                        f"it is nested more than {MAX_SYNTAX_DEPTH} levels deep; "
                        "split it into simpler steps",
                    )
            stack.extend((child, depth) for child in ast.iter_child_nodes(node))

    def _check_node(self, node: ast.AST) -> None:
        kind = type(node)
        if kind is ast.Attribute:
            raise self.refuse(node, self._attribute_message(node))
        if kind in _REFUSED_NODES:
            raise self.refuse(node, f"{_REFUSED_NODES[kind]} ({self.text(node)})")
        op = node.op if isinstance(node, ast.BinOp | ast.UnaryOp | ast.AugAssign) else None
        if type(op) in _REFUSED_OPERATORS:
            raise self.refuse(
                node, f"{_REFUSED_OPERATORS[type(op)]} is not supported ({self.text(node)})"
            )
        if kind in _REFUSED_OPERATORS:
            raise self.refuse(node, f"{_REFUSED_OPERATORS[kind]} is not supported")
        if not isinstance(node, _ALLOWED_NODES):
            raise self.refuse(node, f"{self.text(node)} is not supported here")
        if isinstance(node, ast.Name):
            self._check_name(node, node.id)
        elif isinstance(node, ast.Constant):
            self._check_constant(node)
        elif isinstance(node, ast.Call):
            self._check_call(node)
        elif isinstance(node, ast.Dict) and any(key is None for key in node.keys):
            raise self.refuse(node, f"unpacking with ** is not supported ({self.text(node)})")
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                self._check_target(target)
        elif isinstance(node, ast.AugAssign):
            self._check_target(node.target)

    def _attribute_message(self, node: ast.Attribute) -> str:
        return (
            f"attribute access ('{self.text(node)}') is not supported, so no value can reach "
            "inside Python; read fields with subscripts instead, for example x['field']"
        )

    def _check_name(self, node: ast.AST, name: str) -> None:
        if name.startswith("__") or name.endswith("__"):
            raise self.refuse(
                node,
                f"the name '{name}' is not allowed: names that start or end with a double "
                "underscore belong to Python's internals",
            )

    def _check_constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, _CONSTANT_TYPES):
            return
        if isinstance(node.value, bytes):
            raise self.refuse(node, f"byte strings ({self.text(node)}) are not supported")
        if isinstance(node.value, complex):
            raise self.refuse(node, f"complex numbers ({self.text(node)}) are not supported")
        raise self.refuse(node, f"the constant {self.text(node)} is not supported")

    def _check_call(self, node: ast.Call) -> None:
        func = node.func
        if isinstance(func, ast.Attribute):
            raise self.refuse(func, self._attribute_message(func))
        if not isinstance(func, ast.Name):
            raise self.refuse(
                node,
                f"only the listed functions can be called, by name ({self.text(node)}); "
                "calling anything else is not allowed",
            )
        self._check_name(func, func.id)
        if func.id not in FUNCTIONS:
            raise self.refuse(
                node,
                f"'{func.id}' is not a function you can use; the functions are: "
                + ", ".join(sorted(FUNCTIONS)),
            )
        if any(keyword.arg is None for keyword in node.keywords):
            raise self.refuse(node, f"unpacking with ** is not supported ({self.text(node)})")

    def _check_target(self, target: ast.expr) -> None:
        node = target
        while isinstance(node, ast.Subscript):
            if isinstance(node.slice, ast.Slice):
                raise self.refuse(
                    target, f"assigning to a slice ({self.text(target)}) is not supported"
                )
            node = node.value
        if isinstance(node, ast.Name):
            return
        if isinstance(target, ast.Tuple | ast.List | ast.Starred):
            raise self.refuse(
                target,
                f"unpacking several values at once ({self.text(target)}) is not supported; "
                "assign them one at a time",
            )
        if isinstance(node, ast.Attribute):
            raise self.refuse(node, self._attribute_message(node))
        raise self.refuse(
            target,
            f"cannot assign to {self.text(target)}; assign to a name or an item of one, "
            "like a = ... or a['key'] = ...",
        )

    # Constant folding: every part with no task-data names is worked out now, with the same
    # guarded operations as at run time, so bombs and sure failures are refused at deployment.

    def _fold_statements(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.Assign | ast.AugAssign):
                targets = (
                    statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                )
                for target in targets:
                    while isinstance(target, ast.Subscript):
                        self._fold(target.slice)
                        target = target.value
                self._fold(statement.value)
            elif isinstance(statement, ast.Expr):
                self._fold(statement.value)
            elif isinstance(statement, ast.If):
                self._fold(statement.test)
                self._fold_statements(statement.body)
                self._fold_statements(statement.orelse)

    def _fold(self, node: ast.expr) -> None:
        known: dict[ast.AST, Any] = {}
        self._fold_node(node, known)

    def _fold_node(self, node: ast.AST, known: dict[ast.AST, Any]) -> bool:
        """Work out ``node`` if it has no names; True when it did (its value is in ``known``)."""
        if isinstance(node, ast.Name):
            return False
        children = _expression_children(node)
        # No short cut: every child is folded, even ones `and`/`if` would skip at run time.
        constant = all([self._fold_node(child, known) for child in children])
        if constant:
            try:
                known[node] = _FoldingEvaluator(known).value(node)
            except _LimitExceeded as error:
                raise self.refuse(node, f"'{self.text(node)}' is refused: {error}") from None
            except EvaluationError as error:
                raise self.refuse(node, f"'{self.text(node)}' would always fail: {error}") from None
            except (RecursionError, MemoryError):
                raise self.refuse(node, f"'{self.text(node)}' is too large (size limit)") from None
        for child in children:
            known.pop(child, None)
        return constant


def _expression_children(node: ast.AST) -> list[ast.AST]:
    if isinstance(node, ast.Call):
        return [*node.args, *(keyword.value for keyword in node.keywords)]
    if isinstance(node, ast.Dict):
        return [*(key for key in node.keys if key is not None), *node.values]
    return [child for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)]


def _parse(source: Any, script: bool) -> ast.AST:
    what = "script" if script else "expression"
    if not isinstance(source, str):
        raise UnsafeExpression(f"the {what} must be text, not {_describe(source)}")
    if len(source) > MAX_SOURCE_CHARS:
        raise UnsafeExpression(
            f"the {what} is {len(source):,} characters long; the limit is {MAX_SOURCE_CHARS:,}"
        )
    # Diagrams are XML, so scripts arrive indented and expressions padded with blank lines.
    text = textwrap.dedent(source) if script else source.strip()
    if not text.strip():
        raise UnsafeExpression(f"the {what} is empty")
    try:
        tree = ast.parse(text, mode="exec" if script else "eval")
    except SyntaxError as error:
        where = f" (line {error.lineno}, column {error.offset})" if error.lineno else ""
        raise UnsafeExpression(
            f"'{_snippet(text)}' is not a valid {what}: {error.msg}{where}"
        ) from None
    except (RecursionError, MemoryError):
        raise UnsafeExpression(
            f"the {what} is nested too deeply; split it into simpler steps"
        ) from None
    except ValueError as error:
        raise UnsafeExpression(f"'{_snippet(text)}' is not a valid {what}: {error}") from None
    _Checker(text, script).check(tree)
    return tree


@lru_cache(maxsize=1024)
def _expression_tree(source: str) -> ast.Expression:
    tree = _parse(source, script=False)
    assert isinstance(tree, ast.Expression)
    return tree


@lru_cache(maxsize=256)
def _script_tree(source: str) -> ast.Module:
    tree = _parse(source, script=True)
    assert isinstance(tree, ast.Module)
    return tree


def _hashable_source(source: Any, what: str) -> str:
    if not isinstance(source, str):
        raise UnsafeExpression(f"the {what} must be text, not {_describe(source)}")
    return source


# --- public API -------------------------------------------------------------------------------


def check_expression(source: str) -> None:
    """Raise UnsafeExpression for anything but an allowed expression.

    Run when a diagram is deployed, so a process owner hears about a refused or surely failing
    expression before any case depends on it.
    """
    _expression_tree(_hashable_source(source, "expression"))


def check_script(source: str) -> None:
    """Raise UnsafeExpression for anything but a script of allowed statements (see above)."""
    _script_tree(_hashable_source(source, "script"))


def evaluate(source: str, names: Mapping[str, Any]) -> Any:
    """The value of ``source`` over the task data ``names``.

    The check always runs first (cached by source), so nothing check_expression would refuse
    can ever run, even if a diagram skipped deployment checks.
    """
    tree = _expression_tree(_hashable_source(source, "expression"))
    return _run(lambda: _Evaluator(names).value(tree.body))


def execute(source: str, data: dict[str, Any]) -> None:
    """Run the script ``source``; its assignments write into ``data`` in place.

    Writes land as they happen, as with SpiffWorkflow's own engine, so a script that fails
    part way leaves its earlier writes behind; a caller needing all-or-nothing passes a copy.
    """
    tree = _script_tree(_hashable_source(source, "script"))
    multiline = "\n" in source.strip()

    runner = _ScriptRunner(data)
    try:
        _run(lambda: runner.run(tree.body))
    except EvaluationError as error:
        if not multiline:
            raise
        raise type(error)(f"line {runner.line}: {error}") from None


def _run(work: Callable[[], Any]) -> Any:
    # Task data is plain data, but an odd value may still raise something unexpected; the
    # caller must always get an ExpressionError it can show to the process owner.
    try:
        return work()
    except ExpressionError:
        raise
    except RecursionError:
        raise EvaluationError("the data is nested too deeply to work with") from None
    except MemoryError:
        raise _LimitExceeded("the result is too large (size limit)") from None
    except ZeroDivisionError:
        raise EvaluationError("cannot divide by zero") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise EvaluationError(f"the expression failed: {error}") from None
