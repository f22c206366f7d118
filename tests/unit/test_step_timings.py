"""How the procedure runs, step by step: the time each step took in working days (median and
90th percentile), the share done by its due date, and where running cases wait now, worked
out from constructed task histories."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.core.db import Database
from engine.core.errors import NotAllowed, NotFound
from engine.core.models import ProcessInstance, Task
from engine.core.workdays import working_days_between
from engine.work.step_timings import (
    NO_FIGURES,
    OFTEN_LATE,
    ON_TIME,
    SOMETIMES_LATE,
    band_of,
    nearest_rank,
    step_timings,
)
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import DALES_COUNCIL, application, submit

OWNER = "owner@example.org"
KEY = "community_trigger_application"


def _at(day: str) -> datetime:
    # Mid-morning UTC, which is the same day in England whatever the season.
    return datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=UTC)


def _history(db: Database, tasks: list[tuple[str, str, str, str | None, str | None]]) -> None:
    """Tasks of one case's application process, each (step, state, made, completed, due)."""
    case_id = submit(db, application())
    with db.transaction() as session:
        instance_id = session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.case_id == case_id)
        )
        for spec_name, state, made, completed, due in tasks:
            session.add(
                Task(
                    instance_id=instance_id,
                    case_id=case_id,
                    spiff_task_id=str(uuid.uuid4()),
                    spec_name=spec_name,
                    title=spec_name.replace("_", " ").capitalize(),
                    role="council",
                    form="screening",
                    state=state,
                    created_at=_at(made),
                    completed_at=_at(completed) if completed else None,
                    due_on=date.fromisoformat(due) if due else None,
                )
            )


def _timings(db: Database, email: str = MANAGER, **kwargs):  # noqa: ANN202
    with db.read() as session:
        return step_timings(session, user(db, email), KEY, **kwargs)


def _step(timings, element_id: str):  # noqa: ANN001, ANN202
    return next(step for step in timings.steps if step.element_id == element_id)


def test_each_step_s_times_in_working_days_and_share_on_time(app_db: Database) -> None:
    _history(
        app_db,
        [
            ("screen", "completed", "2026-02-02", "2026-02-02", "2026-02-04"),  # 0, on time
            ("screen", "completed", "2026-02-02", "2026-02-04", "2026-02-04"),  # 2, on time
            ("screen", "completed", "2026-02-06", "2026-02-09", "2026-02-06"),  # 1 (a weekend)
            ("screen", "completed", "2026-02-09", "2026-02-16", "2026-02-11"),  # 5, late
            # Christmas, Boxing Day and New Year's Day are not working days: 6, on time.
            ("screen", "completed", "2025-12-22", "2026-01-02", "2026-01-05"),
            # No due date: its time counts, the share on time leaves it out.
            ("screen", "completed", "2026-02-16", "2026-02-17", None),
            # Completed before the year up to today (2 March 2026): not counted.
            ("screen", "completed", "2024-06-03", "2024-06-20", "2024-06-05"),
            ("screen", "cancelled", "2026-02-02", None, "2026-02-04"),
        ],
    )
    screen = _step(_timings(app_db), "screen")
    assert (screen.completed, screen.with_due, screen.on_time) == (6, 5, 3)
    # Sorted 0, 1, 1, 2, 5, 6: the median is the 3rd, the 90th percentile the 6th.
    assert (screen.median_days, screen.p90_days) == (1, 6)
    assert screen.on_time_percent == 60
    assert screen.band == OFTEN_LATE
    assert screen.name == "Screen the application"
    assert screen.due_rule.startswith("acknowledge_application (")


def test_where_running_cases_wait_now_and_how_many_are_overdue(app_db: Database) -> None:
    _history(
        app_db,
        [
            ("police_return", "open", "2026-02-02", None, "2026-02-27"),  # overdue
            ("police_return", "claimed", "2026-02-02", None, "2026-03-02"),  # due today
            # A multi-instance task is counted with its step.
            ("police_return [1]", "open", "2026-02-20", None, "2026-03-10"),
            ("police_return", "completed", "2026-02-02", "2026-02-03", "2026-02-27"),
        ],
    )
    police = _step(_timings(app_db), "police_return")
    assert (police.waiting, police.overdue) == (3, 1)
    assert (police.completed, police.median_days, police.band) == (1, 1, ON_TIME)


def test_a_period_or_version_the_service_does_not_hold(app_db: Database) -> None:
    _history(app_db, [("screen", "completed", "2026-02-02", "2026-02-03", "2026-02-04")])
    empty = _timings(app_db, first_day=date(1990, 1, 1), last_day=date(1990, 12, 31))
    screen = _step(empty, "screen")
    assert (screen.completed, screen.median_days, screen.band) == (0, None, NO_FIGURES)
    # Backwards, the period holds nothing either.
    backwards = _timings(app_db, first_day=date(2026, 3, 1), last_day=date(2026, 1, 1))
    assert _step(backwards, "screen").completed == 0
    unknown = _timings(app_db, version=99)
    assert (unknown.holds_version, unknown.steps, unknown.shown_version) == (False, [], 1)
    with app_db.read() as session, pytest.raises(NotFound):
        step_timings(session, user(app_db, MANAGER), "no_such_process")


def test_process_owners_and_managers_alone_see_it(app_db: Database) -> None:
    add_people(app_db, [(OWNER, DALES_COUNCIL, ["process_owner"])])
    assert _timings(app_db, OWNER).key == KEY
    assert _timings(app_db, MANAGER).shown_version == 1
    with pytest.raises(NotAllowed):
        _timings(app_db, COUNCIL)


def test_working_days_agree_with_the_service_s_own_count(app_db: Database) -> None:
    """Spans over weekends, bank holidays and the turn of the year, counted by the database
    as ``engine.core.workdays`` counts them."""
    chosen = random.Random(20260302)
    spans = []
    for _ in range(40):
        made = date(2025, 3, 3) + timedelta(days=chosen.randrange(360))
        done = min(made + timedelta(days=chosen.randrange(40)), date(2026, 3, 2))
        spans.append((made, done))
    _history(
        app_db,
        [("screen", "completed", a.isoformat(), b.isoformat(), None) for a, b in spans],
    )
    expected = sorted(working_days_between(a, b) for a, b in spans)
    histogram = sorted({d: expected.count(d) for d in expected}.items())
    screen = _step(_timings(app_db), "screen")
    assert screen.median_days == nearest_rank(histogram, 50) == expected[19]
    assert screen.p90_days == expected[35]


def test_bands_and_nearest_rank() -> None:
    assert [band_of(9, 10), band_of(8, 10), band_of(7, 10), band_of(6, 10), band_of(0, 0)] == [
        ON_TIME,
        SOMETIMES_LATE,
        SOMETIMES_LATE,
        OFTEN_LATE,
        NO_FIGURES,
    ]
    assert nearest_rank([(3, 1)], 90) == 3
    assert nearest_rank([(1, 5), (10, 5)], 50) == 1
    assert nearest_rank([(1, 5), (10, 5)], 90) == 10
    assert nearest_rank([], 50) is None
