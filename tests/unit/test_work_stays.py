"""Work stays with its person: the next task of a case in a lane goes to whoever completed the
previous one there for their organisation, while they may still do it; otherwise, or where the
area turns it off, it waits in the organisation's queue."""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import datetime

import pytest
from sqlalchemy import select

from engine.applicant.check_ins import answer_check_in
from engine.cases.contact import name_contact
from engine.core import audit
from engine.core.area import AreaFileError, load_area, parse_area, read_area_file
from engine.core.clock import FixedClock
from engine.core.config import DEFAULT_AREA_FILE
from engine.core.db import Database
from engine.core.models import AuditEvent, Case, Organisation, Task, User
from engine.people.accounts import change_user
from engine.people.sign_in import SignInPolicy
from engine.procedure.sweeps import run_due
from engine.work import task_view
from tests.support.files import RAW
from tests.support.follow_up import check_in_links, closed_case, further_action
from tests.support.people import COUNCIL, POLICE, add_people, user
from tests.support.procedure import (
    ACKNOWLEDGED,
    NO_RETURN,
    STANDARD_RISK,
    application,
    do,
    live,
    submit,
)
from tests.support.work import rows

SCREENED = {"route": "review", "hate_element": False}


def _acknowledged(db: Database) -> int:
    case_id = submit(db, application())
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    return case_id


def _holder(task: Task) -> tuple[str, int | None, str | None]:
    return task.state, task.assignee_id, task.assigned_because


def _other_returns(db: Database, case_id: int) -> None:
    """The agencies' returns, after which the threshold decision (the council's) is ready."""
    do(db, case_id, "police_return", POLICE, NO_RETURN)
    do(db, case_id, "housing_return [child]", "housing@example.org", NO_RETURN)
    do(db, case_id, "health_return", "health@example.org", NO_RETURN)


def test_the_next_step_in_the_lane_goes_to_whoever_did_the_last(app_db: Database) -> None:
    db = app_db
    case_id = _acknowledged(db)
    screen = live(db, case_id)["screen"]
    council = user(db, COUNCIL)
    assert _holder(screen) == ("claimed", council.id, "previous_step")
    (mine,) = rows(db, COUNCIL, "mine")
    assert (mine.task_id, mine.assigned_because) == (screen.id, "previous_step")
    assert rows(db, COUNCIL, "organisation") == [], "not in the queue for a colleague to claim"
    assert rows(db, "council2@example.org", "mine") == []
    with db.read() as session:
        (given,) = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "task.assigned", AuditEvent.object_id == str(screen.id)
            )
        ).all()
    assert given.user_id is None, "the service's act, not a person's"
    assert given.detail == {"to_user_id": council.id, "to": "Council", "because": "previous_step"}
    assert audit.describe(given.action, detail=given.detail, task_title=screen.title) == (
        "Screen the application was given to Council, who completed the case's previous step "
        "in its lane"
    )


def test_another_lane_waits_for_its_own_organisation(app_db: Database) -> None:
    db = app_db
    case_id = _acknowledged(db)
    do(db, case_id, "screen", COUNCIL, SCREENED)
    returns = live(db, case_id)
    # The council did the last step of the case, but the police's return is the police's.
    assert _holder(returns["police_return"]) == ("open", None, None)
    assert _holder(returns["health_return"]) == ("open", None, None)
    assert _holder(returns["council_return"]) == ("claimed", user(db, COUNCIL).id, "previous_step")
    # The first police task of the case had no one before it; the police claim it as ever.
    assert [row.spec_name for row in rows(db, POLICE, "organisation")] == ["police_return"]


def test_a_colleague_who_did_the_last_step_gets_the_next(app_db: Database) -> None:
    """The person is whoever completed the previous step, not whoever did the first."""
    db = app_db
    case_id = _acknowledged(db)
    screen = live(db, case_id)["screen"]
    task_view.reassign_task(
        db, screen.id, user(db, "manager@example.org"), user(db, "council2@example.org").id
    )
    do(db, case_id, "screen", "council2@example.org", SCREENED)
    council_return = live(db, case_id)["council_return"]
    assert _holder(council_return) == (
        "claimed",
        user(db, "council2@example.org").id,
        "previous_step",
    )


