"""Working days in England and Wales: weekends and bank holidays do not count."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def bank_holidays(year: int) -> frozenset[date]:
    """The bank holidays of England and Wales in ``year``."""
    return _bank_holidays(year)


def learn_bank_holidays(today: date) -> None:
    """Work out this year's and next year's bank holidays now: the first time costs tens of
    milliseconds, which a web worker would otherwise add to its first request."""
    for year in (today.year, today.year + 1):
        _bank_holidays(year)


def as_date(value: date | datetime | str) -> date:
    """Accept a date, a date-time or an ISO 8601 string, as task data may hold any of them."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            raise ValueError(f"'{value}' is not a date; write it like 2026-03-02") from None
    raise TypeError(f"expected a date, got {type(value).__name__}")


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(start: date | datetime | str, days: int) -> date:
    """The date ``days`` working days after ``start`` (before it when ``days`` is negative).

    Day 0 is ``start`` itself, or the next working day when ``start`` is not one, so an
    application received on a Saturday is treated as received on the Monday.
    """
    if isinstance(days, bool) or not isinstance(days, int):
        raise TypeError("the number of working days must be a whole number")
    day = as_date(start)
    step = 1 if days >= 0 else -1
    while not is_working_day(day):
        day += timedelta(days=step)
    remaining = abs(days)
    while remaining:
        day += timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: date | datetime | str, end: date | datetime | str) -> int:
    """Working days from ``start`` to ``end``: positive when ``end`` is later, 0 on the same day."""
    return _working_days_between(as_date(start), as_date(end))


# Every inbox row asks this, and the rows of a page share a handful of due dates.
@lru_cache(maxsize=4096)
def _working_days_between(first: date, last: date) -> int:
    sign = 1
    if last < first:
        first, last, sign = last, first, -1
    # Counted by whole weeks, then the bank holidays in between, rather than day by day: every
    # inbox row and reminder asks this, and an overdue task may be months past its date.
    weeks, rest = divmod((last - first).days, 7)
    count = 5 * weeks
    day = first + timedelta(days=7 * weeks)
    for _ in range(rest):
        day += timedelta(days=1)
        if day.weekday() < 5:
            count += 1
    count -= sum(
        1
        for year in range(first.year, last.year + 1)
        for holiday in _bank_holidays(year)
        if first < holiday <= last and holiday.weekday() < 5
    )
    return sign * count
