"""Every user task of a whole case completed through the service's API, in process, each
against the engine's floor for the same step (``bench.floor``), interleaved in one run.

For each fresh case and each of its steps: the stored workflow is copied just before the
step, the service completes the task (``POST /api/v1/tasks/{id}/complete`` through Flask's
client, as a caller of the API would), and the floor then runs the same step on the copy with
the data the service gave SpiffWorkflow. A step's ratio is the median of its completions'
times over the median of its floors' times, over the cases.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from flask.testing import FlaskClient
from sqlalchemy import select

from bench.case_steps import PEOPLE, Step, after_appeal, appeal, application, before_appeal
from bench.floor import engine_data, floor_step, stored_step
from bench.measure import Row, ms, say
from bench.round_trips import DriverCount, DriverCounter
from bench.service import api_token, app_for
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import Case, Task
from engine.intake.appeals import submit_appeal
from engine.intake.applications import submit_application


@dataclass
class StepTimes:
    task: str
    service: list[float] = field(default_factory=list)
    floor: list[float] = field(default_factory=list)
    service_cpu: list[float] = field(default_factory=list)
    floor_cpu: list[float] = field(default_factory=list)
    counts: list[DriverCount] = field(default_factory=list)

    @property
    def ratio(self) -> float:
        return statistics.median(self.service) / statistics.median(self.floor)

    @property
    def cpu_ratio(self) -> float:
        return statistics.median(self.service_cpu) / statistics.median(self.floor_cpu)


class CaseDriver:
    """Takes fresh cases through every user task, through the service."""

    def __init__(self, env: dict[str, str], db: Database) -> None:
        self.db = db
        self.settings = load_settings(env)
        self.client: FlaskClient = app_for(env, db).test_client()
        self.headers = {
            email: {"Authorization": f"Bearer {api_token(self.client, email)}"} for email in PEOPLE
        }

    def run_case(self, each_step: Callable[[Step, int], None]) -> None:
        """One fresh case, application to appeal decision: ``each_step`` completes each task
        (through ``complete``) and measures what it will around it."""
        with self.db.transaction() as session:
            case_id = submit_application(session, application(), self.settings).id
        for step in before_appeal():
            each_step(step, self.open_task(case_id, step.task))
        with self.db.transaction() as session:
            reference = session.get_one(Case, case_id).reference
            submit_appeal(session, appeal(reference), self.settings)
        for step in after_appeal():
            each_step(step, self.open_task(case_id, step.task))

    def complete(self, step: Step, task_id: int) -> None:
        answer = self.client.post(
            f"/api/v1/tasks/{task_id}/complete",
            json={"data": step.data},
            headers=self.headers[step.email],
        )
        if answer.status_code != 200:
            raise RuntimeError(
                f"completing {step.task} answered {answer.status_code}: "
                f"{answer.get_data(as_text=True)[:500]}"
            )

    def open_task(self, case_id: int, name: str) -> int:
        with self.db.read() as session:
            open_tasks = dict(
                session.execute(
                    select(Task.spec_name, Task.id).where(
                        Task.case_id == case_id, Task.state.in_(["open", "claimed"])
                    )
                ).all()
            )
        if name not in open_tasks:
            raise RuntimeError(f"no open task {name!r} in the case; open: {sorted(open_tasks)}")
        return open_tasks[name]


def timed_steps(driver: CaseDriver, cases: int) -> list[StepTimes]:
    """``cases`` fresh cases, each step's completion and floor timed one after the other."""
    steps: dict[str, StepTimes] = {}

    def each_step(step: Step, task_id: int) -> None:
        stored = stored_step(driver.db, task_id)
        times = steps.setdefault(step.task, StepTimes(step.task))
        with engine_data() as given:
            started, started_cpu = time.perf_counter(), time.thread_time()
            driver.complete(step, task_id)
            times.service_cpu.append(time.thread_time() - started_cpu)
            times.service.append(time.perf_counter() - started)
        data = given.data
        started, started_cpu = time.perf_counter(), time.thread_time()
        floor_step(stored, data)
        times.floor_cpu.append(time.thread_time() - started_cpu)
        times.floor.append(time.perf_counter() - started)

    driver.run_case(lambda step, task_id: driver.complete(step, task_id))  # warm every path
    for _ in range(cases):
        driver.run_case(each_step)
    return list(steps.values())