def test_a_deactivated_person_s_next_step_waits_in_the_queue(app_db: Database) -> None:
    db = app_db
    add_people(db, [("admin@example.org", "derbyshire-dales-district-council", ["administrator"])])
    case_id = _acknowledged(db)
    do(db, case_id, "screen", COUNCIL, SCREENED)
    do(db, case_id, "council_return", COUNCIL, NO_RETURN)
    do(db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)
    with db.transaction() as session:
        admin = session.scalar(select(User).where(User.email == "admin@example.org"))
        change_user(session, admin, user(db, COUNCIL).id, roles=["caseworker"], active=False)
    _other_returns(db, case_id)
    decision = live(db, case_id)["threshold_decision"]
    assert _holder(decision) == ("open", None, None)
    assert [row.task_id for row in rows(db, "council2@example.org", "organisation")] == [
        decision.id
    ]


def test_a_person_who_moved_organisation_leaves_the_next_step_to_the_queue(
    app_db: Database,
) -> None:
    db = app_db
    case_id = _acknowledged(db)
    do(db, case_id, "screen", COUNCIL, SCREENED)
    do(db, case_id, "council_return", COUNCIL, NO_RETURN)
    do(db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)
    with db.transaction() as session:
        moved = session.scalar(select(User).where(User.email == COUNCIL))
        moved.organisation_id = session.scalar(
            select(Organisation.id).where(Organisation.key == "erewash-borough-council")
        )
    _other_returns(db, case_id)
    assert _holder(live(db, case_id)["threshold_decision"]) == ("open", None, None)


def test_a_person_whose_role_no_longer_works_on_cases_leaves_it_to_the_queue(
    app_db: Database,
) -> None:
    db = app_db
    add_people(db, [("admin@example.org", "derbyshire-dales-district-council", ["administrator"])])
    case_id = _acknowledged(db)
    do(db, case_id, "screen", COUNCIL, SCREENED)
    do(db, case_id, "council_return", COUNCIL, NO_RETURN)
    do(db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)
    with db.transaction() as session:
        admin = session.scalar(select(User).where(User.email == "admin@example.org"))
        change_user(session, admin, user(db, COUNCIL).id, roles=["process_owner"], active=True)
    _other_returns(db, case_id)
    assert _holder(live(db, case_id)["threshold_decision"]) == ("open", None, None)


def test_the_area_can_send_every_task_to_the_queue(app_db: Database) -> None:
    db = app_db
    area = read_area_file(DEFAULT_AREA_FILE)
    assert area.settings["work_stays_with_its_person"] is True, "on unless the area says"
    with db.transaction() as session:
        settings = {**area.settings, "work_stays_with_its_person": False}
        load_area(session, replace(area, settings=settings))
    case_id = _acknowledged(db)
    assert _holder(live(db, case_id)["screen"]) == ("open", None, None)
    do(db, case_id, "screen", COUNCIL, SCREENED)
    assert _holder(live(db, case_id)["council_return"]) == ("open", None, None)
    with db.read() as session:
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "task.assigned")
        ).all()


def test_the_setting_is_true_or_false() -> None:
    broken = copy.deepcopy(RAW)
    broken["settings"]["work_stays_with_its_person"] = "yes"
    with pytest.raises(AreaFileError, match="work_stays_with_its_person must be true or false"):
        parse_area(broken)
    missing = copy.deepcopy(RAW)
    missing["settings"].pop("work_stays_with_its_person", None)
    assert parse_area(missing).settings["work_stays_with_its_person"] is True


def test_the_applicant_s_contact_comes_before_whoever_did_the_last_step(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    """The task to consider further action after a check-in is the contact's, as the guidance
    asks, even where another officer did the case's last council step."""
    db = appeal_db
    case_id = closed_case(db, fixed_clock)
    with db.transaction() as session:
        case = session.get_one(Case, case_id)
        name_contact(
            session, case, session.get_one(User, user(db, "council2@example.org").id), by=None
        )
    fixed_clock.set(datetime(2026, 4, 20, 9))
    run_due(db)
    (token,) = check_in_links(db, case_id)
    answer_check_in(
        db,
        token,
        {"still_happening": "yes", "comment": ""},
        address="192.0.2.7",
        policy=SignInPolicy(),
    )
    (task,) = further_action(db, case_id)
    assert _holder(task) == ("claimed", user(db, "council2@example.org").id, "contact")
