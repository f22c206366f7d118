"""Dates: when a copy was received, moving a prototype's dates to it, and the hour of a
morning's sweep."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from development.demo_load.stages import LIVE_STAGES
from engine.core import clock

YEARS_OF_HISTORY = 10
# Live cases were received over this many days before today, so their tasks fall due (and
# fall overdue) across the weeks around today.
LIVE_SPAN_DAYS = 90


def shift_dates(row: dict[str, Any], days: timedelta) -> None:
    for key, value in row.items():
        if isinstance(value, date | datetime):
            row[key] = value + days


def received_date(random_: random.Random, stage: str, today: date) -> date:
    if stage in LIVE_STAGES:
        return today - timedelta(days=random_.randint(0, LIVE_SPAN_DAYS))
    oldest = today - timedelta(days=365 * YEARS_OF_HISTORY)
    return oldest + timedelta(days=random_.randint(0, 365 * YEARS_OF_HISTORY - LIVE_SPAN_DAYS))


def morning(day: date) -> datetime:
    return datetime.combine(day, time(9, 0), tzinfo=clock.LOCAL_ZONE).astimezone(UTC)
