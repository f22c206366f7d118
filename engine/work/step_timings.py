"""How the procedure runs, step by step: for each task of a deployed diagram, how long it took
(median and 90th percentile, in working days), the share done by its due date, and how many
running cases wait at it now and how many of those are overdue. Schedule 4 of the Act asks the
relevant bodies to keep their procedure under review; these are the figures to review it by.

Process owners and managers see them. They are counts and durations of tasks, never a case.

The figures are read without loading a workflow:

- a step's *time taken* is the working days (``engine.core.workdays``: weekends and bank
  holidays do not count) from the day its task was made to the day it was completed, days in
  England, of the tasks completed in the period; 0 is the same day;
- *on time* is completed on or before the task's due date, as the diagram's due rule set it
  when the task was made (``engine.chasing.due``); tasks with no due date are left out of the
  share;
- *waiting now* are the live tasks (open or claimed) whatever the period, *overdue* those past
  their due date.

The completed tasks are counted as they complete (``engine.runtime.step_durations``), a row
per version, step, day done and working days taken, and a row per month beside the days'. A
period sums the rows of the months wholly inside it and of the days at its ends: a few hundred
rows a year at any number of cases, whose histogram of working days gives each step's
percentiles (nearest rank), alike on SQLite, which has no ``percentile_cont``, and
PostgreSQL. The live tasks are counted by step from their own partial index
(``ix_tasks_live_steps``), instance by instance only for a step other versions or processes
share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    and_,
    bindparam,
    case,
    false,
    func,
    or_,
    select,
    text,
    true,
)
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from engine import runtime
from engine.core import clock
from engine.core.area import current_settings
from engine.core.errors import NotAllowed, NotFound
from engine.core.models import (
    LIVE_TASK_STATES,
    LIVE_TASKS_SQL,
    ProcessDefinition,
    ProcessInstance,
    StepDuration,
    Task,
    User,
)
from engine.work.diagrams import outline_of
from engine.work.inbox import task_name

ROLES = ("process_owner", "manager")
# The period shown when none is chosen: the year up to today.
DEFAULT_DAYS = 365


@dataclass(frozen=True)
class Band:
    """How late a step runs, in words as well as colour: the diagram's legend and overlays,
    and the table, say the band's name."""

    key: str
    name: str
    meaning: str


ON_TIME = Band("on-time", "On time", "9 in 10 or more done by their due date")
SOMETIMES_LATE = Band("sometimes-late", "Sometimes late", "7 to 9 in 10 done by their due date")
OFTEN_LATE = Band("often-late", "Often late", "fewer than 7 in 10 done by their due date")
NO_FIGURES = Band("no-figures", "No figures", "none with a due date completed in the period")
BANDS = (ON_TIME, SOMETIMES_LATE, OFTEN_LATE, NO_FIGURES)


def band_of(on_time: int, with_due: int) -> Band:
    if not with_due:
        return NO_FIGURES
    if on_time * 10 >= with_due * 9:
        return ON_TIME
    if on_time * 10 >= with_due * 7:
        return SOMETIMES_LATE
    return OFTEN_LATE


