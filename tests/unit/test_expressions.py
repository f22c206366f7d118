"""The diagram expression language: what it refuses, what it computes, and its limits."""

from __future__ import annotations

import ast
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from engine.core import clock
from engine.runtime import expressions
from engine.runtime.expressions import (
    FUNCTIONS,
    EvaluationError,
    ExpressionError,
    UnsafeExpression,
    check_expression,
    check_script,
    evaluate,
    execute,
)

# --- refused by the static check -----------------------------------------------------------

REFUSED_EXPRESSIONS = [
    ("__import__('os')", "__import__"),
    ("__builtins__", "__builtins__"),
    ("x['a'] + __class__", "__class__"),
    ("x.y", "attribute access"),
    ("x.__class__", "attribute access"),
    ("''.join(x)", "attribute access"),
    ("().__class__.__base__.__subclasses__()", "attribute access"),
    ("str(x).upper()", "attribute access"),
    ("lambda x: x", "lambda"),
    ("[a for a in x]", "list comprehension"),
    ("{a for a in x}", "set comprehension"),
    ("{a: 1 for a in x}", "dictionary comprehension"),
    ("sum(a for a in x)", "generator expression"),
    ("open('/etc/passwd')", "'open'"),
    ("getattr(x, 'y')", "'getattr'"),
    ("eval('1')", "'eval'"),
    ("exec('1')", "'exec'"),
    ("compile('1', '', 'eval')", "'compile'"),
    ("globals()", "'globals'"),
    ("vars()", "'vars'"),
    ("type(x)", "'type'"),
    ("print(x)", "'print'"),
    ("x['f']()", "only the listed functions can be called"),
    ("(len if x else min)(x)", "only the listed functions can be called"),
    ("len(*x)", "unpacking with *"),
    ("min(**x)", "unpacking with **"),
    ("[*x]", "unpacking with *"),
    ("{**x}", "unpacking with **"),
    ("(y := 1)", ":="),
    ("f'{x}'", "f-strings"),
    ("f'{x.__class__}'", "f-strings"),
    ("(yield 1)", "yield"),
    ("1 << 2", "<<"),
    ("1 >> 2", ">>"),
    ("1 | 2", "|"),
    ("x & 2", "&"),
    ("x ^ 2", "^"),
    ("~x", "~"),
    ("x @ x", "@"),
    ("b'abc'", "byte strings"),
    ("1j", "complex numbers"),
    ("...", "..."),
    ("x ===", "is not a valid expression"),
    ("x = 1", "is not a valid expression"),
    ("", "empty"),
    ("   \n  ", "empty"),
    ("1 + " * 2500 + "1", "10,000"),
    ("-" * 150 + "x", "nested"),
    ("-" * 5000 + "x", "nested"),
    ("(" * 300 + "x" + ")" * 300, "not a valid expression"),
    # resource bombs, refused by constant folding
    ("9**9**9", "limit"),
    ("2**100000", "limit"),
    ("'a' * 10**10", "limit"),
    ("[0] * 10**9", "limit"),
    ("'x' * 999999999", "limit"),
    ("10**10 * 'x'", "limit"),
    ("x if x else 9**9**9", "limit"),
    ("[[0] * 1000] * 1000", "limit"),
    ("2**1000 * 2**1000 * 2**1000 * 2**1000 * 2**1000", "limit"),
    ("round(1, -10**8)", "limit"),
    ("add_working_days('2026-01-01', 10**9)", "limit"),
    ("1e308 * 10", "limit"),
    ("10.0 ** 400", "limit"),
    # sure failures on constants
    ("1 / 0", "divide by zero"),
    ("date('2026-02-30')", "not a date"),
    ("'%s' % 'a'", "%"),
]


@pytest.mark.parametrize(("source", "mentions"), REFUSED_EXPRESSIONS)
def test_check_expression_refuses(source: str, mentions: str) -> None:
    with pytest.raises(UnsafeExpression) as caught:
        check_expression(source)
    assert mentions in str(caught.value)


