"""The diagram expression language's static check: what it refuses before anything runs."""

from __future__ import annotations

import pytest

from engine.runtime.expressions import (
    EvaluationError,
    ExpressionError,
    UnsafeExpression,
    check_expression,
    check_script,
    evaluate,
    execute,
)

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


@pytest.mark.parametrize(
    ("source", "mentions"),
    [
        ("ｘ + 1", "plain letters"),  # full-width x: Python's parser would read it as x
        ("ﬁle == 1", "plain letters"),  # the "fi" ligature: read as file
        ("1e400 > 0", "not a finite number"),
        ("x == -1e999", "not a finite number"),
    ],
)
def test_names_in_other_alphabets_and_infinite_numbers_are_refused(
    source: str, mentions: str
) -> None:
    with pytest.raises(UnsafeExpression, match=mentions):
        check_expression(source)
    with pytest.raises(UnsafeExpression, match=mentions):
        check_script(f"y = {source}")


@pytest.mark.parametrize("text", ["1e400", "-1e400", "inf", "-Infinity", "nan", " NaN "])
def test_float_never_makes_a_number_that_cannot_be_stored(text: str) -> None:
    with pytest.raises(EvaluationError, match="not a finite number"):
        evaluate("float(t)", {"t": text})


def test_float_of_an_ordinary_number_still_works() -> None:
    assert evaluate("float(t) + 1", {"t": "1.5"}) == 2.5
