"""Chasing late work: reminders before the due date, then escalation level by level."""

from __future__ import annotations

import copy
import threading
from datetime import date

import pytest
from sqlalchemy import event, func, select, update

from engine.chasing.escalation import chase_due
from engine.core.area import AreaFileError, parse_area
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import DeploymentRefused
from engine.core.models import (
    AuditEvent,
    District,
    Notification,
    Organisation,
    Task,
    User,
    UserRole,
)
from engine.people.accounts import add_user
from engine.procedure import steps as procedure
from engine.procedure.sweeps import run_due
from engine.runtime import claim_task, release_task
from tests.support.files import FIXTURES, RAW, TEST_FORMS
from tests.support.people import user
from tests.support.runtime import at, deploy_diagram, one_task_diagram, start

DALES_SPOC = "community.trigger@derbyshiredales.example.gov.uk"


def task_row(db: Database, task_id: int) -> Task:
    with db.read() as session:
        return session.get(Task, task_id)


def told(db: Database, task_id: int, kind: str) -> list[str]:
    """Who was told about a task, by address, sorted."""
    with db.read() as session:
        return sorted(
            session.scalars(
                select(Notification.email).where(
                    Notification.task_id == task_id, Notification.kind == kind
                )
            )
        )


def audit_actions(db: Database, task_id: int) -> list[tuple[str, dict]]:
    with db.read() as session:
        events = session.scalars(
            select(AuditEvent)
            .where(
                AuditEvent.object_type == "task",
                AuditEvent.object_id == str(task_id),
                AuditEvent.action.in_(["task.reminded", "task.escalated"]),
            )
            .order_by(AuditEvent.id)
        ).all()
        return [(e.action, e.detail) for e in events]


def add_manager(db: Database, email: str, organisation: str) -> None:
    with db.transaction() as session:
        add_user(
            session,
            email=email,
            name="A Manager",
            organisation_key=organisation,
            roles=["manager"],
            password="long enough password",
        )


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
    assert run_due(db) == {"timers_fired": 0, "tasks_reminded": 1, "tasks_escalated": 0}
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
    assert run_due(db) == {"timers_fired": 0, "tasks_reminded": 0, "tasks_escalated": 0}
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
        reminder = session.scalar(select(Notification).where(Notification.task_id == task_id))
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
        assert session.scalar(select(func.count()).select_from(Notification)) == 0


def test_appeal_tasks_escalate_to_the_opcc_not_the_council(
    db: Database, fixed_clock: FixedClock
) -> None:
    add_manager(db, "opcc.manager@example.org", "opcc-derbyshire")
    deploy_diagram(db, one_task_diagram("appeal", "opcc"))
    task_id = start(db, "appeal", opcc=True)
    fixed_clock.set(at(date(2026, 3, 5)))
    chase_due(db)
    assert told(db, task_id, "reminder") == ["opcc@example.org"]
    fixed_clock.set(at(date(2026, 3, 10)))
    chase_due(db)
    fixed_clock.set(at(date(2026, 3, 17)))
    chase_due(db)
    assert task_row(db, task_id).escalation_level == 2
    with db.read() as session:
        by_level = session.execute(
            select(Notification.key, Notification.email).where(
                Notification.task_id == task_id, Notification.kind == "escalation"
            )
        ).all()
    assert sorted(email for key, email in by_level if ":level:1:" in key) == [
        "opcc.manager@example.org"
    ]
    assert sorted(email for key, email in by_level if ":level:2:" in key) == [
        "opcc.manager@example.org"
    ], "level 2 of an appeal task goes to the OPCC's managers, not the district's SPOC"


