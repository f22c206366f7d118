"""Working days, due rules and the one clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from engine.chasing.due import DueRuleError, parse_due_rule
from engine.core import clock
from engine.core.workdays import add_working_days, is_working_day, working_days_between

TIMESCALES = {
    "acknowledge_application": 5,
    "meeting_pack": 2,
    "agency_information_return": 10,
    "threshold_decision": 10,
}
RETURNS = (
    "agency_information_return, at the latest 1 working day before threshold_decision "
    "after received_on"
)


@pytest.mark.parametrize(
    "start, days, expected",
    [
        (date(2026, 3, 2), 5, date(2026, 3, 9)),  # Monday + 5 = next Monday
        (date(2026, 12, 23), 3, date(2026, 12, 30)),  # Christmas, Boxing Day substitute on 28th
        (date(2026, 4, 2), 1, date(2026, 4, 7)),  # Good Friday and Easter Monday
        (date(2026, 3, 28), 0, date(2026, 3, 30)),  # received on a Saturday counts from Monday
        (date(2026, 4, 7), -2, date(2026, 4, 1)),
        (date(2026, 5, 1), 1, date(2026, 5, 5)),  # early May bank holiday
    ],
)
def test_add_working_days_skips_weekends_and_bank_holidays(start, days, expected) -> None:
    assert add_working_days(start, days) == expected


def test_working_days_between_is_signed() -> None:
    assert working_days_between(date(2026, 12, 23), date(2026, 12, 30)) == 3
    assert working_days_between(date(2026, 12, 30), date(2026, 12, 23)) == -3
    assert working_days_between("2026-03-02", "2026-03-02") == 0
    assert not is_working_day(date(2026, 8, 31))  # summer bank holiday (England)
    with pytest.raises(ValueError, match="not a date"):
        add_working_days("next week", 1)


def test_due_rules() -> None:
    data = {"meeting_date": date(2026, 3, 20), "received_on": "2026-03-02"}
    with clock.using_clock(clock.FixedClock(datetime(2026, 3, 2, 9, 0))):
        assert parse_due_rule("5 working days", TIMESCALES).due_on({}, TIMESCALES) == date(
            2026, 3, 9
        )
        assert parse_due_rule("1 working day", TIMESCALES).due_on({}, TIMESCALES) == date(
            2026, 3, 3
        )
        assert parse_due_rule("acknowledge_application", TIMESCALES).due_on({}, TIMESCALES) == date(
            2026, 3, 9
        )
        before = parse_due_rule("meeting_pack before meeting_date", TIMESCALES)
        assert before.due_on(data, TIMESCALES) == date(2026, 3, 18)
        after = parse_due_rule("10 working days after received_on", TIMESCALES)
        assert after.due_on(data, TIMESCALES) == date(2026, 3, 16)
        with pytest.raises(DueRuleError, match="no date 'meeting_date'"):
            before.due_on({}, TIMESCALES)


@pytest.mark.parametrize(
    "today, received_on, decision_days, due_on",
    [
        # Asked the day the application arrived: 10 working days would be the decision's day.
        ("2026-03-02", "2026-03-02", 10, date(2026, 3, 13)),
        # The decision is due Tuesday 7 April; the working day before it is Thursday 2 April,
        # Good Friday and Easter Monday not being working days.
        ("2026-03-24", "2026-03-20", 10, date(2026, 4, 2)),
        # A decision due later: the returns' own 10 working days end first.
        ("2026-03-02", "2026-03-02", 15, date(2026, 3, 16)),
        # Asked on the decision's own day: due that day, never before it.
        ("2026-03-16", "2026-03-02", 10, date(2026, 3, 16)),
    ],
)
def test_a_due_rule_at_the_latest_the_working_day_before_another(
    today: str, received_on: str, decision_days: int, due_on: date
) -> None:
    timescales = {**TIMESCALES, "threshold_decision": decision_days}
    rule = parse_due_rule(RETURNS, timescales)
    moment = datetime.fromisoformat(f"{today}T09:00")
    with clock.using_clock(clock.FixedClock(moment)):
        assert rule.due_on({"received_on": received_on}, timescales) == due_on


@pytest.mark.parametrize(
    "text",
    [
        "",
        "soon!",
        "5 days",
        "five working days",
        "5 working days after",
        "5 working days after after",
        "5 working days before 3 working days",
        "5 working days, at the latest",
        "5 working days, soon",
        "5 working days, at the latest 1 working day, at the latest 2 working days",
    ],
)
def test_unparseable_due_rules(text) -> None:
    with pytest.raises(DueRuleError, match="not a due rule"):
        parse_due_rule(text, TIMESCALES)


@pytest.mark.parametrize(
    "text",
    [
        "fortnight",
        "5 working days, at the latest 1 working day before fortnight after received_on",
    ],
)
def test_unknown_timescale(text: str) -> None:
    with pytest.raises(DueRuleError, match="no timescale called 'fortnight'"):
        parse_due_rule(text, TIMESCALES)


def test_clock_can_be_fixed_moved_and_started() -> None:
    fixed = clock.FixedClock(datetime(2026, 3, 2, 9, 0))
    with clock.using_clock(fixed):
        assert clock.now() == datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # GMT in March
        fixed.advance(timedelta(days=1))
        assert clock.today() == date(2026, 3, 3)
    started = clock.clock_from_environment("2021-06-01T09:00")
    assert isinstance(started, clock.StartedClock)
    # British Summer Time: 09:00 in London is 08:00 UTC.
    assert datetime(2021, 6, 1, 8, 0, tzinfo=UTC) <= started.now()
    assert started.now() < datetime(2021, 6, 1, 8, 1, tzinfo=UTC)
    assert isinstance(clock.clock_from_environment(None), clock.SystemClock)
    with pytest.raises(ValueError, match="ISO 8601"):
        clock.parse_moment("yesterday")


def test_working_days_between_agrees_with_counting_day_by_day() -> None:
    from datetime import date, timedelta

    from engine.core.workdays import is_working_day, working_days_between

    def by_hand(first: date, last: date) -> int:
        sign = 1
        if last < first:
            first, last, sign = last, first, -1
        days = (first + timedelta(days=n) for n in range(1, (last - first).days + 1))
        return sign * sum(1 for day in days if is_working_day(day))

    start = date(2025, 12, 20)  # Christmas, New Year and Easter 2026 fall in the range
    for offset in range(0, 130, 3):
        for length in (0, 1, 2, 5, 6, 7, 8, 13, 40, 400):
            first = start + timedelta(days=offset)
            last = first + timedelta(days=length)
            assert working_days_between(first, last) == by_hand(first, last), (first, last)
            assert working_days_between(last, first) == by_hand(last, first), (last, first)
