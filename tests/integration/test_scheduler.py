"""The scheduler: one leader among several processes, taking over when the leader dies, and
`casereview run-due` for cron jobs and tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, insert, select, text

from engine import procedure
from engine.cases.opening import open_case
from engine.chasing.leader import AdvisoryLockLeadership, LeaseLeadership, current_leader
from engine.core.db import Database, connect
from engine.core.models import (
    APSCHEDULER_JOBS_TABLE,
    AuditEvent,
    Notification,
    Organisation,
    ProcessDefinition,
    ProcessInstance,
    Task,
    TaskCandidate,
)
from engine.runtime import deploy
from tests.support.databases import only_on
from tests.support.files import ROOT, TEST_FORMS, service_workflows
from tests.support.mail import SmtpServer
from tests.support.runtime import one_task_diagram

# The scheduler processes' clock: a week after the tasks below were created and fell due.
SCHEDULER_CLOCK = "2026-03-10T09:00"


def wait_until(predicate: Callable[[], bool], seconds: float = 60) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


# --- leadership, in one process --------------------------------------------------------------


def test_a_lease_has_one_holder_until_it_expires(empty_db: Database) -> None:
    moment = [datetime.now(UTC)]
    ttl = timedelta(seconds=20)
    first = LeaseLeadership(empty_db, ttl=ttl, holder="first", now=lambda: moment[0])
    second = LeaseLeadership(empty_db, ttl=ttl, holder="second", now=lambda: moment[0])
    assert first.hold()
    assert not second.hold()
    assert current_leader(empty_db).holder == "first"
    moment[0] += timedelta(seconds=15)
    assert first.hold(), "the holder renews its lease"
    moment[0] += timedelta(seconds=15)
    assert not second.hold(), "a renewed lease has not expired"
    moment[0] += timedelta(seconds=10)
    assert second.hold(), "a lease its holder stopped renewing is taken over"
    assert not first.hold(), "and the old holder knows it no longer leads"
    second.release()
    assert first.hold(), "a released lease is free at once"


@only_on("postgresql")  # advisory locks are PostgreSQL's; SQLite uses the lease
def test_an_advisory_lock_passes_on_when_its_holder_dies(database_url: str) -> None:
    database = connect(database_url)
    name = f"test-{uuid.uuid4().hex[:8]}"
    first = AdvisoryLockLeadership(database, name, holder="first")
    second = AdvisoryLockLeadership(database, name, holder="second")
    try:
        assert first.hold() and first.hold()
        assert not second.hold()
        with database.writer.begin() as connection:
            # This database's locks only: other tests' databases share the server.
            holders = connection.execute(
                text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                )
            ).scalar()
        assert holders == 1, "holding again does not stack up locks"
        # The holder's session ends as if its process were killed.
        pid = first._connection.connection.dbapi_connection.info.backend_pid
        with database.writer.begin() as connection:
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        assert wait_until(second.hold, 10), "the lock is free once its session ends"
        assert not first.hold(), "the old holder finds it has lost the lock"
        assert current_leader(database, name).holder == "second"
        second.release()
        assert first.hold()
    finally:
        first.release()
        second.release()
        database.dispose()


# --- `casereview scheduler` processes --------------------------------------------------------


class Scheduler:
    """A real `casereview scheduler` process, its output kept in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._file = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "cli", "scheduler"],
            env=env,
            cwd=ROOT,
            stdout=self._file,
            stderr=subprocess.STDOUT,
        )

    def output(self) -> str:
        return self.log.read_text()

    def leads(self) -> bool:
        return " leads: sweeps every " in self.output()

    def stands_by(self) -> bool:
        return "stands by while another process leads" in self.output()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._file.close()


@pytest.fixture
def scheduler_env(blank_url: str, tmp_path: Path) -> Iterator[dict[str, str]]:
    env = {
        **os.environ,
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_WORKFLOWS_DIR": str(service_workflows(tmp_path / "workflows")),
        "CASEREVIEW_SCHEDULER_INTERVAL": "1",
        "CASEREVIEW_CLOCK_START": SCHEDULER_CLOCK,
    }
    env.pop("CASEREVIEW_SMTP_URL", None)
    subprocess.run(
        [sys.executable, "-m", "cli", "init"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    yield env


def overdue_task(database: Database) -> int:
    """A task created on 2 March and due on 9 March: overdue at the schedulers' clock."""
    with database.transaction() as session:
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        procedure.start_process(session, case, "chased")
        return session.scalar(select(Task.id).where(Task.case_id == case.id))


def escalation_events(database: Database, task_id: int) -> int:
    with database.read() as session:
        return session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "task.escalated", AuditEvent.object_id == str(task_id))
        )


def test_two_schedulers_one_leads_and_the_other_takes_over_when_it_is_killed(
    scheduler_env: dict[str, str], tmp_path: Path, fixed_clock
) -> None:
    database = connect(scheduler_env["CASEREVIEW_DATABASE_URL"])
    with database.transaction() as session:
        deploy(
            session,
            one_task_diagram("chased", "council"),
            filename="chased.bpmn",
            forms_dir=TEST_FORMS,
        )
    first_task = overdue_task(database)
    one = Scheduler(scheduler_env, tmp_path / "one.log")
    two = Scheduler(scheduler_env, tmp_path / "two.log")
    try:
        assert wait_until(lambda: one.leads() or two.leads()), one.output() + two.output()
        leader, other = (one, two) if one.leads() else (two, one)
        assert wait_until(other.stands_by), other.output()
        assert wait_until(lambda: escalation_events(database, first_task) == 1)
        assert not other.leads(), "only one process acts at a time"
        with database.read() as session:
            jobs = session.execute(text(f"SELECT id FROM {APSCHEDULER_JOBS_TABLE}")).scalars()
            assert list(jobs) == ["casereview-run-due"], "the job lives in the application database"
        assert str(leader.process.pid) in current_leader(database).holder

        leader.kill()
        second_task = overdue_task(database)
        assert wait_until(other.leads), other.output()
        assert wait_until(lambda: escalation_events(database, second_task) == 1)
        assert str(other.process.pid) in current_leader(database).holder
        assert escalation_events(database, first_task) == 1, "nothing is done twice"
    finally:
        one.stop()
        two.stop()
        database.dispose()
    assert "Traceback" not in one.output() + two.output()


