"""Chasing late work: reminders before the due date, then escalation level by level."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import func, select

from engine import procedure
from engine.chasing.escalation import chase_due
from engine.core.area import AreaFileError, parse_area
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import DeploymentRefused
from engine.core.models import Notification, User
from engine.procedure.sweeps import run_due
from engine.runtime import claim_task
from tests.support.chasing import add_manager, audit_actions, task_row, told
from tests.support.files import FIXTURES, RAW, TEST_FORMS
from tests.support.people import user
from tests.support.runtime import at, deploy_diagram, one_task_diagram, start

DALES_SPOC = "community.trigger@derbyshiredales.example.gov.uk"


# --- settings --------------------------------------------------------------------------------


def test_area_escalation_settings_are_read_and_checked() -> None:
    levels = parse_area(RAW).settings["escalation"]["levels"]
    assert levels == [
        {"after": 1, "to": ["organisation_managers"], "roles": {}},
        {
            "after": 5,
            "to": ["district_spoc", "lead_council_managers"],
            "roles": {"opcc": ["opcc_managers"]},
        },
    ]
    without = copy.deepcopy(RAW)
    del without["escalation"]
    assert parse_area(without).settings["escalation"]["levels"] == levels, "the defaults"

    def refused(change) -> str:  # type: ignore[no-untyped-def]
        raw = copy.deepcopy(RAW)
        change(raw)
        with pytest.raises(AreaFileError) as error:
            parse_area(raw)
        return str(error.value)

    assert "at least 1" in refused(lambda r: r["escalation"]["levels"][0].update(after=0))
    assert "'chief_executive' is not one of" in refused(
        lambda r: r["escalation"]["levels"][1].update(to=["chief_executive"])
    )
    assert "not an email address" in refused(
        lambda r: r["escalation"]["levels"][1].update(to=["someone@nowhere"])
    )
    assert "'constables' is not a lane role" in refused(
        lambda r: r["escalation"]["levels"][1].update(roles={"constables": ["opcc_managers"]})
    )
    assert "reminder_days must be a whole number" in refused(
        lambda r: r["settings"].update(reminder_days="two")
    )


@pytest.mark.parametrize(
    "properties, words",
    [
        ({"reminder_days": "soon"}, "reminder_days 'soon' must be a whole number"),
        ({"escalation_days": "1, 0"}, "at least 1 working day"),
        ({"escalation_to": "organisation_managers; the_mayor"}, "'the_mayor' is not one of"),
        (
            {"escalation_days": "1, 5", "escalation_to": "district_spoc"},
            "gives 2 level(s) but escalation_to gives 1",
        ),
    ],
)
def test_a_diagram_with_unusable_chasing_properties_is_refused(
    db: Database, properties: dict[str, str], words: str
) -> None:
    with pytest.raises(DeploymentRefused) as refused:
        deploy_diagram(db, one_task_diagram("chased", "council", properties))
    assert "work: " in str(refused.value) and words in str(refused.value), str(refused.value)


@pytest.mark.parametrize(
    "timer",
    [
        b'<bpmn:timeDate>"next Tuesday"</bpmn:timeDate>',
        b'<bpmn:timeCycle>"every day"</bpmn:timeCycle>',
    ],
)
def test_a_timer_that_cannot_be_parsed_is_refused_at_deploy(db: Database, timer: bytes) -> None:
    diagram = (FIXTURES / "review_test.bpmn").read_bytes()
    broken = diagram.replace(b'<bpmn:timeDuration>"P10D"</bpmn:timeDuration>', timer)
    assert broken != diagram
    with pytest.raises(DeploymentRefused) as refused:
        deploy_diagram(db, broken)
    assert "decision_overdue: the timer" in str(refused.value)
    assert "is not ISO 8601" in str(refused.value)


# --- the timescales, walked with the clock ---------------------------------------------------


def test_reminder_then_each_escalation_level_once(db: Database, fixed_clock: FixedClock) -> None:
    deploy_diagram(db, one_task_diagram("chased", "council"))
    task_id = start(db, "chased")  # Monday 2 March 2026, due 5 working days later
    task = task_row(db, task_id)
    assert task.due_on == date(2026, 3, 9)
    assert task.next_chase_on == date(2026, 3, 5), "reminded 2 working days before"
    assert task.chase is None, "the diagram overrides nothing"

    fixed_clock.set(at(date(2026, 3, 4)))
    assert run_due(db)["tasks_reminded"] == 0
    assert told(db, task_id, "reminder") == []

    fixed_clock.set(at(date(2026, 3, 5)))
    assert run_due(db) == {
        "timers_fired": 0,
        "check_ins_sent": 0,
        "tasks_reminded": 1,
        "tasks_escalated": 0,
        "information_requests_chased": 0,
        "digests_sent": 0,
    }
    # Unclaimed: its organisation's officers are reminded, not the manager.
    assert told(db, task_id, "reminder") == ["council2@example.org", "council@example.org"]
    assert run_due(db)["tasks_reminded"] == 0, "a second sweep the same day sends nothing"
    task = task_row(db, task_id)
    assert task.reminded_at == fixed_clock.now()
    assert (task.escalation_level, task.next_chase_on) == (0, date(2026, 3, 10))

    fixed_clock.set(at(date(2026, 3, 9), 17))
    assert run_due(db)["tasks_escalated"] == 0, "due today is not yet overdue"

    fixed_clock.set(at(date(2026, 3, 10)))  # the working day after the due date
    assert run_due(db)["tasks_escalated"] == 1
    assert told(db, task_id, "escalation") == ["manager@example.org"]
    assert run_due(db)["tasks_escalated"] == 0
    task = task_row(db, task_id)
    assert (task.escalation_level, task.escalated_at) == (1, fixed_clock.now())
    assert task.next_chase_on == date(2026, 3, 17), "level 2 five working days later"

    fixed_clock.set(at(date(2026, 3, 16)))
    assert run_due(db)["tasks_escalated"] == 0
    fixed_clock.set(at(date(2026, 3, 17)))
    assert run_due(db)["tasks_escalated"] == 1
    with db.read() as session:
        level_two = session.scalars(
            select(Notification).where(
                Notification.key.like(f"escalation:task:{task_id}:level:2:%")
            )
        ).all()
    assert {(n.email, n.user_id is None) for n in level_two} == {
        (DALES_SPOC, True),
        ("manager@example.org", False),
    }
    assert "is 6 working days overdue" in level_two[0].body
    assert "escalated (level 1) on Tuesday 10 March 2026" in level_two[0].body
    task = task_row(db, task_id)
    assert (task.escalation_level, task.next_chase_on) == (2, None), "no level is left"

    fixed_clock.set(at(date(2026, 4, 30)))
    assert run_due(db) == {
        "timers_fired": 0,
        "check_ins_sent": 0,
        "tasks_reminded": 0,
        "tasks_escalated": 0,
        "information_requests_chased": 0,
        "digests_sent": 0,
    }
    steps = audit_actions(db, task_id)
    assert [(action, detail.get("level")) for action, detail in steps] == [
        ("task.reminded", None),
        ("task.escalated", 1),
        ("task.escalated", 2),
    ]
    assert steps[2][1]["to"] == [DALES_SPOC, "manager@example.org"]


def test_a_claimed_task_reminds_whoever_holds_it(db: Database, fixed_clock: FixedClock) -> None:
    deploy_diagram(db, one_task_diagram("chased", "police"))
    task_id = start(db, "chased")
    claim_task(db, task_id, user(db, "police2@example.org"))
    fixed_clock.set(at(date(2026, 3, 5)))
    chase_due(db)
    assert told(db, task_id, "reminder") == ["police2@example.org"]
    with db.read() as session:
        reminder = session.scalar(
            select(Notification).where(
                Notification.task_id == task_id, Notification.kind == "reminder"
            )
        )
        holder = session.scalar(select(User).where(User.email == "police2@example.org"))
    assert reminder.user_id == holder.id, "shown to its holder in the service too"
    assert reminder.subject.startswith("Reminder: 'Do the work' for case CT-2026-")
    assert "due in 2 working days" in reminder.subject
    assert "You hold this task" in reminder.body


def test_a_task_done_in_time_is_not_chased(db: Database, fixed_clock: FixedClock) -> None:
    deploy_diagram(db, one_task_diagram("chased", "council"))
    task_id = start(db, "chased")
    procedure.complete_task(
        db, task_id, user(db, "council@example.org"), {"note": "done"}, forms_dir=TEST_FORMS
    )
    for day in (5, 10, 17):
        fixed_clock.set(at(date(2026, 3, day)))
        assert chase_due(db).reminded + chase_due(db).escalated == 0
    with db.read() as session:
        chased = select(func.count()).where(Notification.kind.in_(["reminder", "escalation"]))
        assert session.scalar(chased) == 0


def test_a_task_overrides_the_reminder_and_the_levels(
    db: Database, fixed_clock: FixedClock
) -> None:
    add_manager(db, "opcc.manager@example.org", "opcc-derbyshire")
    properties = {
        "reminder_days": "1",
        "escalation_days": "2, 3",
        "escalation_to": "assignee; opcc_managers, asb.lead@example.gov.uk",
    }
    deploy_diagram(db, one_task_diagram("overridden", "housing", properties))
    task_id = start(db, "overridden")
    task = task_row(db, task_id)
    assert task.chase == {
        "reminder_days": 1,
        "escalation_days": [2, 3],
        "escalation_to": [["assignee"], ["opcc_managers", "asb.lead@example.gov.uk"]],
    }
    assert task.next_chase_on == date(2026, 3, 6), "one working day before Monday 9 March"
    fixed_clock.set(at(date(2026, 3, 6)))
    assert chase_due(db).reminded == 1
    assert told(db, task_id, "reminder") == ["housing@example.org"]
    fixed_clock.set(at(date(2026, 3, 10)))
    assert chase_due(db).escalated == 0, "level 1 comes 2 working days after the due date"
    fixed_clock.set(at(date(2026, 3, 11)))
    assert chase_due(db).escalated == 1
    assert told(db, task_id, "escalation") == ["housing@example.org"]
    fixed_clock.set(at(date(2026, 3, 16)))
    assert chase_due(db).escalated == 1
    assert told(db, task_id, "escalation") == [
        "asb.lead@example.gov.uk",
        "housing@example.org",
        "opcc.manager@example.org",
    ]


def test_a_task_may_have_no_reminder_and_no_escalation(
    db: Database, fixed_clock: FixedClock
) -> None:
    properties = {"reminder_days": "0", "escalation_days": "none"}
    deploy_diagram(db, one_task_diagram("quiet", "council", properties))
    task_id = start(db, "quiet")
    assert task_row(db, task_id).next_chase_on is None
    fixed_clock.set(at(date(2026, 6, 1)))
    assert chase_due(db).reminded + chase_due(db).escalated == 0


def test_a_late_sweep_sends_one_level_and_gives_the_next_its_full_time(
    db: Database, fixed_clock: FixedClock
) -> None:
    """The scheduler was down for weeks: each level still gets its five working days."""
    deploy_diagram(db, one_task_diagram("chased", "council"))
    task_id = start(db, "chased")
    fixed_clock.set(at(date(2026, 4, 1)))
    result = chase_due(db)
    assert (result.reminded, result.escalated) == (0, 1), "no reminder for work already late"
    task = task_row(db, task_id)
    assert task.escalation_level == 1
    assert task.next_chase_on == date(2026, 4, 10), "5 working days, Good Friday excluded"
