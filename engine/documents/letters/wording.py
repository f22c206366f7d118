"""A letter's wording as a template: Jinja2 in a sandbox, written out as the letter's blocks.

The template is the letter's text with named placeholders (``{{ reference }}``) and optional
sections (``{% if ... %}``). After it is filled in, its lines are read as a small markup:

- ``# Title``: the letter's title (exactly one);
- ``## Heading``: a sub-heading;
- ``- item``: an item of a bulleted list (consecutive items make one list);
- a blank line ends a paragraph; the lines of one paragraph are joined with spaces;
- a placeholder that is a whole part of the letter (a table, a quoted paragraph) stands on a
  line of its own;
- a line holding only ``{% ... %}`` tags disappears, blank lines included in nothing.

Markup is read from the template's own text only: what a placeholder puts in (an applicant's
words, an organisation's name) is never read as a heading or a list, whatever it starts with,
and its line breaks stay inside its paragraph.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError, meta, nodes
from jinja2.sandbox import SandboxedEnvironment, SecurityError

from engine.documents.letters.blocks import Block, bullets, h, p

MAX_CHARS = 20_000

# Marks only the renderer writes (Unicode private use): a placeholder's value starts and ends
# with them, carries its line breaks as one, and a whole-block placeholder is its number
# between two more. A template that holds any of them is refused.
_OPEN, _CLOSE, _BREAK, _BLOCK_OPEN, _BLOCK_CLOSE, _GONE = (chr(0xE000 + i) for i in range(6))
_MARKS = re.compile("[\ue000-\ue005]")
_BLOCK_LINE = re.compile(f"{_BLOCK_OPEN}(\\d+){_BLOCK_CLOSE}")
# A line holding only tags (``{% if x %}``, ``{% endfor %}``) or comments: it leaves no line.
_TAG = r"\{%(?:[^%]|%(?!\}))*%\}|\{#(?:[^#]|#(?!\}))*#\}"
_TAGS_ONLY = re.compile(rf"^[ \t]*(?:(?:{_TAG})[ \t]*)+$")
# Control characters other than tab and line breaks cannot be in a Word document.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class WholeBlock:
    """A placeholder that is one or more whole parts of the letter: a table, a quoted
    paragraph. Empty, it is false in ``{% if %}``."""

    def __init__(self, *blocks: Block) -> None:
        self.blocks = blocks

    def __bool__(self) -> bool:
        return bool(self.blocks)


@dataclass(frozen=True)
class WordingProblem:
    """Why a template was refused: the line of the template (0 when it is the whole) and the
    reason."""

    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}" if self.line else self.message


class WordingRefused(Exception):
    def __init__(self, problems: list[WordingProblem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems))


class _BlockRef:
    """A whole-block placeholder while the template is filled in: written as its mark."""

    def __init__(self, number: int, name: str, value: WholeBlock) -> None:
        self.number, self.name, self.value = number, name, value

    def __bool__(self) -> bool:
        return bool(self.value)

    def __str__(self) -> str:
        return f"{_BLOCK_OPEN}{self.number}{_BLOCK_CLOSE}"


class _Sandbox(SandboxedEnvironment):
    """The sandbox, which also refuses arithmetic that would make huge text."""

    intercepted_binops = frozenset({"*", "**"})

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        if operator == "**":
            raise SecurityError("powers are not allowed in a letter")
        sizes = [len(v) for v in (left, right) if isinstance(v, str | list | tuple)]
        counts = [v for v in (left, right) if isinstance(v, int)]
        if sizes and counts and sizes[0] * max(counts[0], 0) > MAX_CHARS:
            raise SecurityError("the text repeated would be longer than a letter can be")
        return super().call_binop(context, operator, left, right)


def _finalize(value: Any) -> str:
    if isinstance(value, _BlockRef):
        return str(value)
    text = _MARKS.sub("", "" if value is None else str(value))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", _BREAK)
    return f"{_OPEN}{text}{_CLOSE}"


def _environment() -> _Sandbox:
    env = _Sandbox(
        undefined=StrictUndefined,
        autoescape=False,
        finalize=_finalize,
        keep_trailing_newline=True,
    )
    # Nothing but the letter's own placeholders and the built-in filters and tests, less those
    # that pad text to a size given (a letter has no use for them) or write markup.
    env.globals.clear()
    for padding in ("center", "indent", "wordwrap", "xmlattr", "tojson", "pprint", "urlize"):
        env.filters.pop(padding, None)
    return env


_ENV = _environment()


def _prepared(source: str) -> str:
    """The template as Jinja reads it: a tags-only line marked to leave no line behind."""
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line + _GONE if _TAGS_ONLY.match(line) else line for line in lines)


def check_source(source: str, known: Mapping[str, Any]) -> list[WordingProblem]:
    """What is wrong with a template before it is filled in: its size, characters, syntax,
    placeholders (``known``: each name the letter has, with a value of its sort) and the way
    whole-block placeholders stand."""
    problems: list[WordingProblem] = []
    if len(source) > MAX_CHARS:
        return [
            WordingProblem(
                0,
                f"the template has {len(source):,} characters; a letter's template can have "
                f"at most {MAX_CHARS:,}",
            )
        ]
    lines = source.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for number, line in enumerate(lines, 1):
        bad = _CONTROL.search(line) or _MARKS.search(line)
        if bad:
            problems.append(
                WordingProblem(
                    number,
                    f"the character U+{ord(bad.group()):04X} cannot be in a letter: "
                    "delete it (it is often pasted in unseen)",
                )
            )
    if problems:
        return problems
    try:
        tree = _ENV.parse(_prepared(source))
        # Compiling it also finds the filters and tests that do not exist.
        used = meta.find_undeclared_variables(tree)
    except TemplateSyntaxError as error:
        return [WordingProblem(error.lineno or 0, _syntax_reason(error))]
    for name in sorted(used):
        if name not in known:
            problems.append(
                WordingProblem(
                    _first_line(tree, name),
                    f"there is no placeholder '{name}' in this letter: use one of those "
                    "listed for it",
                )
            )
    for node in tree.find_all((nodes.Getattr, nodes.Getitem)):
        attr: Any = getattr(node, "attr", None)
        if isinstance(node, nodes.Getitem):
            attr = _constant(node.arg)
        if isinstance(attr, str) and attr.startswith("_"):
            problems.append(
                WordingProblem(node.lineno, f"'{attr}' cannot be used in a letter's template")
            )
    whole = {name for name, value in known.items() if isinstance(value, WholeBlock)}
    for number, line in enumerate(lines, 1):
        for match in re.finditer(r"\{\{-?\s*([A-Za-z_][A-Za-z0-9_]*)", line):
            name = match.group(1)
            if name in whole and not re.fullmatch(r"\s*\{\{-?\s*\w+\s*-?\}\}\s*", line):
                problems.append(
                    WordingProblem(
                        number,
                        f"the placeholder '{name}' is a whole part of the letter: put it on a "
                        "line of its own, as {{ " + name + " }}",
                    )
                )
        stripped = line.strip()
        if stripped in ("#", "##", "-") or re.fullmatch(r"(#|##|-)\s+", line.lstrip()):
            problems.append(
                WordingProblem(number, f"'{stripped}' starts a line but nothing follows it")
            )
        elif stripped.startswith("###"):
            problems.append(
                WordingProblem(
                    number, "a letter has one title (#) and sub-headings (##), nothing smaller"
                )
            )
    return problems


def _syntax_reason(error: TemplateSyntaxError) -> str:
    message = (error.message or "the template cannot be read").rstrip(".")
    if "end of template" in message or "unknown tag" in message:
        # An unbalanced block, the most common slip.
        message += " (each {% if %} needs its {% endif %}, each {% for %} its {% endfor %})"
    return message


def _constant(node: nodes.Node) -> Any:
    return node.value if isinstance(node, nodes.Const) else None


def _first_line(tree: nodes.Template, name: str) -> int:
    for node in tree.find_all(nodes.Name):
        if node.name == name:
            return int(node.lineno)
    return 0


@functools.lru_cache(maxsize=64)
def _compiled(source: str) -> Template:
    return _ENV.from_string(_prepared(source))


@dataclass(frozen=True)
class Written:
    title: str
    blocks: tuple[Block, ...]


def write(source: str, context: Mapping[str, Any]) -> Written:
    """The letter's title and blocks from its template filled in with ``context``; a template
    that cannot be filled in, or whose markup does not make a letter, raises WordingRefused."""
    refs: list[_BlockRef] = []
    values: dict[str, Any] = {}
    for name, value in context.items():
        if isinstance(value, WholeBlock):
            refs.append(_BlockRef(len(refs), name, value))
            values[name] = refs[-1]
        else:
            values[name] = value
    try:
        filled = _compiled(source).render(values)
    except TemplateSyntaxError as error:
        raise WordingRefused([WordingProblem(error.lineno or 0, _syntax_reason(error))]) from None
    except (TemplateError, ArithmeticError, TypeError, ValueError) as error:
        line = _template_line(sys.exc_info()[2])
        reason = str(error) or type(error).__name__
        if isinstance(error, SecurityError):
            reason = f"not allowed in a letter: {reason}"
        raise WordingRefused([WordingProblem(line, f"the template fails here: {reason}")]) from None
    return _read(filled, refs)


def _template_line(trace: TracebackType | None) -> int:
    line = 0
    while trace is not None:
        if trace.tb_frame.f_code.co_filename == "<template>":
            line = trace.tb_lineno
        trace = trace.tb_next
    return line


def _visible(text: str) -> str:
    return text.replace(_OPEN, "").replace(_CLOSE, "").replace(_BREAK, "\n").strip()


def _read(filled: str, refs: list[_BlockRef]) -> Written:
    problems: list[str] = []
    title = ""
    blocks: list[Block] = []
    paragraph: list[str] = []
    items: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(p(" ".join(paragraph)))
            paragraph.clear()
        if items:
            blocks.append(bullets(items))
            items.clear()

    for raw in filled.split("\n"):
        if raw.endswith(_GONE):
            raw = raw[: -len(_GONE)]
            if not _visible(raw):
                continue
        line = raw.strip()
        if not _visible(line):
            flush()
            continue
        whole = _BLOCK_LINE.fullmatch(line)
        if whole:
            flush()
            blocks.extend(refs[int(whole.group(1))].value.blocks)
            continue
        if _BLOCK_OPEN in line:
            names = ", ".join(
                f"'{refs[int(n)].name}'" for n in re.findall(rf"{_BLOCK_OPEN}(\d+)", line)
            )
            problems.append(f"{names} must stand on a line of its own")
            continue
        if line.startswith("# "):
            flush()
            if title:
                problems.append("the letter has more than one title (a line starting '# ')")
            # One line: the title is also the email's subject.
            title = " ".join(_visible(line[2:]).split())
        elif line.startswith("## "):
            flush()
            blocks.append(h(" ".join(_visible(line[3:]).split())))
        elif line.startswith("- "):
            if paragraph:
                flush()
            items.append(_visible(line[2:]))
        else:
            if items:
                flush()
            paragraph.append(_visible(line))
    flush()
    if not title:
        problems.append("the letter has no title: start a line with '# ' followed by the title")
    if problems:
        raise WordingRefused([WordingProblem(0, problem) for problem in problems])
    return Written(title, tuple(blocks))


def check(
    source: str,
    known: Mapping[str, Any],
    samples: Iterable[tuple[str, Mapping[str, Any]]],
) -> list[WordingProblem]:
    """Every check before a template is deployed: the source (``check_source``) and writing
    the letter on each named sample case. Writes nothing."""
    problems = check_source(source, known)
    if problems:
        return problems
    for name, sample in samples:
        try:
            write(source, sample)
        except WordingRefused as refused:
            return [
                WordingProblem(problem.line, f"{problem.message} (on the sample case {name})")
                for problem in refused.problems
            ]
    return []
