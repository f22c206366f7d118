"""The expression language of diagrams: gateway conditions, timers and script tasks.

Diagrams are written by process owners, so what they contain is not trusted code. Python's own
eval/exec would hand it the whole interpreter; instead the source is parsed with ``ast`` and
walked here, allowing only a small, explicit part of Python. Every construct is refused unless
it is listed as allowed, and there is no attribute access at all, so no path leads from a value
to Python's internals (``().__class__.__base__.__subclasses__()`` and the like).

Checks happen twice. ``check_expression``/``check_script`` run when a diagram is deployed and
refuse forbidden constructs, plus anything that fails on constants alone (``9**9**9``), so
process owners hear about it before a case depends on it. ``evaluate``/``execute`` run the same
check (cached) and then guard every operation whose cost depends on task data, because the
service must stay up whatever a diagram and its data contain.

This module is the language's public face; the work is done in:

- ``checks``: parsing a source and the static check that refuses unsafe syntax;
- ``interpreter``: the evaluator, the folding evaluator and the script runner;
- ``operators`` and ``functions``: what an expression may compute, and the functions it may
  call (``FUNCTIONS``);
- ``limits``: the size, depth and time limits, measuring values and guarding operations;
- ``errors``: the errors raised, and how values are named in their messages.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from engine.runtime.expressions.checks import parse
from engine.runtime.expressions.errors import (
    EvaluationError,
    ExpressionError,
    LimitExceeded,
    UnsafeExpression,
    describe,
)
from engine.runtime.expressions.functions import FUNCTIONS
from engine.runtime.expressions.interpreter import Evaluator, ScriptRunner
from engine.runtime.expressions.limits import MAX_SCRIPT_WRITES, work_limit

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


@lru_cache(maxsize=1024)
def _expression_tree(source: str) -> ast.Expression:
    tree = parse(source, script=False)
    assert isinstance(tree, ast.Expression)
    return tree


@lru_cache(maxsize=256)
def _script_tree(source: str) -> ast.Module:
    tree = parse(source, script=True)
    assert isinstance(tree, ast.Module)
    return tree


def _hashable_source(source: Any, what: str) -> str:
    if not isinstance(source, str):
        raise UnsafeExpression(f"the {what} must be text, not {describe(source)}")
    return source


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
    return _run("expression", lambda: Evaluator(names).value(tree.body))


def execute(source: str, data: dict[str, Any]) -> None:
    """Run the script ``source``; its assignments write into ``data`` in place.

    Writes land as they happen, as with SpiffWorkflow's own engine, so a script that fails
    part way leaves its earlier writes behind; a caller needing all-or-nothing passes a copy.
    """
    tree = _script_tree(_hashable_source(source, "script"))
    multiline = "\n" in source.strip()

    runner = ScriptRunner(data, MAX_SCRIPT_WRITES)
    try:
        _run("script", lambda: runner.run(tree.body))
    except EvaluationError as error:
        if not multiline:
            raise
        raise type(error)(f"line {runner.line}: {error}") from None


def _run(what: str, work: Callable[[], Any]) -> Any:
    # Task data is plain data, but an odd value may still raise something unexpected; the
    # caller must always get an ExpressionError it can show to the process owner.
    try:
        with work_limit(what):
            return work()
    except ExpressionError:
        raise
    except RecursionError:
        raise EvaluationError("the data is nested too deeply to work with") from None
    except MemoryError:
        raise LimitExceeded("the result is too large (size limit)") from None
    except ZeroDivisionError:
        raise EvaluationError("cannot divide by zero") from None
    except (TypeError, ValueError, ArithmeticError, LookupError) as error:
        raise EvaluationError(f"the expression failed: {error}") from None
