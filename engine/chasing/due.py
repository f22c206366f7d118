"""Due rules written on a BPMN user task, such as ``5 working days`` or ``review_meeting``.

Grammar, one rule per task:

    <rule>   is  <count> [after|before <start>] [, at the latest <count> [after|before <start>]]
    <count>  is  <N> working day(s)  or  <area timescale name>
    <start>  is  <date field>  or  <count> after|before <start>

Without ``after``/``before`` the count starts on the day the task becomes ready. ``<date
field>`` is a date in the task data: ``2 working days before meeting_date`` for the meeting
pack, ``acknowledge_application after received_on`` for a clock that runs from the day the
application was received, however late it was entered. A start may itself be counted from a
date, so ``1 working day before threshold_decision after received_on`` is the working day
before the threshold decision falls due.

``, at the latest ...`` caps the date: the agencies' information returns take
``agency_information_return`` working days from the request, but fall due by the working day
before the threshold decision they inform. When that day has already gone (the request itself
came late), the task is due the day it becomes ready, not on a day before it existed.

A case assessed at high risk (``engine.cases.risk``) counts its tasks made from then on with
the area's ``high_risk_timescales`` in place of the timescales they name (``case_timescales``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.core import clock
from engine.core.workdays import add_working_days, as_date

_DIRECTIONS = ("after", "before")
_LATEST = re.compile(r",\s*at\s+the\s+latest\s+", re.IGNORECASE)
_NUMBER = re.compile(r"^\d{1,3}$")
_TIMESCALE = re.compile(r"^[a-z][a-z0-9_]*$")
_FIELD = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# A rule counted from a count counted from a count...: a few are plenty, and a bound keeps a
# diagram's text from costing more than a glance to read.
_MOST_COUNTS = 4


def case_timescales(settings: Mapping[str, Any], risk_level: str | None) -> dict[str, int]:
    """The timescales a case's new tasks are counted with: the area's, with the shorter
    ``high_risk_timescales`` in their place once the case is assessed at high risk."""
    timescales = dict(settings.get("timescales", {}))
    if risk_level == "high":
        timescales.update(settings.get("high_risk_timescales", {}))
    return timescales


class DueRuleError(ValueError):
    """A due rule that cannot be understood; the message says how to write one."""


@dataclass(frozen=True)
class Count:
    """Working days after or before a start: a date in the task data, another count, or (with
    no start) the day the task becomes ready."""

    days: int | None
    timescale: str | None
    direction: str
    start: Count | str | None

    def working_days(self, timescales: Mapping[str, int]) -> int:
        if self.days is not None:
            return self.days
        if self.timescale is None or self.timescale not in timescales:
            raise DueRuleError(f"the area has no timescale called '{self.timescale}'")
        return int(timescales[self.timescale])

    def timescale_names(self) -> list[str]:
        names = [self.timescale] if self.timescale else []
        return names + (self.start.timescale_names() if isinstance(self.start, Count) else [])

    def counted_from(self, data: Mapping[str, Any], timescales: Mapping[str, int]) -> date:
        if isinstance(self.start, Count):
            start = self.start.counted_from(data, timescales)
        elif self.start is not None:
            value = data.get(self.start)
            if value in (None, ""):
                raise DueRuleError(f"the task data has no date '{self.start}' to count from")
            start = as_date(value)
        else:
            start = clock.today()
        days = self.working_days(timescales)
        return add_working_days(start, -days if self.direction == "before" else days)


@dataclass(frozen=True)
class DueRule:
    count: Count
    latest: Count | None = None

    def timescale_names(self) -> list[str]:
        """Every area timescale the rule names, so that each can be checked to exist."""
        latest = self.latest.timescale_names() if self.latest else []
        return self.count.timescale_names() + latest

    def due_on(self, data: Mapping[str, Any], timescales: Mapping[str, int]) -> date:
        due = self.count.counted_from(data, timescales)
        if self.latest is None:
            return due
        # A cap already gone makes the task due at once, never before it was made: the
        # clock that ran out is the one of the step it caps, not of this task's holder.
        first_day = add_working_days(clock.today(), 0)
        return min(due, max(self.latest.counted_from(data, timescales), first_day))


def _not_a_rule(text: str) -> DueRuleError:
    return DueRuleError(
        f"'{text}' is not a due rule; write '5 working days' or a timescale name such as "
        "'review_meeting', optionally followed by 'after <date field>' or "
        "'before <date field>', and by ', at the latest <another such rule>'"
    )


class _Reader:
    """Reads a count from the words of a rule, front to back."""

    def __init__(self, text: str, words: list[str]) -> None:
        self.text, self.words, self.at, self.counts = text, words, 0, 0

    def peek(self) -> str | None:
        return self.words[self.at] if self.at < len(self.words) else None

    def take(self) -> str:
        word = self.peek()
        if word is None:
            raise _not_a_rule(self.text)
        self.at += 1
        return word

    def count(self, *, needs_start: bool) -> Count:
        self.counts += 1
        if self.counts > _MOST_COUNTS:
            raise DueRuleError(f"'{self.text}' counts from more than {_MOST_COUNTS} dates")
        word = self.take()
        days, timescale = None, None
        if _NUMBER.match(word):
            days = int(word)
            if self.take().lower() != "working" or self.take().lower() not in ("day", "days"):
                raise _not_a_rule(self.text)
        elif _TIMESCALE.match(word) and word not in _DIRECTIONS:
            timescale = word
        else:
            raise _not_a_rule(self.text)
        direction = self.peek()
        if direction not in _DIRECTIONS:
            if needs_start:
                raise _not_a_rule(self.text)
            return Count(days, timescale, "after", None)
        self.take()
        return Count(days, timescale, direction, self.start())

    def start(self) -> Count | str:
        word = self.take()
        following = self.peek()
        if _FIELD.match(word) and word not in _DIRECTIONS and following not in _DIRECTIONS:
            return word
        self.at -= 1
        return self.count(needs_start=True)

    def finished(self) -> bool:
        return self.at == len(self.words)


def _read_count(text: str, part: str) -> Count:
    reader = _Reader(text, part.split())
    count = reader.count(needs_start=False)
    if not reader.finished():
        raise _not_a_rule(text)
    return count


def parse_due_rule(text: str, timescales: Mapping[str, int]) -> DueRule:
    parts = _LATEST.split(text or "")
    if len(parts) > 2 or not all(part.strip() for part in parts):
        raise _not_a_rule(text)
    rule = DueRule(
        count=_read_count(text, parts[0]),
        latest=_read_count(text, parts[1]) if len(parts) == 2 else None,
    )
    for name in rule.timescale_names():
        if name not in timescales:
            raise DueRuleError(f"the area has no timescale called '{name}'")
    return rule
