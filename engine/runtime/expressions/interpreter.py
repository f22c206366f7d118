"""Walking a checked tree: the evaluator of expressions, the folding evaluator the static
check uses to work out constant parts, and the runner of scripts."""

from __future__ import annotations

import ast
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from engine.runtime.expressions.errors import EvaluationError, LimitExceeded, describe, show
from engine.runtime.expressions.functions import call_function
from engine.runtime.expressions.limits import (
    charge,
    check_keys,
    check_result_size,
    measure,
    unshared_copy,
)
from engine.runtime.expressions.operators import binary, compare, subscript, unary


class Evaluator:
    """Walks a checked tree. Names are read from ``names``; nothing else is reachable."""

    def __init__(self, names: Mapping[str, Any]) -> None:
        self._names = names

    def value(self, node: ast.AST) -> Any:
        charge(1)
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
        check_result_size(items)
        return items

    def _Tuple(self, node: ast.Tuple) -> tuple[Any, ...]:
        items = tuple(self.value(item) for item in node.elts)
        check_result_size(items)
        return items

    def _Set(self, node: ast.Set) -> set[Any]:
        items = [self.value(item) for item in node.elts]
        check_result_size(items)
        try:
            return set(items)
        except TypeError:
            raise EvaluationError("a set can only hold text, numbers, dates and tuples") from None

    def _Dict(self, node: ast.Dict) -> dict[Any, Any]:
        pairs = []
        for key, value in zip(node.keys, node.values, strict=True):
            assert key is not None  # the static check refuses ** unpacking
            pairs.append((self.value(key), self.value(value)))
        check_result_size([value for pair in pairs for value in pair])
        try:
            return dict(pairs)
        except TypeError:
            raise EvaluationError(
                "dictionary keys can only be text, numbers, dates and tuples"
            ) from None

    def _BinOp(self, node: ast.BinOp) -> Any:
        return binary(type(node.op), self.value(node.left), self.value(node.right))

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        return unary(type(node.op), self.value(node.operand))

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
            outcome = compare(type(op), left, right)
            if not outcome:
                return outcome
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        return subscript(self.value(node.value), self.value(node.slice))

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
        return call_function(node.func.id, args, kwargs)


_DISPATCH: dict[type, Callable[[Evaluator, Any], Any]] = {
    ast.Constant: Evaluator._Constant,
    ast.Name: Evaluator._Name,
    ast.List: Evaluator._List,
    ast.Tuple: Evaluator._Tuple,
    ast.Set: Evaluator._Set,
    ast.Dict: Evaluator._Dict,
    ast.BinOp: Evaluator._BinOp,
    ast.UnaryOp: Evaluator._UnaryOp,
    ast.BoolOp: Evaluator._BoolOp,
    ast.Compare: Evaluator._Compare,
    ast.IfExp: Evaluator._IfExp,
    ast.Subscript: Evaluator._Subscript,
    ast.Slice: Evaluator._Slice,
    ast.Call: Evaluator._Call,
}


class FoldingEvaluator(Evaluator):
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


class ScriptRunner(Evaluator):
    """Runs a checked script's statements; ``write_limit`` bounds everything it writes."""

    def __init__(self, data: dict[str, Any], write_limit: int) -> None:
        super().__init__(data)
        self._data = data
        self._write_limit = write_limit
        self._written = 0
        self.line = 0  # of the statement running, for messages about multi-line scripts

    def run(self, statements: list[ast.stmt]) -> None:
        for statement in statements:
            self.line = statement.lineno
            if isinstance(statement, ast.Assign):
                value = self.value(statement.value)
                for target in statement.targets:
                    self._store(*self._locate(target), value, _depth_of(target))
            elif isinstance(statement, ast.AugAssign):
                # A new value, never in-place: list += would bypass the size guards on +.
                container, key = self._locate(statement.target)
                current = self._load(container, key)
                value = binary(type(statement.op), current, self.value(statement.value))
                self._store(container, key, value, _depth_of(statement.target))
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
            return subscript(container, key)
        try:
            return self._data[key]
        except KeyError:
            raise EvaluationError(f"'{key}' is not defined in the task data") from None

    def _store(self, container: Any, key: Any, value: Any, depth: int) -> None:
        """Keep ``value`` at ``depth`` subscripts below a name of the task data, as a copy of
        its own: a value kept shares nothing, so what each holds, as measured here, is what
        the task data keeps however the others change later (and a container's depth is
        the number of subscripts that reach it)."""
        self._written += measure(
            (value,),
            self._write_limit - self._written,
            container,
            self._too_much_written,
            depth=depth + 1,
        )
        value = unshared_copy(value)
        if container is _TASK_DATA:
            self._data[key] = value
        elif isinstance(container, list):
            try:
                container[key] = value
            except IndexError:
                raise EvaluationError(
                    f"position {show(key)} is past the end of a list of length {len(container)}"
                ) from None
            except TypeError:
                raise EvaluationError(
                    f"a list position must be a whole number, not {describe(key)}"
                ) from None
        elif isinstance(container, MutableMapping):
            check_keys((key,))
            try:
                container[key] = value
            except TypeError:
                raise EvaluationError(f"{describe(key)} cannot be a dictionary key") from None
        else:
            raise EvaluationError(
                f"cannot change an item of {describe(container)}; only lists and "
                "dictionaries can be changed"
            )

    def _too_much_written(self) -> LimitExceeded:
        return LimitExceeded(
            f"the script would write more than {self._write_limit:,} items or characters into "
            "the task data, which is over the size limit"
        )


def _depth_of(target: ast.expr) -> int:
    """How many subscripts a target goes below its name: ``a`` 0, ``a[1]['x']`` 2."""
    depth = 0
    while isinstance(target, ast.Subscript):
        depth += 1
        target = target.value
    return depth
