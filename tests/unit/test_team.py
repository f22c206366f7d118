"""A manager's view of their team's work: every live task of the organisation by who holds
it, counted, with what is overdue; and a task given to a colleague, who is told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from engine.core import audit
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData, NotAllowed
from engine.core.models import AuditEvent, Notification, Organisation, User
from engine.work import task_view
from engine.work.inbox import team_work
from tests.support.people import COUNCIL, MANAGER, add_people, user
from tests.support.procedure import (
    ACKNOWLEDGED,
    application,
    chaired_meeting,
    do,
    live,
    screened,
    submit,
)
from tests.support.work import rows

COUNCIL2 = "council2@example.org"


def _team(db: Database, email: str = MANAGER, **kwargs):  # noqa: ANN202
    with db.read() as session:
        return team_work(session, user(db, email), **kwargs)


def _shares(team) -> dict[str, tuple[int, int, list[str]]]:  # noqa: ANN001
    """Each holder's count, overdue and the tasks listed, by name."""
    return {
        holder.name: (holder.count, holder.overdue, [row.spec_name for row in holder.rows])
        for holder in (team.unclaimed, *team.people)
    }


def _work(db: Database) -> tuple[int, int, int]:
    """Three Dales cases: one just in (its acknowledgement for anyone to claim), one screened
    by Council (the council's return and risk assessment are theirs), one acknowledged by
    Council2 (its screening is theirs)."""
    new = submit(db, application())
    returns = screened(db)
    third = submit(db, application())
    do(db, third, "acknowledge", COUNCIL2, ACKNOWLEDGED)
    return new, returns, third


def test_every_live_task_of_the_organisation_by_who_holds_it(all_db: Database, fixed_clock) -> None:
    db = all_db
    _work(db)
    team = _team(db)
    assert team.organisation == "Derbyshire Dales District Council"
    assert [person.name for person in team.people] == ["Council", "Council2", "Manager"]
    assert team.colleagues == [
        (user(db, name).id, name.split("@")[0].title())
        for name in (
            COUNCIL,
            COUNCIL2,
            MANAGER,
        )
    ]
    assert _shares(team) == {
        "Not yet claimed": (1, 0, ["acknowledge"]),
        "Council": (2, 0, ["council_return", "risk_assessment"]),
        "Council2": (1, 0, ["screen"]),
        "Manager": (0, 0, []),
    }
    assert (team.count, team.overdue, team.listed) == (4, 0, 4)
    (screen,) = team.people[1].rows
    assert screen.assigned_because == "previous_step"
    # The same, as the team inbox lists it: claimed and unclaimed, soonest due first.
    listed = rows(db, MANAGER, "team")
    assert sorted(row.spec_name for row in listed) == [
        "acknowledge",
        "council_return",
        "risk_assessment",
        "screen",
    ]
    assert [row.due_on for row in listed] == sorted(row.due_on for row in listed)


def test_what_is_overdue_is_counted_for_each_holder(all_db: Database, fixed_clock) -> None:
    db = all_db
    _work(db)
    fixed_clock.advance(timedelta(days=8))  # Tuesday 10 March: the acknowledgements were due 9th
    team = _team(db)
    shares = _shares(team)
    assert shares["Not yet claimed"][:2] == (1, 1)
    assert team.overdue == sum(holder.overdue for holder in (team.unclaimed, *team.people))
    (late,) = team.unclaimed.rows
    assert (late.is_overdue, late.overdue_by) == (True, 1), "in working days"
    # The overdue inbox lists the claimed ones too, with who holds them.
    fixed_clock.advance(timedelta(days=14))
    overdue = rows(db, MANAGER, "overdue")
    assert {(row.spec_name, row.assignee_name) for row in overdue} >= {
        ("council_return", "Council"),
        ("screen", "Council2"),
        ("acknowledge", None),
    }


def test_counts_are_of_every_task_when_fewer_are_listed(all_db: Database) -> None:
    db = all_db
    _work(db)
    team = _team(db, limit=1)
    assert (team.count, team.listed) == (4, 1)
    assert [holder.count for holder in team.people] == [2, 1, 0]
    assert not all(holder.listed_all for holder in team.people)


def test_only_managers_see_their_team(all_db: Database) -> None:
    db = all_db
    _work(db)
    for email in (COUNCIL, "police@example.org"):
        with pytest.raises(NotAllowed):
            _team(db, email)
        with pytest.raises(NotAllowed):
            rows(db, email, "team")
    police = _team(db, "police.manager@example.org")
    assert police.people[0].name == "Police"
    assert {row.spec_name for row in police.unclaimed.rows} == {"police_return"}
    assert "acknowledge" not in {row.spec_name for row in police.unclaimed.rows}


def test_a_chair_s_tasks_are_not_the_team_s(all_db: Database) -> None:
    """A review chair's tasks are theirs alone, not their organisation's (High Peak's)."""
    db = all_db
    add_people(db, [("highpeak.manager@example.org", "high-peak-borough-council", ["manager"])])
    chaired_meeting(db, "chair@example.org")
    team = _team(db, "highpeak.manager@example.org")
    assert team.count == 0 and _shares(team)["Chair"] == (0, 0, [])


