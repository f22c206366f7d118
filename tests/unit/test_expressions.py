"""The diagram expression language: what it computes, how its evaluation fails, and its
guards; its static check and its scripts have modules of their own."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine.core import clock
from engine.runtime import expressions
from engine.runtime.expressions import FUNCTIONS, EvaluationError, check_expression, evaluate

# --- evaluation --------------------------------------------------------------------------------

DATA = {
    "n": 5,
    "f": 2.5,
    "s": "hello",
    "none": None,
    "flag": True,
    "items": [3, 1, 2],
    "case": {"risk": {"level": "high", "score": 7}, "tags": ["asb", "noise"]},
    "received": date(2026, 3, 2),
}

EVALUATED = [
    ("1 + 2 * 3", 7),
    ("(1 + 2) * 3", 9),
    ("n - 7", -2),
    ("10 / 4", 2.5),
    ("7 // 2", 3),
    ("7 % 3", 1),
    ("2 ** 10", 1024),
    ("2 ** -1", 0.5),
    ("-n", -5),
    ("+f", 2.5),
    ("not flag", False),
    ("s + ' world'", "hello world"),
    ("s * 2", "hellohello"),
    ("[0] * 3", [0, 0, 0]),
    ("items + [4]", [3, 1, 2, 4]),
    ("1 < n <= 5", True),
    ("1 < n < 5", False),
    ("n == 5 != 6", True),
    ("n >= 6 or n < 0", False),
    ("'asb' in case['tags']", True),
    ("'x' not in case['tags']", True),
    ("none is None", True),
    ("n is not None", True),
    ("n and s", "hello"),
    ("none or 'default'", "default"),
    ("none and none['boom']", None),
    ("none is not None and none['a'] > 1", False),
    ("none is None or none['a'] > 1", True),
    ("'many' if n > 3 else 'few'", "many"),
    ("'many' if n > 3 else none['not evaluated']", "many"),
    ("case['risk']['level']", "high"),
    ("case['tags'][0]", "asb"),
    ("items[-1]", 2),
    ("items[1:3]", [1, 2]),
    ("items[::-1]", [2, 1, 3]),
    ("s[:2]", "he"),
    ("[1, n]", [1, 5]),
    ("(1, 'a')", (1, "a")),
    ("{'k': n}", {"k": 5}),
    ("{1, 2, 1}", {1, 2}),
    ("{}", {}),
    ("len(items)", 3),
    ("len(s)", 5),
    ("min(items)", 1),
    ("max(items)", 3),
    ("min(4, n, 9)", 4),
    ("max([], default=0)", 0),
    ("sum(items)", 6),
    ("sum(items, 10)", 16),
    ("any([0, none, n])", True),
    ("all(items)", True),
    ("abs(-3)", 3),
    ("round(3.14159, 2)", 3.14),
    ("round(f)", 2),
    ("str(n) + '!'", "5!"),
    ("str(received)", "2026-03-02"),
    ("int('42') + 1", 43),
    ("int(f)", 2),
    ("float('1.5')", 1.5),
    ("bool(0)", False),
    ("sorted(items)", [1, 2, 3]),
    ("sorted(items, reverse=True)", [3, 2, 1]),
    ("date('2026-03-02')", date(2026, 3, 2)),
    ("date('2026-03-02') == received", True),
    ("received < date('2026-04-01')", True),
    ("date('2026-03-12') - received", timedelta(days=10)),
    ("add_working_days('2026-12-23', 3)", date(2026, 12, 30)),
    ("add_working_days(received, 5)", date(2026, 3, 9)),
    ("add_working_days(date('2026-03-09'), -5)", date(2026, 3, 2)),
    ("working_days_between('2026-12-23', '2026-12-30')", 3),
    ("working_days_between(received, '2026-03-09')", 5),
]


@pytest.mark.parametrize(("source", "expected"), EVALUATED)
def test_evaluate(source: str, expected: object) -> None:
    assert evaluate(source, DATA) == expected


def test_evaluate_does_not_change_the_data() -> None:
    names = {"items": [3, 1, 2]}
    assert evaluate("sorted(items) + items", names) == [1, 2, 3, 3, 1, 2]
    assert names == {"items": [3, 1, 2]}


def test_today_and_now_follow_the_service_clock() -> None:
    with clock.using_clock(clock.FixedClock(datetime(2026, 3, 2, 9, 0))):
        assert evaluate("today()", {}) == date(2026, 3, 2)
        assert evaluate("now()", {}) == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        assert evaluate("add_working_days(today(), 1)", {}) == date(2026, 3, 3)
        assert evaluate("working_days_between(received, today())", DATA) == 0
    with clock.using_clock(clock.FixedClock(datetime(2026, 12, 24, 12, 0))):
        assert evaluate("today()", {}) == date(2026, 12, 24)


def test_unknown_name() -> None:
    with pytest.raises(EvaluationError) as caught:
        evaluate("x > 1", {})
    assert str(caught.value) == "'x' is not defined in the task data"


def test_function_names_are_not_values() -> None:
    # A name is always task data; only a call reaches the function list.
    with pytest.raises(EvaluationError, match="'len' is not defined"):
        evaluate("len", {})
    assert evaluate("len(len)", {"len": [1, 2]}) == 2


def test_functions_are_the_allow_list() -> None:
    assert set(FUNCTIONS) == {
        "len", "min", "max", "sum", "any", "all", "abs", "round", "str", "int", "float",
        "bool", "sorted", "add_working_days", "working_days_between", "today", "now", "date",
    }  # fmt: skip
    with pytest.raises(TypeError):
        FUNCTIONS["open"] = open  # type: ignore[index]


def test_parsed_sources_are_cached() -> None:
    source = "n * 1000 + 123456789"
    evaluate(source, DATA)
    hits = expressions._expression_tree.cache_info().hits
    assert evaluate(source, {"n": 1}) == 123457789
    check_expression(source)
    assert expressions._expression_tree.cache_info().hits == hits + 2


def test_the_expression_language_never_uses_python_eval() -> None:
    modules = sorted(Path(expressions.__file__).parent.glob("*.py"))
    assert len(modules) > 1, "every module of the package is read"
    for module in modules:
        called = {
            node.func.id
            for node in ast.walk(ast.parse(module.read_text()))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
        }
        assert not called & {"eval", "exec", "compile", "__import__", "getattr"}, module.name


# --- runtime failures and guards -----------------------------------------------------------

FAILING = [
    ("s * n", {"s": "ab", "n": 10**6}, "limit"),
    ("n * s", {"s": "ab", "n": 10**6}, "limit"),
    ("s * n", {"s": "", "n": 10**9}, None),  # nothing to repeat: allowed
    ("l * n", {"l": [[1, 2, 3]], "n": 40_000}, "limit"),
    ("[l] * n", {"l": list(range(10)), "n": 20_000}, "limit"),
    ("s + s", {"s": "a" * 60_000}, "limit"),
    ("l + l", {"l": [0] * 60_000}, "limit"),
    ("[l, l]", {"l": [0] * 60_000}, "limit"),
    ("x ** y", {"x": 2, "y": 5000}, "limit"),
    ("x ** y", {"x": 10**100, "y": 20}, "limit"),
    ("x ** y", {"x": 1.5, "y": 1e10}, "limit"),
    ("x * x * x", {"x": 2**2000}, "limit"),
    ("x ** 2", {"x": 1e200}, "limit"),
    ("x * 10.0", {"x": 1e308}, "limit"),
    ("x ** 0.5", {"x": -8}, "ordinary numbers"),
    ("str(l)", {"l": [0] * 200_000}, "limit"),
    ("int(s)", {"s": "1" * 200_000}, "limit"),
    ("float(s)", {"s": "1" * 200_000}, "limit"),
    ("round(x, n)", {"x": 1, "n": -(10**8)}, "limit"),
    ("add_working_days(d, n)", {"d": "2026-01-01", "n": 10**9}, "limit"),
    ("working_days_between(a, b)", {"a": "0001-01-01", "b": "9999-12-31"}, "limit"),
    ("fmt % x", {"fmt": "%999999999d", "x": 1}, "% cannot be used on text"),
    ("1 / x", {"x": 0}, "divide by zero"),
    ("x // y", {"x": 1, "y": 0}, "divide by zero"),
    ("x['missing']", {"x": {"a": 1}}, "'missing'"),
    ("x[5]", {"x": [1]}, "past the end"),
    ("x['a']", {"x": 3}, "cannot look up"),
    ("x + 1", {"x": "a"}, "cannot use + on text and a whole number"),
    ("d + 1", {"d": date(2026, 3, 2)}, "cannot use + on a date"),
    ("x < 'a'", {"x": 1}, "cannot compare"),
    ("1 in x", {"x": 1}, "cannot look for"),
    ("-x", {"x": "a"}, "cannot use -"),
    ("int(x)", {"x": "abc"}, "not a whole number"),
    ("float(x)", {"x": "abc"}, "not a number"),
    ("date(x)", {"x": "soon"}, "'soon' is not a date"),
    ("add_working_days(x, 1.5)", {"x": "2026-03-02"}, "whole number"),
    ("len(x)", {"x": 3}, "len() needs"),
    ("len(x, x)", {"x": "a"}, "wrong arguments for len()"),
    ("sorted(x, key=x)", {"x": [1]}, "wrong arguments for sorted()"),
    ("sorted(x)", {"x": [1, "a"]}, "different kinds"),
    ("sum(x)", {"x": ["a", "b"]}, "numbers only"),
    ("min(x)", {"x": []}, "empty"),
    ("{x: 1}", {"x": [1]}, "keys"),
]


@pytest.mark.parametrize(("source", "names", "mentions"), FAILING)
def test_evaluation_failures(source: str, names: dict, mentions: str | None) -> None:
    check_expression(source)  # nothing here is refused before data is known
    if mentions is None:
        evaluate(source, names)
        return
    with pytest.raises(EvaluationError) as caught:
        evaluate(source, names)
    assert mentions in str(caught.value)


def test_sizes_up_to_the_limit_are_allowed() -> None:
    assert len(evaluate("s * n", {"s": "x", "n": 100_000})) == 100_000
    assert len(evaluate("[0] * n", {"n": 100_000})) == 100_000
    assert evaluate("x ** 1000", {"x": 2}) == 2**1000
