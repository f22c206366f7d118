"""Who is told about late work: the holder, the organisation's shared mailbox, its managers,
the council managing a review, or the OPCC, whoever can still act on it."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from engine.chasing.escalation import chase_due
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import District, Notification, Organisation, User, UserRole
from engine.people.accounts import add_user
from engine.runtime import claim_task, release_task
from tests.support.chasing import add_manager, audit_actions, body, task_row, told
from tests.support.people import user
from tests.support.runtime import at, deploy_diagram, one_task_diagram, start


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
            select(Notification.body).where(
                Notification.task_id == handed_back, Notification.kind == "reminder"
            )
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
