"""`casereview demo-load`: many cases at every stage, which the service works on like any."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import func, or_, select

from development.demo_load import STAGE_WEIGHTS
from engine.chasing.escalation import chase_due
from engine.core import audit, clock
from engine.core.config import load_settings
from engine.core.db import connect
from engine.core.models import (
    AuditEvent,
    Case,
    CaseParticipant,
    District,
    Incident,
    ProcessInstance,
    StepDuration,
    Task,
    TaskCandidate,
    User,
)
from engine.people.accounts import get_user
from engine.procedure import complete_task
from engine.work.inbox import list_tasks
from tests.support.files import ROOT

CASES = 120


def invoke(env: dict[str, str], *args: str):
    from cli import main

    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


@pytest.fixture
def loaded(blank_url: str, tmp_path: Path) -> dict[str, str]:
    env = {
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_WORKFLOWS_DIR": str(ROOT / "workflows"),
        "CASEREVIEW_CLOCK_START": "",
    }
    assert invoke(env, "init", "--demo").exit_code == 0
    result = invoke(env, "demo-load", "--cases", str(CASES))
    assert result.exit_code == 0, result.output
    assert f"Added {CASES} cases" in result.output
    return env


def test_demo_load_adds_cases_at_every_stage_in_every_district(loaded) -> None:
    database = connect(loaded["CASEREVIEW_DATABASE_URL"])
    with database.read() as session:
        demo_cases = 7  # from init --demo
        assert session.scalar(select(func.count()).select_from(Case)) == demo_cases + CASES
        statuses = set(session.scalars(select(Case.status)))
        assert {
            "received",
            "screening",
            "awaiting_information",
            "threshold_decision",
            "review_being_arranged",
            "action_plan",
            "appeal_lodged",
            "closed",
        } <= statuses
        districts = session.scalar(select(func.count(func.distinct(Case.district_id))))
        assert districts == session.scalar(select(func.count()).select_from(District))
        assert session.scalar(select(func.count()).select_from(Incident)) >= 2 * CASES
        # Every task row has its candidates, and they carry their case's district.
        uncovered = session.scalar(
            select(func.count())
            .select_from(Task)
            .where(~Task.id.in_(select(TaskCandidate.task_id)))
        )
        assert uncovered == 0
        wrong_district = session.scalar(
            select(func.count())
            .select_from(TaskCandidate)
            .join(Task, Task.id == TaskCandidate.task_id)
            .join(Case, Case.id == Task.case_id)
            .where(TaskCandidate.district_id != Case.district_id)
        )
        assert wrong_district == 0
        # Every candidate takes part in its case (need-to-know holds): its organisation as a
        # whole, or the one person named on it, as the chair's task names the chair.
        outsiders = session.scalar(
            select(func.count())
            .select_from(TaskCandidate)
            .join(Task, Task.id == TaskCandidate.task_id)
            .where(
                ~select(CaseParticipant.id)
                .where(
                    CaseParticipant.case_id == Task.case_id,
                    CaseParticipant.organisation_id == TaskCandidate.organisation_id,
                    or_(
                        CaseParticipant.user_id.is_(None),
                        CaseParticipant.user_id == TaskCandidate.user_id,
                    ),
                )
                .exists()
            )
        )
        assert outsiders == 0
        # The chair's tasks name the case's chair; no other candidate names anyone.
        named = session.execute(
            select(Task.role, TaskCandidate.user_id, CaseParticipant.user_id)
            .join(TaskCandidate, TaskCandidate.task_id == Task.id)
            .outerjoin(
                CaseParticipant,
                (CaseParticipant.case_id == Task.case_id) & (CaseParticipant.role == "chair"),
            )
            .where((Task.role == "chair") | TaskCandidate.user_id.is_not(None))
        ).all()
        assert named and all(
            role == "chair" and person is not None and person == chair
            for role, person, chair in named
        )
        states = dict(session.execute(select(Task.state, func.count()).group_by(Task.state)).all())
        assert states.get("open") and states.get("claimed") and states.get("completed")
        today = clock.today()
        assert session.scalar(
            select(func.count()).where(Task.state.in_(["open", "claimed"]), Task.due_on < today)
        ), "some live tasks are overdue"
        assert session.scalar(select(func.max(Task.escalation_level))) >= 1
        oldest = session.scalar(select(func.min(Case.received_on)))
        assert oldest < today - timedelta(days=365 * 5), "closed cases go back years"
        assert session.scalar(
            select(func.count()).where(AuditEvent.action == "case.demo_loaded")
        ) == CASES - len(STAGE_WEIGHTS)
    database.dispose()


def test_demo_users_find_loaded_work_and_can_complete_it(loaded) -> None:
    database = connect(loaded["CASEREVIEW_DATABASE_URL"])
    settings = load_settings(loaded)
    with database.read() as session:
        users = {
            email: get_user(session, user_id)
            for user_id, email in session.execute(select(User.id, User.email))
        }
        police = users["police@derbyshire.example.org"]
        waiting = list_tasks(session, police, "organisation")
        assert waiting, "the police inbox lists loaded tasks"
        assert len({row.district_key for row in waiting}) > 1
        manager = users["manager@dales.example.org"]
        assert list_tasks(session, manager, "overdue"), "a manager sees overdue work"
        copied = session.scalar(
            select(Task)
            .join(TaskCandidate, TaskCandidate.task_id == Task.id)
            .where(
                Task.form == "information_return",
                Task.spec_name == "police_return",
                Task.state == "open",
                TaskCandidate.organisation_id == police.organisation_id,
            )
            .order_by(Task.id.desc())
            .limit(1)
        )
        reference = session.get(Case, copied.case_id).reference
    data = {"incidents": [], "actions_taken": "Advice given", "view": "Supports a review"}
    complete_task(database, copied.id, police, data, forms_dir=settings.forms_dir)
    with database.read() as session:
        assert session.get(Task, copied.id).state == "completed"
        instance = session.get(ProcessInstance, copied.instance_id)
        assert f'"{reference}"' in instance.workflow_json, "the copy's workflow is its own"
    # The sweep can chase the loaded tasks.
    with database.read() as session:
        first = session.scalar(
            select(func.min(Task.next_chase_on)).where(Task.state.in_(["open", "claimed"]))
        )
    with clock.using_clock(clock.FixedClock(datetime.combine(first, time(9)))):
        done = chase_due(database)
    assert done.reminded + done.escalated >= 1
    database.dispose()


def test_the_loaded_cases_keep_the_audit_trail_whole(loaded) -> None:
    """Each copy's event is chained like any recorded one, so `audit verify` still passes and
    the service goes on adding to the same chain."""
    database = connect(loaded["CASEREVIEW_DATABASE_URL"])
    with database.read() as session:
        report = audit.verify(session)
        assert report.intact, str(report.broken)
        loaded_events = session.scalar(
            select(func.count()).where(AuditEvent.action == "case.demo_loaded")
        )
        assert loaded_events == CASES - len(STAGE_WEIGHTS)
    with database.transaction() as session:
        audit.record(session, "test.after_demo_load")
    with database.read() as session:
        after = audit.verify(session)
    assert after.intact and after.events == report.events + 1
    database.dispose()


def test_the_loaded_cases_completed_steps_are_counted_for_how_the_procedure_runs(
    loaded,
) -> None:
    """Copies written in bulk count their completed tasks' durations, as completing them
    would have: every completed task once, on its version."""
    database = connect(loaded["CASEREVIEW_DATABASE_URL"])
    with database.read() as session:
        by_version = dict(
            session.execute(
                select(ProcessInstance.definition_id, func.count())
                .join(Task, Task.instance_id == ProcessInstance.id)
                .where(Task.state == "completed")
                .group_by(ProcessInstance.definition_id)
            ).all()
        )
        counted = dict(
            session.execute(
                select(StepDuration.definition_id, func.sum(StepDuration.tasks))
                .where(StepDuration.whole_month.is_(False))
                .group_by(StepDuration.definition_id)
            ).all()
        )
    database.dispose()
    assert by_version and counted == by_version


def test_demo_load_needs_init_demo(blank_url: str, tmp_path: Path) -> None:
    env = {
        "CASEREVIEW_DATABASE_URL": blank_url,
        "CASEREVIEW_INSTANCE_DIR": str(tmp_path / "instance"),
        "CASEREVIEW_WORKFLOWS_DIR": str(ROOT / "workflows"),
    }
    assert invoke(env, "init").exit_code == 0
    result = invoke(env, "demo-load", "--cases", "50")
    assert result.exit_code == 1
    assert "casereview init --demo" in result.output
