"""The limits on what an expression may cost, and the guards that hold them.

The cost of some operations grows with the values they are given (``s * n``, ``x ** y``,
joining lists); each is refused here, before any work is done, when its result would pass a
limit. Sizes are measured as serializing the value would count them.

Each operation is bounded, and so is their sum: there are no loops, but a long script may
repeat one costly line thousands of times, so every run has a work meter (``work_limit``)
that each step, and each item an operation looks at, is counted against.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from engine.runtime.expressions.errors import EvaluationError, LimitExceeded, describe, show

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
# Steps and items looked at in one evaluation, script run or deployment check: far more than
# any real formula needs, yet a second or so of work at most.
MAX_WORK = 2_000_000

_NESTED = (str, list, tuple, set, frozenset, dict)
# Exactly these types: values made here and task data hold no subclasses, and looking a type
# up is quicker than isinstance on every item.
_HOLDERS = frozenset({list, tuple, set, frozenset, dict})
SEQUENCES = (str, list, tuple)
# What JSON can write as a dictionary key (it writes numbers, true/false and None as text).
_KEY_TYPES = (str, int, float, type(None))


class _Meter:
    __slots__ = ("left", "limit", "what")

    def __init__(self, what: str, limit: int) -> None:
        self.what = what
        self.limit = limit
        self.left = limit


_meter: ContextVar[_Meter | None] = ContextVar("expression_work_meter", default=None)


@contextmanager
def work_limit(what: str, limit: int = MAX_WORK) -> Iterator[None]:
    """Count the work done inside against ``limit``; past it, the run is stopped."""
    token = _meter.set(_Meter(what, limit))
    try:
        yield
    finally:
        _meter.reset(token)


def charge(work: int) -> None:
    """Count ``work`` (steps, or items looked at) against the run's work limit, if any."""
    meter = _meter.get()
    if meter is None:
        return
    meter.left -= work
    if meter.left < 0:
        raise LimitExceeded(
            f"the {meter.what} does too much work: more than {meter.limit:,} steps and items "
            "looked at in one run (time limit); split the work or handle less data"
        )


def charge_contents(*values: Any) -> None:
    """Count every item held in ``values``, nested ones too, as work: comparing, sorting or
    searching values may look at all of them. Raises as soon as the limit is passed."""
    if _meter.get() is None:
        return
    stack: list[Collection[Any]] = [values]
    while stack:
        items = stack.pop()
        charge(len(items))
        for item in [item for item in items if type(item) in _HOLDERS]:
            if type(item) is dict:
                stack.append(item.keys())
                stack.append(item.values())
            else:
                stack.append(item)


def measure(
    roots: Collection[Any],
    limit: int,
    forbidden: object = None,
    too_large: Callable[[], LimitExceeded] | None = None,
    depth: int = 1,
) -> int:
    """Count what serializing ``roots`` would write: one per value, one per character.

    Counting goes by path, not by object, so a value shared many times counts every time, as
    it would in JSON; that is what stops ``a = [a, a]`` doubling its way to a bomb. The count
    is checked before each container is looked into, so measuring a huge value is cheap.
    ``depth`` is how deep the roots will sit (1 at the top of the task data), so nesting is
    counted from where they are kept.
    """
    total = 0
    stack: list[tuple[Collection[Any], int]] = [(roots, depth)]
    while stack:
        items, depth = stack.pop()
        total += len(items)
        charge(len(items))
        if total > limit:
            raise (too_large or too_long)()
        for item in [item for item in items if isinstance(item, _NESTED)]:
            if item is forbidden:
                raise EvaluationError("a value cannot be stored inside itself")
            if isinstance(item, str):
                total += max(len(item) - 1, 0)
                if total > limit:
                    raise (too_large or too_long)()
            elif item:
                if depth >= MAX_VALUE_NESTING:
                    raise LimitExceeded(
                        f"values may be nested at most {MAX_VALUE_NESTING} levels deep (size limit)"
                    )
                if isinstance(item, dict):
                    stack.append((item.keys(), depth + 1))
                    stack.append((item.values(), depth + 1))
                else:
                    stack.append((item, depth + 1))
    return total


def unshared_copy(value: Any) -> Any:
    """A copy of a value to keep, sharing no list, dictionary or set with any other value (a
    value shared many times is copied each time, as JSON would write it out), so that
    changing one value later cannot change, and grow, what another holds. Call it on values
    already measured: their nesting is bounded, so the recursion is too. Refuses (before
    anything is kept) dictionary keys the task data cannot keep."""
    if isinstance(value, list):
        return [unshared_copy(item) for item in value]
    if isinstance(value, dict):
        check_keys(value.keys())
        return {key: unshared_copy(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return tuple(unshared_copy(item) for item in value)
    if isinstance(value, set):
        return set(value)  # a set holds only values that cannot be changed
    return value


def content_size(container: Any, limit: int = MAX_ITEMS) -> int:
    """Size of what a container (or text) holds, not counting the container itself."""
    return measure((container,), limit + 1) - 1


def check_result_size(items: Collection[Any]) -> None:
    measure(items, MAX_ITEMS)


def too_long() -> LimitExceeded:
    return LimitExceeded(
        f"the result would hold more than {MAX_ITEMS:,} items or characters, "
        "which is over the size limit"
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int)


def _bits(value: int) -> int:
    return abs(value).bit_length()


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | decimal.Decimal)


def guard_binary(op: type, left: Any, right: Any) -> None:
    """Refuse, before doing any work, operations whose cost grows with the values given."""
    if op is ast.Add:
        if isinstance(left, str) and isinstance(right, str):
            if len(left) + len(right) > MAX_ITEMS:
                raise too_long()
        elif isinstance(left, list | tuple) and isinstance(right, list | tuple):
            content_size(right, MAX_ITEMS - content_size(left))
    elif op is ast.Mult:
        if isinstance(left, SEQUENCES) and _is_int(right):
            _guard_repeat(left, right)
        elif isinstance(right, SEQUENCES) and _is_int(left):
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
            raise too_long()
        return
    unit = content_size(sequence, MAX_ITEMS // times)
    if unit * times > MAX_ITEMS:
        raise too_long()


def _guard_power(base: Any, exponent: Any) -> None:
    try:
        too_big = is_number(exponent) and abs(exponent) > MAX_EXPONENT
    except ArithmeticError:  # a Decimal NaN cannot be compared
        too_big = False
    if too_big:
        raise LimitExceeded(
            f"a power may be at most {MAX_EXPONENT:,} (size limit), and this one is "
            f"{show(exponent)}"
        )
    ints = _is_int(base) and _is_int(exponent)
    if ints and exponent > 0 and _bits(base) * exponent > MAX_INT_BITS:
        raise _too_many_bits()


def check_whole_number(value: Any) -> None:
    """Refuse a whole number made over MAX_INT_BITS long: past 4,300 digits the task data's
    JSON could not even write it out."""
    if isinstance(value, int) and _bits(value) > MAX_INT_BITS:
        raise _too_many_bits()


def check_keys(keys: Collection[Any]) -> None:
    """Refuse dictionary keys the task data's JSON cannot write (tuples, dates): a script
    that stored one would leave a case that cannot be saved."""
    for key in keys:
        if not isinstance(key, _KEY_TYPES):
            raise EvaluationError(
                f"{describe(key)} cannot be a dictionary key in the task data, which keeps "
                "only text, numbers, true/false and None as keys"
            )


def _too_many_bits() -> LimitExceeded:
    return LimitExceeded(
        f"the result would be a whole number over {MAX_INT_BITS:,} bits long, "
        "which is over the size limit"
    )
