"""How the procedure runs, step by step: the time each step took in working days (median and
90th percentile), the share done by its due date, and where running cases wait now, worked
out from constructed task histories."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.core import clock
from engine.core.db import Database
from engine.core.errors import InvalidData, NotAllowed, NotFound
from engine.core.models import ProcessInstance, Task
from engine.core.workdays import working_days_between
from engine.records.retention import erase_case
from engine.runtime import deploy, move_instances, step_durations
from engine.runtime.step_durations import local_day
from engine.work.step_timings import (
    NO_FIGURES,
    OFTEN_LATE,
    ON_TIME,
    SOMETIMES_LATE,
    band_of,
    nearest_rank,
    step_timings,
)
from tests.support.editing import changed
from tests.support.files import FORMS
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import (
    ACKNOWLEDGED,
    DALES_COUNCIL,
    application,
    case_of,
    do,
    submit,
)

OWNER = "owner@example.org"
SCREENED = {"route": "review", "hate_element": False}
KEY = "community_trigger_application"


def _at(day: str) -> datetime:
    # Mid-morning UTC, which is the same day in England whatever the season.
    return datetime.fromisoformat(f"{day}T10:00:00").replace(tzinfo=UTC)


def _history(db: Database, tasks: list[tuple[str, str, str, str | None, str | None]]) -> None:
    """Tasks of one case's application process, each (step, state, made, completed, due),
    the completed ones counted as their completion would have counted them."""
    case_id = submit(db, application())
    with db.transaction() as session:
        instance = session.scalars(
            select(ProcessInstance).where(ProcessInstance.case_id == case_id)
        ).one()
        instance_id = instance.id
        counts: step_durations.Counts = {}
        for spec_name, state, made, completed, due in tasks:
            if completed and state == "completed":
                step_durations.count(
                    counts,
                    instance.definition_id,
                    spec_name,
                    _at(made),
                    _at(completed),
                    date.fromisoformat(due) if due else None,
                )
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
        step_durations.add_counts(session, counts)


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


def _from_the_tasks(db: Database, spec_name: str) -> tuple[int, int, list[int]]:
    """A step's completed tasks, the on-time ones and their working days, read from the tasks
    themselves: what the counts kept as they complete must agree with."""
    with db.read() as session:
        rows = session.execute(
            select(Task.created_at, Task.completed_at, Task.due_on).where(
                Task.spec_name == spec_name, Task.state == "completed"
            )
        ).all()
    days = [local_day(made) for made, _done, _due in rows]
    done = [local_day(completed) for _made, completed, _due in rows]
    on_time = sum(1 for (_m, _c, due), day in zip(rows, done, strict=True) if due and day <= due)
    taken = sorted(max(0, working_days_between(a, b)) for a, b in zip(days, done, strict=True))
    return len(rows), on_time, taken


def test_the_figures_follow_tasks_as_they_are_completed(
    app_db: Database, fixed_clock: clock.FixedClock
) -> None:
    """Completing a task counts it at once, in its own transaction, and what the page shows
    agrees with the tasks themselves; a completion that fails counts nothing."""
    first, second = submit(app_db, application()), submit(app_db, application())
    fixed_clock.advance(timedelta(days=1))  # Tuesday
    do(app_db, first, "acknowledge", COUNCIL, ACKNOWLEDGED)
    assert _step(_timings(app_db), "acknowledge").completed == 1
    fixed_clock.advance(timedelta(days=7, hours=8))  # the Tuesday after, late in the day
    do(app_db, second, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(app_db, first, "screen", COUNCIL, SCREENED)
    with pytest.raises(InvalidData):
        do(app_db, second, "screen", COUNCIL, {"route": "nowhere"})

    timings = _timings(app_db)
    acknowledge, screen = _step(timings, "acknowledge"), _step(timings, "screen")
    assert (acknowledge.completed, acknowledge.median_days, acknowledge.p90_days) == (2, 1, 6)
    assert (screen.completed, screen.median_days) == (1, 5)
    for step in (acknowledge, screen):
        completed, on_time, taken = _from_the_tasks(app_db, step.element_id)
        assert (step.completed, step.on_time, step.with_due) == (completed, on_time, completed)
        assert step.median_days == taken[-(-len(taken) // 2) - 1]
    # The second case waits at screening now, the first at the relevant bodies' returns.
    assert _step(timings, "screen").waiting == 1
    assert _step(timings, "police_return").waiting == 1


def test_a_case_moved_to_a_newer_version_takes_its_completed_steps_with_it(
    app_db: Database, fixed_clock: clock.FixedClock
) -> None:
    """Its completed steps count for the version it runs on now; where it waits too. (Two
    cases stay on the first version, so that its live tasks are counted through the fewer
    cases of the second one.)"""
    moved, stays = submit(app_db, application()), submit(app_db, application())
    submit(app_db, application())  # waits to be acknowledged, on the first version
    fixed_clock.advance(timedelta(days=1))
    do(app_db, moved, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(app_db, stays, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(app_db, stays, "screen", COUNCIL, SCREENED)
    renamed = changed((b'name="Decide whether the threshold is met"', b'name="Decide on it"'))
    with app_db.transaction() as session:
        deploy(session, renamed, filename="renamed.bpmn", forms_dir=FORMS)
    with app_db.read() as session:
        instance_id = session.scalar(
            select(ProcessInstance.id).where(ProcessInstance.case_id == moved)
        )
    report = move_instances(app_db, KEY, 1, user(app_db, MANAGER), instance_ids=[instance_id])
    assert report.moved == [instance_id]

    def figures(version: int | None, step: str) -> tuple[int, int]:
        timing = _step(_timings(app_db, version=version), step)
        return timing.completed, timing.waiting

    assert [figures(version, "acknowledge") for version in (1, 2, None)] == [
        (1, 1),
        (1, 0),
        (2, 1),
    ]
    assert [figures(version, "screen") for version in (1, 2, None)] == [(1, 0), (0, 1), (1, 1)]
    fixed_clock.advance(timedelta(days=1))
    do(app_db, moved, "screen", COUNCIL, SCREENED)
    assert [figures(version, "screen") for version in (1, 2, None)] == [(1, 0), (1, 0), (2, 0)]


def test_erasing_a_case_s_personal_data_keeps_its_steps_figures(
    app_db: Database, fixed_clock: clock.FixedClock
) -> None:
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    complaint = {
        "route": "complaint",
        "hate_element": False,
        "complaint_organisation": "derbyshire-constabulary",
    }
    do(app_db, case_id, "screen", COUNCIL, complaint)
    letter = {"complaints_route": "police_complaints_then_iopc"}
    do(app_db, case_id, "complaint_letter", COUNCIL, letter)
    fixed_clock.advance(timedelta(days=7 * 365))

    def figures() -> list[tuple[str, int, int | None, int]]:
        timings = _timings(app_db, first_day=date(2000, 1, 1))
        return [(s.element_id, s.completed, s.median_days, s.on_time) for s in timings.steps]

    before = figures()
    assert sum(completed for _step, completed, _median, _on_time in before) == 3
    with app_db.transaction() as session:
        erase_case(session, case_of(app_db, case_id).reference)
    assert figures() == before


def test_a_period_counts_whole_months_and_the_days_at_its_ends_once(app_db: Database) -> None:
    done_on = ["2026-01-31", "2026-02-01", "2026-02-27", "2026-02-28", "2026-03-01"]
    _history(app_db, [("screen", "completed", "2026-01-30", day, None) for day in done_on])
    periods = {
        ("2026-02-01", "2026-02-28"): 3,  # February whole
        ("2026-01-31", "2026-02-27"): 3,  # no month whole
        ("2026-01-15", "2026-03-01"): 5,  # days, February whole, a day
        ("2026-02-02", "2026-02-27"): 1,
        ("2026-03-01", "2026-03-01"): 1,
    }
    for (first, last), completed in periods.items():
        timings = _timings(
            app_db, first_day=date.fromisoformat(first), last_day=date.fromisoformat(last)
        )
        assert _step(timings, "screen").completed == completed, (first, last)
