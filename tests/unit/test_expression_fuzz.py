"""The expression language fuzzed by hypothesis: whatever a diagram holds, within the grammar
or far beyond it, and whatever the task data holds, the answer is a value within the limits
or the language's own refusal (an ExpressionError a process owner can read), and never runs
away: no other exception escapes, and nothing kept in the task data is past a limit or
cannot be stored."""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from engine.runtime.expressions import (
    EvaluationError,
    ExpressionError,
    LimitExceeded,
    UnsafeExpression,
    check_expression,
    check_script,
    evaluate,
    execute,
)
from engine.runtime.expressions.limits import MAX_ITEMS, MAX_SCRIPT_WRITES, measure
from tests.support.expression_refusals import (
    ANY_TEXT,
    NOT_TEXT,
    REFUSED_EXPRESSIONS,
    REFUSED_INSIDE,
    REFUSED_SCRIPTS,
)
from tests.support.expression_sources import (
    EXPRESSIONS,
    SCRIPTS,
    VALUES,
    assert_keepable,
    assert_within_limits,
    stored,
    task_data,
)

# Reproducible and quick: the same examples on every run, no example database. The deadline
# is generous; it is the work limit that bounds each run, not the speed of the machine.
FUZZ = settings(
    max_examples=250,
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=2),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _checked(check: Any, source: Any) -> bool:
    """Whether the deployment check accepts ``source``; it refuses only with UnsafeExpression."""
    try:
        check(source)
    except UnsafeExpression:
        return False
    return True


@FUZZ
@given(source=st.one_of(EXPRESSIONS, VALUES), data=task_data())
def test_an_expression_gives_a_value_within_the_limits_or_our_refusal(
    source: str, data: dict[str, Any]
) -> None:
    deployable = _checked(check_expression, source)
    before = stored(data)
    try:
        value = evaluate(source, data)
    except UnsafeExpression:
        assert not deployable, "the check accepted what evaluation refuses as unsafe"
    except EvaluationError:
        assert deployable
    else:
        assert deployable
        assert_within_limits(value)
    assert stored(data) == before, "an expression changed the task data"


@FUZZ
@given(source=EXPRESSIONS)
def test_a_constant_expression_the_check_accepts_never_fails_when_run(source: str) -> None:
    # The check works out every part without task-data names; with no names at all, what it
    # accepted it has already worked out, so running it cannot fail.
    if _checked(check_expression, source):
        try:
            evaluate(source, {})
        except EvaluationError as error:
            assert "not defined in the task data" in str(error), error


@FUZZ
@given(source=SCRIPTS, data=task_data())
# Found by this test: the task data's JSON cannot write these keys, nor a number past 4,300
# digits, so the case could not be saved.
@example(source="kept = {(1, 2): 'pair'}", data={})
@example(source="kept = [{today(): 'day'}]", data={})
@example(source="d = {}\nd[now()] = 1", data={})
@example(source="n = int('9' * 4300) + int('9' * 4300)", data={})
@example(source="n = " + "9" * 4300 + " + 1", data={})
def test_a_script_leaves_task_data_that_can_be_kept(source: str, data: dict[str, Any]) -> None:
    deployable = _checked(check_script, source)
    size_before = measure(tuple(data.values()), 10 * MAX_ITEMS)
    try:
        execute(source, data)
    except UnsafeExpression:
        assert not deployable
    except EvaluationError:
        assert deployable
    # Also after a failure part way: the writes before it stay, so they must be keepable too.
    assert_keepable(data, size_before + MAX_SCRIPT_WRITES)


@FUZZ
@given(source=st.one_of(VALUES, EXPRESSIONS), data=task_data())
def test_whatever_an_expression_gives_a_script_can_keep_or_refuses(
    source: str, data: dict[str, Any]
) -> None:
    # Storing a value, or keying a dictionary with it, either keeps something the task data
    # can hold or is refused; a case whose data cannot be saved would be stuck.
    size_before = measure(tuple(data.values()), 10 * MAX_ITEMS)
    for script in (f"kept = {source}", f"keyed = {{}}\nkeyed[{source}] = 1"):
        with contextlib.suppress(ExpressionError):
            execute(script, data)
        assert_keepable(data, size_before + 2 * MAX_SCRIPT_WRITES)


@FUZZ
@given(source=st.one_of(REFUSED_EXPRESSIONS, REFUSED_INSIDE))
def test_an_expression_beyond_the_grammar_is_refused(source: str) -> None:
    with pytest.raises(UnsafeExpression):
        check_expression(source)
    with pytest.raises(UnsafeExpression):
        evaluate(source, {"a": [1], "items": {"k": 1}})


@FUZZ
@given(source=REFUSED_SCRIPTS)
def test_a_script_beyond_the_grammar_is_refused_and_writes_nothing(source: str) -> None:
    data = {"a": [1], "items": {"k": 1}}
    with pytest.raises(UnsafeExpression):
        check_script(source)
    with pytest.raises(UnsafeExpression):
        execute(source, data)
    assert data == {"a": [1], "items": {"k": 1}}


@FUZZ
@given(source=st.one_of(ANY_TEXT, NOT_TEXT), data=task_data())
# Found by this test: checking took seconds for a long script of many names, as each name
# had the whole source split into lines again.
@example(source="a = b + c + d\n" * 700, data={})
def test_any_text_at_all_gets_a_value_or_our_refusal(source: Any, data: dict[str, Any]) -> None:
    for check in (check_expression, check_script):
        with contextlib.suppress(UnsafeExpression):
            check(source)
    try:
        value = evaluate(source, data)
    except ExpressionError:
        pass
    else:
        assert_within_limits(value)
    size_before = measure(tuple(data.values()), 10 * MAX_ITEMS)
    with contextlib.suppress(ExpressionError):
        execute(source, data)
    assert_keepable(data, size_before + MAX_SCRIPT_WRITES)


def test_a_long_script_repeating_costly_lines_is_stopped_by_the_work_limit() -> None:
    # Each line is within the size limits, but 1,400 of them took most of a minute.
    script = "a = [[0] * 999] * 99\n" + "a==a*1\n" * 1400
    with pytest.raises(LimitExceeded, match="too much work"):
        execute(script, {})


def test_a_long_expression_repeating_costly_parts_is_stopped_by_the_work_limit() -> None:
    expression = " or ".join(["x + x[:1] == x"] * 400)
    with pytest.raises(LimitExceeded, match="too much work"):
        evaluate(expression, {"x": [0] * 50_000})
