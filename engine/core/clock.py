"""The one clock of the service.

Everything that needs the time asks this module, so tests, ``casereview run-due --now`` and
``CASEREVIEW_CLOCK_START`` can move time for the whole process at once.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

LOCAL_ZONE = ZoneInfo("Europe/London")


class Clock:
    """A source of the current moment, always timezone-aware UTC."""

    def now(self) -> datetime:
        raise NotImplementedError


class SystemClock(Clock):
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock(Clock):
    """Stands still at one moment until told to move."""

    def __init__(self, moment: datetime) -> None:
        self._moment = as_utc(moment)

    def now(self) -> datetime:
        return self._moment

    def set(self, moment: datetime) -> None:
        self._moment = as_utc(moment)

    def advance(self, delta: timedelta) -> None:
        self._moment += delta


class StartedClock(Clock):
    """Starts at a chosen moment and runs on in real time from there."""

    def __init__(self, start: datetime) -> None:
        self._start = as_utc(start)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


_lock = threading.Lock()
_current: Clock = SystemClock()


def as_utc(moment: datetime) -> datetime:
    """A naive moment is read as UK local time, as officers and the area file write it."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_ZONE)
    return moment.astimezone(UTC)


def parse_moment(text: str) -> datetime:
    """Parse an ISO 8601 date or date-time given on a command line or in the environment."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"'{text}' is not an ISO 8601 date-time; write it like 2026-03-02T09:00"
        ) from None
    return as_utc(moment)


def get_clock() -> Clock:
    return _current


def set_clock(clock: Clock) -> Clock:
    """Install a clock for the whole process and return the one it replaced."""
    global _current
    with _lock:
        previous, _current = _current, clock
    return previous


@contextmanager
def using_clock(clock: Clock) -> Iterator[Clock]:
    previous = set_clock(clock)
    try:
        yield clock
    finally:
        set_clock(previous)


def now() -> datetime:
    return _current.now()


def today() -> date:
    """Today's date where the work happens (England and Wales)."""
    return _current.now().astimezone(LOCAL_ZONE).date()


def clock_from_environment(value: str | None) -> Clock:
    """The clock ``CASEREVIEW_CLOCK_START`` asks for, or the system clock when it is unset."""
    if not value:
        return SystemClock()
    return StartedClock(parse_moment(value))