def test_a_chair_s_late_task_is_told_to_the_council_managing_the_review(
    db: Database, fixed_clock: FixedClock
) -> None:
    """A High Peak chair chairs a Dales review. The chair's colleagues take no part in the
    case: the chair is reminded, even of a task handed back, and the Dales council, which
    manages the review, hears when it is late."""
    add_manager(db, "hp.manager@example.org", "high-peak-borough-council")
    with db.transaction() as session:
        add_user(
            session,
            email="hp.caseworker@example.org",
            name="A Caseworker",
            organisation_key="high-peak-borough-council",
            roles=["caseworker"],
            password="long enough password",
        )
    deploy_diagram(db, one_task_diagram("chaired", "chair"))
    chair = user(db, "chair@example.org")

    held, handed_back = start(db, "chaired", chair=chair), start(db, "chaired", chair=chair)
    assert task_row(db, held).assignee_id == chair.id
    release_task(db, handed_back, chair)
    fixed_clock.set(at(date(2026, 3, 5)))
    assert chase_due(db).reminded == 2
    assert told(db, held, "reminder") == ["chair@example.org"]
    assert told(db, handed_back, "reminder") == ["chair@example.org"]
    with db.read() as session:
        waiting = session.scalar(
            select(Notification.body).where(Notification.task_id == handed_back)
        )
    assert "it is waiting for Chair of High Peak Borough Council." in waiting
    assert "can no longer sign in" not in waiting

    fixed_clock.set(at(date(2026, 3, 10)))
    assert chase_due(db).escalated == 2
    for task_id in (held, handed_back):
        assert told(db, task_id, "escalation") == ["manager@example.org"]
    assert audit_actions(db, held)[-1][1]["to"] == ["manager@example.org"]


@pytest.mark.parametrize("gone", ["deactivated", "no longer working on cases"])
def test_a_chair_who_can_no_longer_sign_in_leaves_the_reminder_to_the_managing_council(
    db: Database, fixed_clock: FixedClock, gone: str
) -> None:
    """No one else may do a chair's task: while the chair cannot sign in or open cases, the
    council that manages the review is reminded, as its managers can give the review another
    chair."""
    deploy_diagram(db, one_task_diagram("chaired", "chair"))
    chair = user(db, "chair@example.org")
    held, handed_back = start(db, "chaired", chair=chair), start(db, "chaired", chair=chair)
    release_task(db, handed_back, chair)
    can_no_longer_work(db, chair.id, gone)

    fixed_clock.set(at(date(2026, 3, 5)))
    assert chase_due(db).reminded == 2
    for task_id in (held, handed_back):
        assert told(db, task_id, "reminder") == ["manager@example.org"]
        reminder = body(db, task_id, "reminder")
        assert "a review chair who can no longer sign in" in reminder
        assert "give the review another chair on the case page" in reminder
        assert "You hold" not in reminder and "waiting for" not in reminder
    fixed_clock.set(at(date(2026, 3, 10)))
    assert chase_due(db).escalated == 2
    for task_id in (held, handed_back):
        assert told(db, task_id, "escalation") == ["manager@example.org"]
        late = body(db, task_id, "escalation")
        assert "a review chair who can no longer sign in" in late
        assert "no one has claimed it" not in late


def test_a_chair_s_task_is_told_to_the_council_in_the_case_after_the_district_moves_on(
    db: Database, fixed_clock: FixedClock
) -> None:
    """A district whose lead council changes keeps its cases with the council that took part
    in them: those managers, who may change the review's chair, hear of its chair's task."""
    add_manager(db, "hp.manager@example.org", "high-peak-borough-council")
    deploy_diagram(db, one_task_diagram("chaired", "chair"))
    chair = user(db, "chair@example.org")
    task_id = start(db, "chaired", chair=chair)
    with db.transaction() as session:
        high_peak = session.scalar(
            select(Organisation.id).where(Organisation.key == "high-peak-borough-council")
        )
        session.execute(
            update(District)
            .where(District.key == "derbyshire-dales")
            .values(lead_council_id=high_peak)
        )
    can_no_longer_work(db, chair.id, "deactivated")

    fixed_clock.set(at(date(2026, 3, 5)))
    assert chase_due(db).reminded == 1
    assert told(db, task_id, "reminder") == ["manager@example.org"]
    fixed_clock.set(at(date(2026, 3, 10)))
    assert chase_due(db).escalated == 1
    assert told(db, task_id, "escalation") == ["manager@example.org"]


@pytest.mark.parametrize("gone", ["deactivated", "no longer working on cases"])
def test_a_task_held_by_someone_who_can_no_longer_do_it_is_told_to_their_managers(
    db: Database, fixed_clock: FixedClock, gone: str
) -> None:
    """Colleagues cannot claim a task someone holds: while its holder cannot sign in or open
    cases, the reminder goes to their organisation's managers, who can give it to someone
    else, and neither it nor the escalation says no one has claimed it."""
    deploy_diagram(db, one_task_diagram("held", "council"))
    task_id = start(db, "held")
    holder = user(db, "council@example.org")
    claim_task(db, task_id, holder)
    can_no_longer_work(db, holder.id, gone)

    fixed_clock.set(at(date(2026, 3, 5)))
    assert chase_due(db).reminded == 1
    assert told(db, task_id, "reminder") == ["manager@example.org"]
    assert "holds it but can no longer sign in or open cases" in body(db, task_id, "reminder")
    assert "No one has claimed it" not in body(db, task_id, "reminder")
    fixed_clock.set(at(date(2026, 3, 10)))
    assert chase_due(db).escalated == 1
    assert "holds it but can no longer sign in or open cases" in body(db, task_id, "escalation")
    assert "no one has claimed it" not in body(db, task_id, "escalation")


