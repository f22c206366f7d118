"""Due rules written on a BPMN user task, such as ``5 working days`` or ``review_meeting``.

Grammar, one rule per task:

    <N> working day(s) [after|before <field>]
    <area timescale name> [after|before <field>]

Without ``after``/``before`` the count starts on the day the task becomes ready. ``<field>`` is
a date in the task data, e.g. ``2 working days before meeting_date`` for the meeting pack.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from engine.core import clock
from engine.core.workdays import add_working_days, as_date

_RULE = re.compile(
    r"^\s*(?:(?P<days>\d{1,3})\s+working\s+days?|(?P<timescale>[a-z][a-z0-9_]*))"
    r"(?:\s+(?P<direction>after|before)\s+(?P<field>[A-Za-z][A-Za-z0-9_]*))?\s*$"
)


class DueRuleError(ValueError):
    """A due rule that cannot be understood; the message says how to write one."""


@dataclass(frozen=True)
class DueRule:
    days: int | None
    timescale: str | None
    direction: str
    field: str | None

    def working_days(self, timescales: Mapping[str, int]) -> int:
        if self.days is not None:
            return self.days
        if self.timescale is None or self.timescale not in timescales:
            raise DueRuleError(f"the area has no timescale called '{self.timescale}'")
        return int(timescales[self.timescale])

    def due_on(self, data: Mapping[str, Any], timescales: Mapping[str, int]) -> date:
        start = clock.today()
        if self.field is not None:
            value = data.get(self.field)
            if value in (None, ""):
                raise DueRuleError(f"the task data has no date '{self.field}' to count from")
            start = as_date(value)
        days = self.working_days(timescales)
        return add_working_days(start, -days if self.direction == "before" else days)


def parse_due_rule(text: str, timescales: Mapping[str, int]) -> DueRule:
    match = _RULE.match(text or "")
    if match is None:
        raise DueRuleError(
            f"'{text}' is not a due rule; write '5 working days', a timescale name such as "
            "'review_meeting', optionally followed by 'after <date field>' or "
            "'before <date field>'"
        )
    rule = DueRule(
        days=int(match["days"]) if match["days"] else None,
        timescale=match["timescale"],
        direction=match["direction"] or "after",
        field=match["field"],
    )
    rule.working_days(timescales)
    return rule