def nearest_rank(histogram: Sequence[tuple[int, int]], percentile: int) -> int | None:
    """The value at rank ceil(percentile% of n) of the values ``(value, how many)`` counts,
    sorted by value: the smallest value at least that share of them are no more than."""
    total = sum(count for _value, count in histogram)
    if not total:
        return None
    rank = max(1, -(-percentile * total // 100))
    seen = 0
    for value, count in histogram:
        seen += count
        if seen >= rank:
            return value
    return histogram[-1][0]


@dataclass(frozen=True)
class StepTiming:
    element_id: str
    name: str
    lane: str
    due_rule: str
    completed: int = 0
    with_due: int = 0
    on_time: int = 0
    median_days: int | None = None
    p90_days: int | None = None
    waiting: int = 0
    overdue: int = 0
    # Not a task of the version shown, but of another version in the period.
    elsewhere: bool = False

    @property
    def on_time_percent(self) -> int | None:
        return None if not self.with_due else round(100 * self.on_time / self.with_due)

    @property
    def band(self) -> Band:
        return band_of(self.on_time, self.with_due)


@dataclass(frozen=True)
class Choice:
    key: str
    name: str


@dataclass(frozen=True)
class StepTimings:
    """One process's steps and their figures, for one version or all, over a period."""

    key: str
    name: str
    version: int | None  # None: every version's tasks
    holds_version: bool  # False: the version asked for is not one the service holds
    shown_version: int  # the version whose diagram is drawn
    versions: list[int]
    processes: list[Choice]
    first_day: date
    last_day: date
    bpmn_xml: str
    steps: list[StepTiming] = field(default_factory=list)


def may_see_step_timings(user: User | None) -> bool:
    return user is not None and user.active and any(user.has_role(role) for role in ROLES)


def default_period(today: date) -> tuple[date, date]:
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def step_timings(
    session: Session,
    user: User | None,
    key: str | None = None,
    *,
    version: int | None = None,
    first_day: date | None = None,
    last_day: date | None = None,
) -> StepTimings | None:
    """The figures of process ``key`` (the first process when None), of its ``version`` (all
    versions when None), for tasks completed from ``first_day`` to ``last_day`` (the last year
    when None). None when the service holds no process at all; a version it does not hold
    gives no steps, and a period in which nothing was completed steps without figures: an
    empty view, not an error."""
    if not may_see_step_timings(user):
        raise NotAllowed("only process owners and managers may see how the procedure runs")
    processes = _processes(session)
    if not processes:
        return None
    key = key or processes[0].key
    if key not in {process.key for process in processes}:
        raise NotFound("there is no such process")
    definitions = session.execute(
        select(ProcessDefinition.id, ProcessDefinition.version, ProcessDefinition.content_hash)
        .where(ProcessDefinition.key == key)
        .order_by(ProcessDefinition.version.desc())
    ).all()
    chosen = [row for row in definitions if version is None or row.version == version]
    default_first, default_last = default_period(clock.today())
    first_day, last_day = first_day or default_first, last_day or default_last
    # A version the service does not hold shows its newest diagram, with no steps to count.
    shown = chosen[0] if chosen else definitions[0]
    bpmn_xml = (
        session.scalar(select(ProcessDefinition.bpmn_xml).where(ProcessDefinition.id == shown.id))
        or ""
    )
    steps = _steps(
        session,
        outline_of(session, shown.id, shown.content_hash),
        [row.id for row in chosen],
        first_day,
        last_day,
    )
    return StepTimings(
        key=key,
        name=next(p.name for p in processes if p.key == key),
        version=version,
        shown_version=shown.version,
        versions=[row.version for row in definitions],
        holds_version=bool(chosen),
        processes=processes,
        first_day=first_day,
        last_day=last_day,
        bpmn_xml=bpmn_xml,
        steps=steps,
    )


def _steps(
    session: Session,
    outline: tuple[runtime.OutlineStep, ...],
    definition_ids: list[int],
    first_day: date,
    last_day: date,
) -> list[StepTiming]:
    """The drawn diagram's steps in the order a case meets them, then any step of another
    version with tasks in the period or waiting."""
    if not definition_ids:
        return []
    timescales = current_settings(session).get("timescales", {})
    outlines = _outlines(session)
    completed = _completed(session, definition_ids, first_day, last_day)
    waiting = _waiting(session, definition_ids, outlines)
    steps = [
        _step(
            step.element_id, step.name, step.lane, _spelt(step.due, timescales), completed, waiting
        )
        for step in outline
    ]
    drawn = {step.element_id for step in steps}
    # The names of steps the drawn version does not have, from the versions that have them.
    titles = {
        step.element_id: step.name
        for definition_id in reversed(definition_ids)
        for step in outlines.get(definition_id, ())
    }
    for element_id in sorted((set(completed) | set(waiting)) - drawn):
        steps.append(
            _step(
                element_id,
                titles.get(element_id, element_id),
                "",
                "",
                completed,
                waiting,
                elsewhere=True,
            )
        )
    return steps


def _outlines(session: Session) -> dict[int, tuple[runtime.OutlineStep, ...]]:
    """Every version's steps, of every process."""
    return {
        row.id: outline_of(session, row.id, row.content_hash)
        for row in session.execute(select(ProcessDefinition.id, ProcessDefinition.content_hash))
    }


def _processes(session: Session) -> list[Choice]:
    newest = (
        select(ProcessDefinition.key, func.max(ProcessDefinition.version).label("version"))
        .group_by(ProcessDefinition.key)
        .subquery()
    )
    rows = session.execute(
        select(ProcessDefinition.key, ProcessDefinition.name)
        .join(
            newest,
            (newest.c.key == ProcessDefinition.key)
            & (newest.c.version == ProcessDefinition.version),
        )
        .order_by(ProcessDefinition.key)
    ).all()
    return [Choice(row.key, row.name or row.key) for row in rows]


_TIMESCALE_WORD = re.compile(r"\b[a-z][a-z0-9_]*\b")


def _spelt(rule: str, timescales: dict[str, Any]) -> str:
    """The rule with each area timescale it names followed by its working days."""
    if rule.startswith("the date "):
        return rule
    return _TIMESCALE_WORD.sub(
        lambda found: (
            f"{found.group()} ({timescales[found.group()]} working days)"
            if found.group() in timescales
            else found.group()
        ),
        rule,
    )


@dataclass
class _Completed:
    histogram: dict[int, int] = field(default_factory=dict)
    with_due: int = 0
    on_time: int = 0


def _step(
    element_id: str,
    name: str,
    lane: str,
    due_rule: str,
    completed: dict[str, _Completed],
    waiting: dict[str, tuple[int, int]],
    *,
    elsewhere: bool = False,
) -> StepTiming:
    done = completed.get(element_id, _Completed())
    histogram = sorted(done.histogram.items())
    live, overdue = waiting.get(element_id, (0, 0))
    return StepTiming(
        element_id=element_id,
        name=name,
        lane=lane,
        due_rule=due_rule,
        completed=sum(done.histogram.values()),
        with_due=done.with_due,
        on_time=done.on_time,
        median_days=nearest_rank(histogram, 50),
        p90_days=nearest_rank(histogram, 90),
        waiting=live,
        overdue=overdue,
        elsewhere=elsewhere,
    )


def _of_versions(definition_ids: list[int]) -> ColumnElement[bool]:
    """Tasks of the processes running on these versions: a set of instance ids read from the
    instances' index once. ``+ 0`` keeps SQLite from walking the tasks instance by instance
    through ``ix_tasks_instance_state``, when the partial index of the state wanted holds all
    it needs in order of date."""
    return (Task.instance_id + 0).in_(
        select(ProcessInstance.id).where(ProcessInstance.definition_id.in_(definition_ids))
    )


# The states written out, not bound, so that each database sees in the query the condition
# of the partial index that covers it (``ix_tasks_live_steps``).
_LIVE = Task.state.in_(bindparam("live", LIVE_TASK_STATES, expanding=True, literal_execute=True))


def _first_of_next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _in_period(first_day: date, last_day: date) -> ColumnElement[bool]:
    """The rows that count each task of the period once: the months wholly inside it from the
    months' rows, the days before and after those from the days' rows."""
    months_from = _first_of_next_month(first_day - timedelta(days=1))
    months_to = (last_day + timedelta(days=1)).replace(day=1)
    days = StepDuration.whole_month == false()
    if months_from >= months_to:
        return and_(days, StepDuration.done_on.between(first_day, last_day))
    return or_(
        and_(
            StepDuration.whole_month == true(),
            StepDuration.done_on >= months_from,
            StepDuration.done_on < months_to,
        ),
        and_(days, StepDuration.done_on >= first_day, StepDuration.done_on < months_from),
        and_(days, StepDuration.done_on >= months_to, StepDuration.done_on <= last_day),
    )


def _completed(
    session: Session, definition_ids: list[int], first_day: date, last_day: date
) -> dict[str, _Completed]:
    """Each step's completed tasks of the period by working days taken, summed from the
    counts kept as they completed (``StepDuration``): a row per step, month and working
    days, and per day at the period's ends."""
    query = (
        select(
            StepDuration.spec_name,
            StepDuration.working_days,
            func.sum(StepDuration.tasks),
            func.sum(StepDuration.with_due),
            func.sum(StepDuration.on_time),
        )
        .where(StepDuration.definition_id.in_(definition_ids), _in_period(first_day, last_day))
        .group_by(StepDuration.spec_name, StepDuration.working_days)
    )
    found: dict[str, _Completed] = {}
    for spec_name, taken, tasks, with_due, on_time in session.execute(query):
        if not tasks:
            continue
        step = found.setdefault(task_name(spec_name), _Completed())
        step.histogram[taken] = step.histogram.get(taken, 0) + int(tasks)
        step.with_due += int(with_due)
        step.on_time += int(on_time)
    return found


def _waiting(
    session: Session,
    definition_ids: list[int],
    outlines: dict[int, tuple[runtime.OutlineStep, ...]],
) -> dict[str, tuple[int, int]]:
    """The live tasks of the versions' instances by step, and how many are overdue.

    A live task is a step of the version its instance runs on (a move to another version
    leaves none waiting at a step that version lacks). So the live tasks of a step no version
    outside these has are counted by step alone, from the live tasks' index; only a step
    shared with other versions or processes is counted instance by instance."""
    owners: dict[str, set[int]] = {}
    for definition_id, outline in outlines.items():
        for step in outline:
            owners.setdefault(step.element_id, set()).add(definition_id)
    chosen = set(definition_ids)
    found: dict[str, tuple[int, int]] = {}
    shared: dict[str, tuple[int, int]] = {}
    today = clock.today()
    for spec_name, tasks, overdue in _live_by_step_everywhere(session, today):
        having = owners.get(task_name(spec_name), set())
        if having and having <= chosen:
            _add_waiting(found, spec_name, tasks, overdue)
        elif having & chosen or not having:
            shared[spec_name] = (tasks, overdue)
    if not shared:
        return found
    # A shared step's tasks are counted through the instances of whichever side has fewer:
    # these versions', or the other versions' having the step, taken from all of them.
    outside = set().union(*(owners.get(task_name(name), set()) for name in shared)) - chosen
    if all(owners.get(task_name(name)) for name in shared) and _fewer(session, outside, chosen):
        query = _live_by_step(today).where(
            Task.spec_name.in_(list(shared)), _of_versions(sorted(outside))
        )
        elsewhere = {name: (tasks, overdue) for name, tasks, overdue in session.execute(query)}
        for name, (tasks, overdue) in shared.items():
            other_tasks, other_overdue = elsewhere.get(name, (0, 0))
            _add_waiting(found, name, tasks - other_tasks, overdue - other_overdue)
        return found
    query = _live_by_step(today).where(
        Task.spec_name.in_(list(shared)), _of_versions(definition_ids)
    )
    for spec_name, tasks, overdue in session.execute(query):
        _add_waiting(found, spec_name, tasks, overdue)
    return found


def _fewer(session: Session, some: set[int], others: set[int]) -> bool:
    """Whether the versions ``some`` have fewer instances than ``others``."""
    if not some:
        return False
    counts = dict(
        session.execute(
            select(ProcessInstance.definition_id, func.count())
            .where(ProcessInstance.definition_id.in_(sorted(some | others)))
            .group_by(ProcessInstance.definition_id)
        ).all()
    )
    return sum(counts.get(i, 0) for i in some) < sum(counts.get(i, 0) for i in others)


def _live_by_step(today: date) -> Select[str, int, int]:
    return (
        select(
            Task.spec_name,
            func.count(),
            func.coalesce(func.sum(case((Task.due_on < today, 1), else_=0)), 0),
        )
        .where(_LIVE)
        .group_by(Task.spec_name)
    )


def _live_by_step_everywhere(session: Session, today: date) -> list[tuple[str, int, int]]:
    """Every process's live tasks by step, from ``ix_tasks_live_steps``, which holds all the
    query needs. SQLite is told to read that index: it would rather read each task's row,
    found through the index of the state and the day to chase."""
    hint = " INDEXED BY ix_tasks_live_steps" if session.get_bind().dialect.name == "sqlite" else ""
    query = text(
        "SELECT spec_name, count(*), coalesce(sum(CASE WHEN due_on < :today THEN 1 ELSE 0 END), 0)"
        f" FROM tasks{hint} WHERE {LIVE_TASKS_SQL} GROUP BY spec_name"
    ).bindparams(bindparam("today", today, type_=Date))
    return [(name, int(tasks), int(overdue)) for name, tasks, overdue in session.execute(query)]


def _add_waiting(
    found: dict[str, tuple[int, int]], spec_name: str, tasks: int, overdue: int
) -> None:
    name = task_name(spec_name)
    live, late = found.get(name, (0, 0))
    found[name] = (live + tasks, late + int(overdue))