def can_no_longer_work(db: Database, user_id: int, gone: str) -> None:
    """The user's access is stopped, or their roles no longer include any that works on cases."""
    with db.transaction() as session:
        if gone == "deactivated":
            session.execute(update(User).where(User.id == user_id).values(active=False))
        else:
            session.execute(
                update(UserRole).where(UserRole.user_id == user_id).values(role="process_owner")
            )


def body(db: Database, task_id: int, kind: str) -> str:
    """What a task's notification of this kind said."""
    with db.read() as session:
        return session.scalar(
            select(Notification.body).where(
                Notification.task_id == task_id, Notification.kind == kind
            )
        )


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


# --- exactly once, at a cost that follows the work due ----------------------------------------


def test_two_sweeps_racing_send_each_step_once(db: Database, fixed_clock: FixedClock) -> None:
    deploy_diagram(db, one_task_diagram("chased", "council"))
    task_ids = [start(db, "chased") for _ in range(12)]
    fixed_clock.set(at(date(2026, 3, 10)))
    barrier = threading.Barrier(2)
    results = []

    def sweep() -> None:
        barrier.wait()
        results.append(chase_due(db, batch_size=5))

    racers = [threading.Thread(target=sweep) for _ in range(2)]
    for racer in racers:
        racer.start()
    for racer in racers:
        racer.join()
    assert sum(r.escalated for r in results) == len(task_ids)
    with db.read() as session:
        escalations = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == "escalation")
        )
        audited = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "task.escalated")
        )
    assert (escalations, audited) == (len(task_ids), len(task_ids))


def test_a_sweep_in_batches_chases_every_due_task_once_whatever_day_it_fell_due(
    db: Database, fixed_clock: FixedClock
) -> None:
    """Batches follow the tasks in the order they fell due to be chased, day then task, which
    is not the order they were made in here: each is chased once, none is left behind."""
    deploy_diagram(db, one_task_diagram("chased", "council"))
    task_ids = []
    for day in (date(2026, 3, 4), date(2026, 3, 2), date(2026, 3, 3)):
        fixed_clock.set(at(day))
        task_ids += [start(db, "chased") for _ in range(3)]
    fixed_clock.set(at(date(2026, 3, 20)))
    result = chase_due(db, batch_size=2)
    assert (result.reminded, result.escalated) == (0, len(task_ids))
    assert {task_row(db, task_id).escalation_level for task_id in task_ids} == {1}
    again = chase_due(db, batch_size=2)
    assert (again.reminded, again.escalated) == (0, 0)


def test_a_sweep_costs_the_same_whatever_the_number_of_open_tasks(
    db: Database, fixed_clock: FixedClock
) -> None:
    """Only tasks due for chasing are read: more open tasks that are not due cost nothing."""
    deploy_diagram(db, one_task_diagram("chased", "council"))
    deploy_diagram(db, one_task_diagram("later", "police", {"due": "30 working days"}))
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    def sweep_statements() -> list[str]:
        statements.clear()
        for engine in db.engines:
            event.listen(engine, "before_cursor_execute", count)
        try:
            assert chase_due(db).escalated == 1
        finally:
            for engine in db.engines:
                event.remove(engine, "before_cursor_execute", count)
        return list(statements)

    fixed_clock.set(at(date(2026, 3, 2)))
    start(db, "chased")
    start(db, "later")
    fixed_clock.set(at(date(2026, 3, 10)))
    few = sweep_statements()

    fixed_clock.set(at(date(2026, 3, 2)))
    start(db, "chased")
    for _ in range(15):
        start(db, "later")
    fixed_clock.set(at(date(2026, 3, 10)))
    many = sweep_statements()

    assert len(many) == len(few)
    assert not any("process_instances" in statement for statement in many), "no workflow read"
