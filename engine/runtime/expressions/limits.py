"""The limits on what an expression may cost, and the guards that hold them.

The cost of some operations grows with the values they are given (``s * n``, ``x ** y``,
joining lists); each is refused here, before any work is done, when its result would pass a
limit. Sizes are measured as serializing the value would count them.
"""

from __future__ import annotations

import ast
import decimal
from collections.abc import Callable, Collection
from typing import Any

from engine.runtime.expressions.errors import EvaluationError, LimitExceeded, show

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

_NESTED = (str, list, tuple, set, frozenset, dict)
SEQUENCES = (str, list, tuple)


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
    already measured: their nesting is bounded, so the recursion is too."""
    if isinstance(value, list):
        return [unshared_copy(item) for item in value]
    if isinstance(value, dict):
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


def _too_many_bits() -> LimitExceeded:
    return LimitExceeded(
        f"the result would be a whole number over {MAX_INT_BITS:,} bits long, "
        "which is over the size limit"
    )