def test_a_scheduler_killed_mid_sweep_leaves_nothing_done_twice_or_undone(
    scheduler_env: dict[str, str], tmp_path: Path, fixed_clock
) -> None:
    database = connect(scheduler_env["CASEREVIEW_DATABASE_URL"])
    total = 3000
    with database.transaction() as session:
        case = open_case(session, "derbyshire-dales", date(2026, 3, 2))
        council = session.scalar(
            select(Organisation.id).where(Organisation.key == "derbyshire-dales-district-council")
        )
        definition = session.scalar(select(ProcessDefinition.id).limit(1))
        instance = ProcessInstance(
            definition_id=definition,
            case_id=case.id,
            workflow_json="{}",
            started_at=fixed_clock.now(),
            updated_at=fixed_clock.now(),
        )
        session.add(instance)
        session.flush()
        # Task rows alone are what the sweep reads: written in bulk, overdue since 9 March.
        session.execute(
            insert(Task),
            [
                {
                    "instance_id": instance.id,
                    "case_id": case.id,
                    "spiff_task_id": str(uuid.uuid4()),
                    "spec_name": "work",
                    "title": f"Work {n}",
                    "role": "council",
                    "form": "test_acknowledge",
                    "state": "open",
                    "due_on": date(2026, 3, 9),
                    "next_chase_on": date(2026, 3, 10),
                    "created_at": fixed_clock.now(),
                }
                for n in range(total)
            ],
        )
        session.execute(
            insert(TaskCandidate),
            [
                {"task_id": task_id, "organisation_id": council, "state": "open"}
                for task_id in session.scalars(select(Task.id))
            ],
        )

    def escalated() -> int:
        with database.read() as session:
            return session.scalar(
                select(func.count()).select_from(Task).where(Task.escalation_level == 1)
            )

    first = Scheduler(scheduler_env, tmp_path / "first.log")
    try:
        assert wait_until(lambda: escalated() > 0), first.output()
        first.kill()
    finally:
        first.stop()
    at_kill = escalated()
    assert 0 < at_kill < total, "killed in the middle of the sweep"

    second = Scheduler(scheduler_env, tmp_path / "second.log")
    try:
        assert wait_until(lambda: escalated() == total), second.output()
    finally:
        second.stop()
    with database.read() as session:
        audited = session.execute(
            select(AuditEvent.object_id, func.count())
            .where(AuditEvent.action == "task.escalated")
            .group_by(AuditEvent.object_id)
        ).all()
        written = session.execute(
            select(Notification.task_id, func.count()).group_by(Notification.task_id)
        ).all()
    database.dispose()
    assert len(audited) == total and {count for _, count in audited} == {1}
    assert len(written) == total and {count for _, count in written} == {1}


# --- `casereview run-due` --------------------------------------------------------------------


def invoke(env: dict[str, str], *args: str):  # type: ignore[no-untyped-def]
    from cli import main

    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def test_run_due_runs_every_sweep_and_says_what_it_did(
    scheduler_env: dict[str, str], fixed_clock
) -> None:
    env = {**scheduler_env, "CASEREVIEW_CLOCK_START": ""}
    database = connect(env["CASEREVIEW_DATABASE_URL"])
    with database.transaction() as session:
        deploy(
            session,
            one_task_diagram("chased", "council"),
            filename="chased.bpmn",
            forms_dir=TEST_FORMS,
        )
    overdue_task(database)
    database.dispose()

    before = invoke(env, "run-due", "--now", "2026-03-04T09:00")
    assert before.exit_code == 0, before.output
    assert before.output == (
        "At 2026-03-04T09:00+00:00: timers fired: 0, check ins sent: 0, tasks reminded: 0, "
        "tasks escalated: 0, information requests chased: 0, digests sent: 0\n"
    )
    result = invoke(env, "run-due", "--now", "2026-03-05T09:00")
    assert result.output.splitlines() == [
        "At 2026-03-05T09:00+00:00: timers fired: 0, check ins sent: 0, tasks reminded: 1, "
        "tasks escalated: 0, information requests chased: 0, digests sent: 0",
        "No mail server is configured (CASEREVIEW_SMTP_URL): 1 message(s) wait in the outbox",
    ], "with no officer in the council, its shared mailbox is reminded"

    server = SmtpServer().start()
    try:
        mailing = {**env, "CASEREVIEW_SMTP_URL": server.url}
        result = invoke(mailing, "run-due", "--now", "2026-03-10T09:00")
        assert result.exit_code == 0, result.output
        assert result.output == (
            "At 2026-03-10T09:00+00:00: timers fired: 0, check ins sent: 0, tasks reminded: 0, "
            "tasks escalated: 1, information requests chased: 0, digests sent: 0, "
            "mails sent: 2, mails to retry: 0, mails failed: 0\n"
        )
        assert len(server.mailbox.messages) == 2
    finally:
        server.stop()

    wrong = invoke({**env, "CASEREVIEW_SMTP_URL": "mail.example.gov.uk"}, "run-due")
    assert wrong.exit_code == 1
    assert "CASEREVIEW_SMTP_URL must start smtp:// or smtps://" in wrong.output
