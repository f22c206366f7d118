"""The engine queries the task pages and the JSON API share: inboxes, a case, a task."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import event, update

from engine.core.db import Database
from engine.core.errors import InvalidData, NotAllowed
from engine.core.models import Task, TaskCandidate
from engine.work import task_view
from engine.work.inbox import (
    inbox_filters,
    list_tasks,
    my_tasks,
    organisation_tasks,
    rows_for_tasks,
)
from engine.work.inbox.rows import _MOST_IDS_LISTED
from tests.support.people import COUNCIL, user
from tests.support.procedure import (
    DALES_COUNCIL,
    application,
    case_of,
    live,
    meeting_scheduled,
    screened,
    submit,
)
from tests.support.work import rows

# Inboxes


def test_a_new_application_waits_in_the_council_inbox_until_claimed(all_db: Database) -> None:
    db = all_db
    case_id = submit(db, application())
    reference = case_of(db, case_id).reference
    (row,) = rows(db, COUNCIL, "organisation")
    assert (row.title, row.spec_name, row.form) == (
        "Acknowledge the application",
        "acknowledge",
        "acknowledgement",
    )
    assert (row.case_reference, row.district_key, row.district_name) == (
        reference,
        "derbyshire-dales",
        "Derbyshire Dales",
    )
    assert row.organisation_keys == (DALES_COUNCIL,)
    assert row.organisation_names == ("Derbyshire Dales District Council",)
    assert (row.state, row.assignee_id, row.assignee_name) == ("open", None, None)
    assert row.due_on == date(2026, 3, 9)
    assert (row.working_days_left, row.is_overdue, row.overdue_by) == (5, False, 0)
    assert (row.escalation_level, row.process_key) == (0, "community_trigger_application")
    assert rows(db, COUNCIL, "mine") == []
    assert rows(db, "police@example.org", "organisation") == []

    task_view.claim_task(db, row.task_id, user(db, COUNCIL))
    assert rows(db, COUNCIL, "organisation") == []
    (mine,) = rows(db, COUNCIL, "mine")
    assert (mine.task_id, mine.state, mine.assignee_name) == (row.task_id, "claimed", "Council")
    assert rows(db, "council2@example.org", "mine") == [], "claimed by a colleague, not by me"
    with db.read() as session:
        council = user(db, COUNCIL)
        assert [r.task_id for r in my_tasks(session, council)] == [row.task_id]
        assert organisation_tasks(session, council) == []


def test_soonest_due_first_undated_last_then_in_order_made(all_db: Database, fixed_clock) -> None:
    db = all_db
    first = submit(db, application())
    fixed_clock.advance(timedelta(days=1))
    second = submit(db, application())
    third = submit(db, application())
    ids = {case_id: live(db, case_id)["acknowledge"].id for case_id in (first, second, third)}
    with db.transaction() as session:
        # A task whose diagram sets no due date sorts after every dated one.
        session.execute(update(Task).where(Task.id == ids[first]).values(due_on=None))
        session.execute(
            update(TaskCandidate).where(TaskCandidate.task_id == ids[first]).values(due_on=None)
        )
    listed = [row.task_id for row in rows(db, COUNCIL, "organisation")]
    assert listed == [ids[second], ids[third], ids[first]]
    assert [row.task_id for row in rows(db, COUNCIL, "organisation", limit=2)] == listed[:2]
    assert rows(db, COUNCIL, "organisation")[-1].working_days_left is None


def test_pages_of_an_inbox_list_each_task_once_in_order(all_db: Database, fixed_clock) -> None:
    db = all_db
    for _ in range(7):
        submit(db, application())
        fixed_clock.advance(timedelta(hours=1))
    whole = [row.task_id for row in rows(db, COUNCIL, "organisation")]
    pages = [
        [row.task_id for row in rows(db, COUNCIL, "organisation", limit=3, offset=start)]
        for start in (0, 3, 6, 9)
    ]
    assert len(whole) == 7
    assert pages == [whole[0:3], whole[3:6], whole[6:7], []]


def test_a_long_page_lists_what_short_pages_list(all_db: Database, fixed_clock) -> None:
    """A page of more than a few tasks is read by its own statement on PostgreSQL (the ids
    as one array): it must list the same rows, organisations and order as short pages."""
    db = all_db
    for _ in range(_MOST_IDS_LISTED + 2):
        submit(db, application())
        fixed_clock.advance(timedelta(hours=1))
    whole = rows(db, COUNCIL, "organisation")
    in_threes = [
        row
        for start in range(0, len(whole), 3)
        for row in rows(db, COUNCIL, "organisation", limit=3, offset=start)
    ]
    assert len(whole) == _MOST_IDS_LISTED + 2
    assert whole == in_threes
    assert {row.organisation_keys for row in whole} == {("derbyshire-dales-district-council",)}


def test_a_completion_s_few_tasks_read_as_a_page_of_them_does(
    all_db: Database, fixed_clock
) -> None:
    """On PostgreSQL a few tasks (those a completion made ready) are read by a statement that
    looks their district, assignee and process up, a page of many by one that joins them:
    the two must give the same rows."""
    db = all_db
    for _ in range(_MOST_IDS_LISTED + 2):
        submit(db, application())
        fixed_clock.advance(timedelta(hours=1))
    ids = [row.task_id for row in rows(db, COUNCIL, "organisation")]
    task_view.claim_task(db, ids[1], user(db, COUNCIL))
    with db.read() as session:
        as_a_page = rows_for_tasks(session, ids)
        few_at_a_time = [
            row
            for start in range(0, len(ids), 3)
            for row in rows_for_tasks(session, ids[start : start + 3])
        ]
    assert len(as_a_page) == _MOST_IDS_LISTED + 2
    assert as_a_page == few_at_a_time
    assert [(row.task_id, row.assignee_name) for row in as_a_page if row.assignee_name] == [
        (ids[1], user(db, COUNCIL).name)
    ]
    assert {(row.district_key, row.district_name, row.process_key) for row in as_a_page} == {
        ("derbyshire-dales", "Derbyshire Dales", "community_trigger_application")
    }


def test_filters_by_district_process_and_task(all_db: Database) -> None:
    db = all_db
    dales = screened(db)
    erewash = screened(db, "erewash")
    police = "police@example.org"
    both = rows(db, police, "organisation")
    assert {row.case_reference for row in both} == {
        case_of(db, dales).reference,
        case_of(db, erewash).reference,
    }
    (only,) = rows(db, police, "organisation", district="erewash")
    assert only.case_reference == case_of(db, erewash).reference
    assert rows(db, police, "organisation", district="atlantis") == []
    assert len(rows(db, police, "organisation", process="community_trigger_application")) == 2
    assert rows(db, police, "organisation", process="asb_case_review") == []

    # A multi-instance task is known by its diagram's name, without the " [child]" suffix.
    (housing,) = rows(db, "housing@example.org", "organisation", task="housing_return")
    assert housing.spec_name == "housing_return"
    assert housing.organisation_keys == ("dales-housing",)
    assert rows(db, "housing@example.org", "organisation", task="housing") == []
    # The council's return is with the caseworker who screened the case (work stays with them).
    assert len(rows(db, COUNCIL, "mine", task="council_return")) == 1
    with pytest.raises(InvalidData) as refused:
        rows(db, COUNCIL, "everything")
    assert "mine, organisation, overdue, team" in refused.value.fields["scope"]


def test_overdue_is_for_managers_and_lists_claimed_and_unclaimed(
    all_db: Database, fixed_clock
) -> None:
    db = all_db
    case_id = screened(db)
    returns = live(db, case_id)
    task_view.release_task(db, returns["council_return"].id, user(db, COUNCIL))
    task_view.claim_task(db, returns["council_return"].id, user(db, "council2@example.org"))
    with pytest.raises(NotAllowed):
        rows(db, COUNCIL, "overdue")
    assert rows(db, "manager@example.org", "overdue") == [], "due on 13 March, today is 2 March"

    fixed_clock.advance(timedelta(days=16))  # Wednesday 18 March: three working days late
    late = rows(db, "manager@example.org", "overdue")
    # The risk assessment stays with whoever screened the case.
    assert [(row.spec_name, row.state) for row in late] == [
        ("council_return", "claimed"),
        ("risk_assessment", "claimed"),
    ]
    assert (late[0].is_overdue, late[0].overdue_by, late[0].working_days_left) == (True, 3, -3)
    assert late[0].assignee_name == "Council2"
    police_late = rows(db, "police.manager@example.org", "overdue")
    assert [(row.spec_name, row.state) for row in police_late] == [("police_return", "open")]


def test_the_list_is_two_queries_however_long(all_db: Database) -> None:
    db = all_db
    for _ in range(6):
        screened(db)
    police = user(db, "police@example.org")
    statements: list[str] = []

    def count(_conn, _cursor, statement: str, *_args) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(db.reader, "before_cursor_execute", count)
    try:
        with db.read() as session:
            listed = list_tasks(session, police, "organisation")
    finally:
        event.remove(db.reader, "before_cursor_execute", count)
    assert len(listed) == 6
    # The page's ids (dated and undated ranges together), then their rows with their
    # candidate organisations: no query per row.
    assert len(statements) == 2, statements


def test_people_who_do_not_work_on_cases_have_empty_inboxes(all_db: Database) -> None:
    db = all_db
    submit(db, application())
    assert rows(db, "owner@example.org", "organisation") == []
    with db.read() as session:
        assert inbox_filters(session, user(db, "owner@example.org")) == {
            "districts": [],
            "processes": [],
            "tasks": [],
        }


def test_filters_offer_the_districts_served_and_the_tasks_an_organisation_can_be_given(
    all_db: Database, fixed_clock
) -> None:
    db = all_db

    def choices(email: str) -> dict:
        with db.read() as session:
            return inbox_filters(session, user(db, email))

    housing = choices("housing@example.org")
    assert housing["districts"] == [{"key": "derbyshire-dales", "name": "Derbyshire Dales"}]
    housing_tasks = {task["name"] for task in housing["tasks"]}
    assert {"housing_return", "housing_actions"} <= housing_tasks
    assert "police_return" not in housing_tasks and "acknowledge" not in housing_tasks
    assert [p["key"] for p in housing["processes"]] == [
        "asb_case_review",
        "community_trigger_application",
    ], "by name: ASB case review, Community Trigger application"

    police = choices("police@example.org")
    assert [d["key"] for d in police["districts"]][:3] == [
        "amber-valley",
        "bolsover",
        "chesterfield",
    ], "in the published order"
    assert len(police["districts"]) == 9
    assert {"name": "police_return", "title": "Police information return"} in police["tasks"]

    council_tasks = {task["name"] for task in choices(COUNCIL)["tasks"]}
    assert {"acknowledge", "police_return", "case_file"} <= council_tasks, (
        "the council takes any role no one else plays on a case"
    )
    assert "opcc_appeal" in [p["key"] for p in choices("opcc@example.org")["processes"]]

    # A chair from High Peak chairs a Dales review: once the meeting is arranged, deciding the
    # applicant's part in it is theirs, and the Dales becomes a choice for them; before, there
    # is nothing of theirs there to narrow to.
    assert [d["key"] for d in choices("chair@example.org")["districts"]] == ["high-peak"]
    meeting_scheduled(db, "chair@example.org")
    assert [d["key"] for d in choices("chair@example.org")["districts"]] == [
        "derbyshire-dales",
        "high-peak",
    ]


# A case


# A task