REFUSED_SCRIPTS = [
    ("import os", "import"),
    ("from os import path", "import"),
    ("def f():\n    pass", "def"),
    ("async def f():\n    pass", "def"),
    ("class A:\n    pass", "class"),
    ("for i in x:\n    pass", "'for' loops"),
    ("while True:\n    pass", "'while' loops"),
    ("with open('f') as f:\n    pass", "'with'"),
    ("try:\n    a = 1\nexcept Exception:\n    pass", "'try'"),
    ("global x", "'global'"),
    ("nonlocal x", "'nonlocal'"),
    ("del x", "'del'"),
    ("return 1", "'return'"),
    ("yield 1", "'yield'"),
    ("await x", "'await'"),
    ("assert x", "'assert'"),
    ("raise ValueError", "'raise'"),
    ("break", "'break'"),
    ("match x:\n    case 1:\n        pass", "'match'"),
    ("a: int = 1", "annotations"),
    ("a, b = 1, 2", "unpacking"),
    ("[a, b] = x", "unpacking"),
    ("x.y = 1", "attribute access"),
    ("x['a'].y = 1", "attribute access"),
    ("a[1:2] = [1]", "slice"),
    ("len(x)['a'] = 1", "cannot assign"),
    ("__builtins__ = {}", "__builtins__"),
    ("x['__class__'] = 1\n__x = 2", "line 2"),
    ("a = 1\nb = lambda: 1", "line 2: lambda"),
    ("a = 1\nif a:\n    b = x.y", "line 3: attribute access"),
    ("a = 9**9**9", "limit"),
    ("a += 'x' * 10**9", "limit"),
    ("a[2**100000] = 1", "limit"),
    ("a = open('x')", "'open'"),
    ("a = 1\na |= 2", "line 2: the | operator"),
    ("a = b = f'{x}'", "f-strings"),
    ("", "empty"),
    ("a =", "is not a valid script"),
    ("x" * 10_001, "10,000"),
]


@pytest.mark.parametrize(("source", "mentions"), REFUSED_SCRIPTS)
def test_check_script_refuses(source: str, mentions: str) -> None:
    with pytest.raises(UnsafeExpression) as caught:
        check_script(source)
    assert mentions in str(caught.value)


def test_refusals_are_expression_errors_and_value_errors() -> None:
    with pytest.raises(ExpressionError):
        check_expression("x.y")
    with pytest.raises(ValueError):
        check_script("import os")
    assert issubclass(UnsafeExpression, ExpressionError)
    assert issubclass(EvaluationError, ExpressionError)


@pytest.mark.parametrize("source", ["x.y", "__import__('os').system('true')", "9**9**9", ""])
def test_evaluate_refuses_what_the_check_refuses(source: str) -> None:
    with pytest.raises(UnsafeExpression):
        evaluate(source, {"x": {"y": 1}})


@pytest.mark.parametrize("source", ["import os", "a = x.y", "for i in x:\n    a = i"])
def test_execute_refuses_what_the_check_refuses(source: str) -> None:
    data = {"x": [1]}
    with pytest.raises(UnsafeExpression):
        execute(source, data)
    assert data == {"x": [1]}


def test_non_text_source_is_refused() -> None:
    with pytest.raises(UnsafeExpression, match="must be text"):
        check_expression(None)  # type: ignore[arg-type]
    with pytest.raises(UnsafeExpression, match="must be text"):
        evaluate(42, {})  # type: ignore[arg-type]


def test_allowed_sources_pass_the_check() -> None:
    check_expression("x is not None and x['a'] > 1")
    check_expression("  add_working_days(received, 20) <= today()\n")
    check_script("a = 1\nif x > 1:\n    a += 1\nelif x:\n    pass\nelse:\n    b = c = [1, 2]")
    check_script("    a = 1\n    b = 2\n")  # indented as it would be inside BPMN XML
    check_script("# nothing to do yet")


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


def test_the_module_never_uses_python_eval() -> None:
    tree = ast.parse(Path(expressions.__file__).read_text())
    called = {
        node.func.id
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    }
    assert not called & {"eval", "exec", "compile", "__import__", "getattr"}


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


# --- scripts -----------------------------------------------------------------------------------


def test_script_assigns_into_the_data() -> None:
    data = {"a": 2, "b": 3}
    execute("total = a + b\ndouble = total * 2", data)
    assert data == {"a": 2, "b": 3, "total": 5, "double": 10}


def test_script_assigns_into_nested_items() -> None:
    data = {"case": {"risk": {}}, "items": [1, 2, 3]}
    execute(
        "case['risk']['level'] = 'high'\ncase['status'] = 'open'\nitems[0] = 'first'",
        data,
    )
    assert data == {
        "case": {"risk": {"level": "high"}, "status": "open"},
        "items": ["first", 2, 3],
    }