def counted_steps(driver: CaseDriver, counter: DriverCounter) -> list[StepTimes]:
    """One more fresh case, each completion's statements and round trips counted at the
    driver; untimed, as counting costs time of its own."""
    steps: list[StepTimes] = []

    def each_step(step: Step, task_id: int) -> None:
        counter.take()
        driver.complete(step, task_id)
        steps.append(StepTimes(step.task, counts=[counter.take()]))

    driver.run_case(each_step)
    return steps


def whole_case(
    env: dict[str, str], db: Database, label: str, cases: int, targets: Mapping[str, float]
) -> list[Row]:
    """The rows: each step's ratio, their median and worst against ``targets`` ("median",
    and "worst" where the issue sets one), and the statements and round trips per
    completion ("round_trips" where there is a target)."""
    driver = CaseDriver(env, db)
    started = time.perf_counter()
    steps = timed_steps(driver, cases)
    took = time.perf_counter() - started
    say(f"  {label}: {cases} whole cases of {len(steps)} steps timed in {took:.0f} s")
    with DriverCounter(db) as counter:
        counted = counted_steps(driver, counter)
    for step in counted:
        count = step.counts[0]
        trips = "" if count.round_trips is None else f", {count.round_trips} round trips"
        say(f"  {step.task:<26} {count.statements} statements{trips}")
    counts = [step.counts[0] for step in counted]
    return step_rows(steps, label, cases, targets) + count_rows(counts, label, targets)


def step_rows(
    steps: list[StepTimes], label: str, cases: int, targets: Mapping[str, float]
) -> list[Row]:
    name = f"Whole case, {label} in process"
    rows = []
    for number, step in enumerate(steps, 1):
        service, floor = statistics.median(step.service), statistics.median(step.floor)
        say(
            f"  {number:2} {step.task:<26} {ms(service):6} ms / {ms(floor):5} ms floor = "
            f"{step.ratio:.2f} (processor time {step.cpu_ratio:.2f})"
        )
        rows.append(
            Row(
                f"{name}: step {number:2} {step.task} / its floor "
                f"({ms(service)} ms / {ms(floor)} ms)",
                round(step.ratio, 2),
                "x",
                "",
                None,
            )
        )
    ratios = [step.ratio for step in steps]
    median, worst = statistics.median(ratios), max(ratios)
    worst_step = steps[ratios.index(worst)].task
    cpu_median = statistics.median(step.cpu_ratio for step in steps)
    about = f"{len(steps)} steps, median of {cases} cases each"
    rows += [
        _target_row(f"{name}: median step / its floor ({about})", median, "x", targets, "median"),
        _target_row(f"{name}: worst step / its floor ({worst_step})", worst, "x", targets, "worst"),
        Row(
            f"{name}: median step / its floor, by processor time (the driver's thread)",
            round(cpu_median, 2),
            "x",
            "",
            None,
        ),
    ]
    return rows


def count_rows(counts: list[DriverCount], label: str, targets: Mapping[str, float]) -> list[Row]:
    name = f"Whole case, {label} in process, at the driver, per completion"
    statements = [count.statements for count in counts]
    rows = [
        Row(
            f"{name}: statements (mean of {len(counts)} steps; most {max(statements)})",
            round(statistics.mean(statements), 1),
            "",
            "",
            None,
        )
    ]
    trips = [count.round_trips for count in counts if count.round_trips is not None]
    if trips:
        rows.append(
            _target_row(
                f"{name}: round trips (mean of {len(trips)} steps; most {max(trips)})",
                statistics.mean(trips),
                "",
                targets,
                "round_trips",
            )
        )
    return rows


def _target_row(name: str, value: float, unit: str, targets: Mapping[str, float], key: str) -> Row:
    value = round(value, 2)
    if key not in targets:
        return Row(name, value, unit, "", None)
    return Row(name, value, unit, f"<= {targets[key]:g}", value <= targets[key])
