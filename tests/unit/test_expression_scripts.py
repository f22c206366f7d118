"""Scripts in the diagram expression language: what they assign, how they fail, and their limits."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from engine.core import clock
from engine.runtime import expressions
from engine.runtime.expressions import (
    EvaluationError,
    ExpressionError,
    UnsafeExpression,
    check_expression,
    check_script,
    evaluate,
    execute,
)


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


def kept_size(data: dict) -> int:
    """What the task data would take as JSON, counting a shared value every time it appears."""
    import json

    return len(json.dumps(data))


def test_a_value_stored_is_the_scripts_own_so_changing_another_cannot_grow_it() -> None:
    """Storing a list shared 40,000 times, then changing the shared list, once made a few
    lines of script keep about 4 GB; the limits now hold on what is kept."""
    data: dict = {}
    execute("e = [0]\nc = [e] * 1000\nbig = [c] * 40\ne[0] = 'x' * 99999", data)
    assert data["e"] == ["x" * 99999]
    assert data["big"][0][0] == [0], "what was stored stays as it was stored"
    assert kept_size(data) < 500_000


def test_a_stored_value_does_not_change_with_the_data_it_was_read_from() -> None:
    data = {"incidents": [{"kind": "noise"}]}
    execute("kept = incidents\nincidents[0]['kind'] = 'damage'", data)
    assert data["kept"] == [{"kind": "noise"}]
    assert data["incidents"] == [{"kind": "damage"}]


def test_a_value_kept_earlier_can_be_stored_inside_the_one_it_came_from() -> None:
    """``b`` keeps its own copy of ``a``, so storing ``b`` in ``a`` makes no loop."""
    data: dict = {"a": {}}
    execute("b = [a]\na['k'] = b", data)
    assert data == {"a": {"k": [{}]}, "b": [{}]}


def test_values_cannot_be_nested_deeper_by_storing_them_deep_inside_others() -> None:
    deep = "[" * 60 + "0" + "]" * 60
    into = "a" + "[0]" * 59
    with pytest.raises(EvaluationError, match="nested at most 100 levels"):
        execute(f"a = {deep}\nb = {deep}\n{into} = b", {})
    shallow = "[" * 30 + "0" + "]" * 30
    data: dict = {}
    execute(f"a = {deep}\nb = {shallow}\n{into} = b", data)
    assert kept_size(data) < 1000