def test_script_augmented_assignment() -> None:
    data = {"count": 1, "case": {"score": 5, "notes": ["a"]}}
    execute("count += 1\ncase['score'] -= 2\ncase['notes'] += ['b']\nlabel = 'x'\nlabel *= 3", data)
    assert data == {
        "count": 2,
        "case": {"score": 3, "notes": ["a", "b"]},
        "label": "xxx",
    }


@pytest.mark.parametrize(("score", "expected"), [(9, "high"), (5, "medium"), (1, "low")])
def test_script_if_elif_else(score: int, expected: str) -> None:
    data = {"score": score}
    execute(
        """
        if score > 7:
            risk = 'high'
        elif score > 3:
            risk = 'medium'
        else:
            risk = 'low'
            pass
        """,
        data,
    )
    assert data["risk"] == expected


def test_script_multiple_targets_and_expression_statements() -> None:
    data: dict = {}
    execute("a = b = [1]\nlen(a)\npass", data)
    assert data == {"a": [1], "b": [1]}


def test_script_due_date_with_the_clock() -> None:
    data = {"received": "2026-12-23"}
    with clock.using_clock(clock.FixedClock(datetime(2026, 12, 31, 9, 0))):
        execute(
            "due = add_working_days(received, 3)\noverdue = today() > due",
            data,
        )
    assert data["due"] == date(2026, 12, 30)
    assert data["overdue"] is True


SCRIPT_FAILURES = [
    ("a = x", {}, "'x' is not defined in the task data"),
    ("count += 1", {}, "'count' is not defined in the task data"),
    ("a = 1\nb = a + 'x'", {}, "line 2: cannot use +"),
    ("a = 1\nif a:\n    b = missing", {}, "line 3: 'missing' is not defined"),
    ("s = s * n", {"s": "ab", "n": 10**6}, "limit"),
    ("s *= n", {"s": "ab", "n": 10**6}, "limit"),
    ("l += l", {"l": [0] * 60_000}, "limit"),
    ("a['k'] = a", {"a": {}}, "inside itself"),
    ("a['k'] = [1, a]", {"a": {}}, "inside itself"),
    ("b = [a]\na['k'] = b", {"a": {}}, "inside itself"),
    ("a = [a, a]\n" * 40, {"a": [1]}, "limit"),
    ("a = [a]\n" * 150, {"a": 1}, "nested"),
    ("s[0] = 'x'", {"s": "abc"}, "cannot change an item of text"),
    ("l[5] = 1", {"l": [1]}, "past the end"),
    ("l['a'] = 1", {"l": [1]}, "whole number"),
    ("d[k] = 1", {"d": {}, "k": [1]}, "cannot be a dictionary key"),
    ("d['a']['b'] = 1", {"d": {}}, "'a'"),
    ("d['k'] = 1", {"d": None}, "cannot change an item of None"),
    ("d['k'] += 1", {"d": None}, "cannot look up"),
]


@pytest.mark.parametrize(("source", "data", "mentions"), SCRIPT_FAILURES)
def test_script_failures(source: str, data: dict, mentions: str) -> None:
    check_script(source)
    with pytest.raises(EvaluationError) as caught:
        execute(source, data)
    assert mentions in str(caught.value)


def test_a_script_can_only_write_so_much(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(expressions, "MAX_SCRIPT_WRITES", 1_000)
    data = {"l": [0] * 300}
    with pytest.raises(EvaluationError, match="would write more than 1,000"):
        execute("a = l\nb = l\nc = l\nd = l", data)
    assert "c" in data and "d" not in data


def test_no_value_reaches_python_internals() -> None:
    # Names are only task data, so neither functions nor builtins can be picked up as values.
    for source in ("str", "len", "FUNCTIONS", "__builtins__"):
        with pytest.raises(ExpressionError):
            evaluate(source, {})
    with pytest.raises(UnsafeExpression):
        check_expression("str.join")
    # A subscript is only ever an item lookup, never an attribute.
    assert evaluate("x['__class__']", {"x": {"__class__": "just a key"}}) == "just a key"
    with pytest.raises(EvaluationError, match="cannot look up"):
        evaluate("x['__class__']", {"x": 1})
