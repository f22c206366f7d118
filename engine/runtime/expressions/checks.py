"""The static check: parsing a source and refusing every construct not listed as allowed.

It runs when a diagram is deployed and again (cached) before anything runs. Besides refusing
forbidden syntax, it works out every part that uses no task data, with the same guarded
operations as at run time, so bombs and sure failures are refused at deployment.
"""

from __future__ import annotations

import ast
import math
import textwrap
from typing import Any

from engine.runtime.expressions.errors import (
    EvaluationError,
    LimitExceeded,
    UnsafeExpression,
    describe,
    snippet,
)
from engine.runtime.expressions.functions import FUNCTIONS
from engine.runtime.expressions.interpreter import FoldingEvaluator
from engine.runtime.expressions.limits import (
    MAX_INT_BITS,
    MAX_SOURCE_CHARS,
    MAX_SYNTAX_DEPTH,
    work_limit,
)

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

_REFUSED_OPERATORS: dict[type, str] = {
    ast.LShift: "the << operator (bit shift)",
    ast.RShift: "the >> operator (bit shift)",
    ast.BitOr: "the | operator (bitwise or)",
    ast.BitAnd: "the & operator (bitwise and)",
    ast.BitXor: "the ^ operator (bitwise exclusive or)",
    ast.MatMult: "the @ operator (matrix multiplication)",
    ast.Invert: "the ~ operator (bitwise not)",
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
        # Split once: ast.get_source_segment splits the whole source again on every call,
        # which made checking every name of a long script take seconds.
        self._lines = [
            line.encode() for line in source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
        ]

    def refuse(self, node: ast.AST, message: str) -> UnsafeExpression:
        if self._script and isinstance(node, ast.expr | ast.stmt):
            message = f"line {node.lineno}: {message}"
        return UnsafeExpression(message)

    def text(self, node: ast.AST) -> str:
        segment = ast.get_source_segment(self._source, node)
        return snippet(segment) if segment else type(node).__name__

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
        if isinstance(node, ast.Attribute):
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

    def _check_name(self, node: ast.Name, name: str) -> None:
        written = self._written(node) or name
        if not written.isascii():
            # Python's parser folds other alphabets' look-alikes (a full-width x, the "fi"
            # ligature) into plain names, so what a reader sees is not what would run.
            raise self.refuse(
                node,
                f"the name '{written}' is not allowed: write names in plain letters (a to z), "
                "digits and underscores",
            )
        if name.startswith("__") or name.endswith("__"):
            raise self.refuse(
                node,
                f"the name '{name}' is not allowed: names that start or end with a double "
                "underscore belong to Python's internals",
            )

    def _written(self, node: ast.Name) -> str:
        """A name as written in the source (a name is always on one line)."""
        line = self._lines[node.lineno - 1]
        return line[node.col_offset : node.end_col_offset].decode(errors="replace")

    def _check_constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, float) and not math.isfinite(node.value):
            # No database can keep it in the task data as JSON.
            raise self.refuse(node, f"{self.text(node)} is not a finite number")
        if isinstance(node.value, int) and abs(node.value).bit_length() > MAX_INT_BITS:
            raise self.refuse(
                node, f"the whole number is over {MAX_INT_BITS:,} bits long (size limit)"
            )
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
                known[node] = FoldingEvaluator(known).value(node)
            except LimitExceeded as error:
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


def parse(source: Any, script: bool) -> ast.AST:
    what = "script" if script else "expression"
    if not isinstance(source, str):
        raise UnsafeExpression(f"the {what} must be text, not {describe(source)}")
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
            f"'{snippet(text)}' is not a valid {what}: {error.msg}{where}"
        ) from None
    except (RecursionError, MemoryError):
        raise UnsafeExpression(
            f"the {what} is nested too deeply; split it into simpler steps"
        ) from None
    except ValueError as error:
        raise UnsafeExpression(f"'{snippet(text)}' is not a valid {what}: {error}") from None
    # Working out the constant parts is work a run would do, so it has the same limit.
    with work_limit(what):
        _Checker(text, script).check(tree)
    return tree