def test_someone_who_left_still_holding_work_is_listed_to_hand_it_on(all_db: Database) -> None:
    db = all_db
    _work(db)
    with db.transaction() as session:
        moved = session.scalar(select(User).where(User.email == COUNCIL2))
        moved.organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.key == "erewash-borough-council")
        )
    team = _team(db)
    assert [(person.name, person.may_hold) for person in team.people] == [
        ("Council", True),
        ("Manager", True),
        ("Council2", False),
    ]
    assert [row.spec_name for row in team.people[-1].rows] == ["screen"]
    assert user(db, COUNCIL2).id not in dict(team.colleagues)


def test_the_view_reads_the_same_few_queries_however_much_work(all_db: Database) -> None:
    def statements(db: Database) -> int:
        seen: list[str] = []

        def count(_conn, _cursor, statement: str, *_args) -> None:
            seen.append(statement)

        manager = user(db, MANAGER)
        event.listen(db.reader, "before_cursor_execute", count)
        try:
            with db.read() as session:
                team_work(session, manager)
        finally:
            event.remove(db.reader, "before_cursor_execute", count)
        return len(seen)

    db = all_db
    _work(db)
    few = statements(db)
    for _ in range(4):
        _work(db)
    assert statements(db) == few


def test_a_task_given_to_a_colleague_is_theirs_and_they_are_told(all_db: Database) -> None:
    db = all_db
    _, returns, _ = _work(db)
    task = live(db, returns)["council_return"]
    manager, council2 = user(db, MANAGER), user(db, COUNCIL2)
    given = task_view.reassign_task(db, task.id, manager, council2.id)
    assert (given.state, given.assignee_id, given.assigned_because) == (
        "claimed",
        council2.id,
        "manager",
    )
    (mine,) = [row for row in rows(db, COUNCIL2, "mine") if row.task_id == task.id]
    assert mine.assigned_because == "manager"
    with db.read() as session:
        # Beside the word of new work its arrival brought the council's officers.
        (told,) = session.scalars(
            select(Notification).where(
                Notification.task_id == task.id, Notification.kind == "assignment"
            )
        ).all()
        (event_,) = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "task.reassigned", AuditEvent.object_id == str(task.id)
            )
        ).all()
    assert (told.user_id, told.email, told.kind) == (council2.id, COUNCIL2, "assignment")
    assert told.subject == "A task was given to you: Council services information return"
    assert "Sam Taylor" not in told.subject + told.body, "nothing of the applicant's"
    assert f"/tasks/{task.id}" in told.body
    assert event_.user_id == manager.id
    assert audit.describe(
        event_.action, actor="Manager", detail=event_.detail, task_title=task.title
    ) == ("Manager gave Council services information return to Council2, taking it from Council")

    # Given back to the queue, it is for anyone to claim; the trail says whose it was.
    task_view.release_task(db, task.id, manager)
    assert task.id in [row.task_id for row in rows(db, COUNCIL, "organisation")]
    assert task.id not in [row.task_id for row in rows(db, COUNCIL2, "mine")]
    with db.read() as session:
        released = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "task.released", AuditEvent.object_id == str(task.id)
            )
        ).one()
    assert audit.describe(
        released.action, actor="Manager", detail=released.detail, task_title=task.title
    ) == (
        "Manager put Council services information return back in the team's queue, taking it "
        "from Council2"
    )


def test_a_task_goes_only_to_a_colleague_who_may_do_it(all_db: Database) -> None:
    db = all_db
    add_people(
        db,
        [
            ("gone@example.org", "derbyshire-dales-district-council", ["caseworker"]),
        ],
    )
    _, returns, _ = _work(db)
    task = live(db, returns)["council_return"]
    manager = user(db, MANAGER)
    someone_else = [
        user(db, email).id
        for email in ("police@example.org", "owner@example.org", "gone@example.org")
    ]
    with db.transaction() as session:
        session.scalar(select(User).where(User.email == "gone@example.org")).active = False
    for someone in someone_else:
        with pytest.raises(InvalidData) as refused:
            task_view.reassign_task(db, task.id, manager, someone)
        assert "user_id" in refused.value.fields
    with pytest.raises(InvalidData):
        task_view.reassign_task(db, task.id, manager, 999_999)
    with pytest.raises(NotAllowed):
        task_view.reassign_task(db, task.id, user(db, COUNCIL), user(db, COUNCIL2).id)
    assert live(db, returns)["council_return"].assignee_id == user(db, COUNCIL).id
    do(
        db,
        returns,
        "council_return",
        COUNCIL,
        {"incidents": [], "actions_taken": "None", "view": "None"},
    )
    with pytest.raises(Conflict):
        task_view.reassign_task(db, task.id, manager, user(db, COUNCIL2).id)
