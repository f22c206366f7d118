"""The shipped diagrams, driven through the engine as people would: an application made and
taken to its threshold decision, a review's meeting held, an appeal lodged."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.config import load_settings
from engine.core.db import Database
from engine.core.models import Case, Organisation, Review, Task, User
from engine.intake.appeals import submit_appeal
from engine.intake.applications import submit_application
from engine.procedure import complete_task
from engine.runtime import deploy, reassign_task
from tests.support.files import FORMS, ROOT
from tests.support.people import COUNCIL, MANAGER, add_people, user

SETTINGS = load_settings({})
TODAY = "2026-03-02"
DALES_COUNCIL = "derbyshire-dales-district-council"
NO_RETURN = {"incidents": [], "actions_taken": "None needed", "view": "Nothing held"}
# A threshold decision that it is not met, at the council's discretion.
NOT_MET = {
    "threshold_met": False,
    "decision_basis": "discretion",
    "reasons": "The reports do not show persistent behaviour",
    "persistence": "p",
    "harm": "h",
    "adequacy": "a",
}
ACKNOWLEDGED = {"method": "email"}
# A risk and vulnerability assessment that finds a standard risk.
STANDARD_RISK = {
    "impact_on_health": "none",
    "impact_on_sleep": "some",
    "impact_on_daily_life": "some",
    "fear": "some",
    "vulnerability_factors": ["none"],
    "targeted_repeatedly": False,
    "hate_motivated": False,
}


# An application


def incident(occurred: str, reported: str, to: str = "police", reference: str = "") -> dict:
    return {
        "occurred_on": occurred,
        "reported_on": reported,
        "reported_to": to,
        "reference": reference,
        "description": "Shouting and banging on the door late at night",
    }


THREE = [
    incident("2026-01-05", "2026-01-06", "police", "DC-101"),
    incident("2026-01-19", "2026-01-20", "derbyshire-dales-district-council"),
    incident("2026-02-02", "2026-02-10", "dales-housing", "DH-7"),
]


def application(incidents: list[dict] | None = None, **changes) -> dict:
    payload = {
        "district": "derbyshire-dales",
        "applicant": {
            "name": "Sam Taylor",
            "address": "1 Bank Road, Matlock",
            "email": "sam@example.com",
        },
        "on_behalf": False,
        "contact_preference": "email",
        "incidents": THREE if incidents is None else incidents,
        "hate_element": False,
        "impact": "We cannot sleep and my children are frightened.",
        "place": "The park behind Bank Road, Matlock",
        "outcome": "The shouting at night to stop.",
    }
    payload.update(changes)
    return payload


def submit(db: Database, payload: dict) -> int:
    with db.transaction() as session:
        return submit_application(session, payload, SETTINGS).id


# Its tasks


def live(db: Database, case_id: int) -> dict[str, Task]:
    with db.read() as session:
        rows = session.scalars(
            select(Task).where(Task.case_id == case_id, Task.state.in_(["open", "claimed"]))
        ).all()
        for row in rows:
            row.organisation_ids  # noqa: B018 - loaded for use after the session
        return {row.spec_name: row for row in rows}


def do(db: Database, case_id: int, name: str, email: str, data: dict):
    task = live(db, case_id)[name]
    return complete_task(db, task.id, user(db, email), data, forms_dir=FORMS)


def case_of(db: Database, case_id: int) -> Case:
    with db.read() as session:
        return session.get(Case, case_id)


def org_id(db: Database, key: str) -> int:
    with db.read() as session:
        return session.scalar(select(Organisation.id).where(Organisation.key == key))


def screened(db: Database, district: str = "derbyshire-dales") -> int:
    """A case whose information requests have gone out to every relevant body."""
    case_id = submit(db, application(district=district))
    council = COUNCIL if district == "derbyshire-dales" else "erewash@example.org"
    do(db, case_id, "acknowledge", council, ACKNOWLEDGED)
    do(db, case_id, "screen", council, {"route": "review", "hate_element": False})
    return case_id


def through_to_decision(db: Database, case_id: int, police_incidents: list | None = None) -> None:
    council = "council@example.org"
    do(db, case_id, "acknowledge", council, {"method": "email"})
    do(db, case_id, "screen", council, {"route": "review", "hate_element": False})
    returns = live(db, case_id)
    assert set(returns) == {
        "police_return",
        "housing_return [child]",
        "health_return",
        "council_return",
        "risk_assessment",
    }
    do(
        db,
        case_id,
        "police_return",
        "police@example.org",
        {**NO_RETURN, "incidents": police_incidents or []},
    )
    do(db, case_id, "housing_return [child]", "housing@example.org", NO_RETURN)
    do(db, case_id, "health_return", "health@example.org", NO_RETURN)
    # The caseworker who screened the case has the council's return: work stays with them.
    do(db, case_id, "council_return", council, NO_RETURN)
    do(db, case_id, "risk_assessment", council, STANDARD_RISK)


# A review

# The chair invites the applicant to take part in the meeting as they chose.
INVITED = {"invite": True, "method": "email"}
# What the council passes on of the applicant's views on a draft plan, and what the chair
# makes of them.
VIEWS_BY_LETTER = {"views": "Please patrol on Friday nights too", "given_by": "letter"}
CONSIDERED = {"views_considered": "Friday nights added to the patrols"}


def deploy_review_and_appeal(db: Database) -> Database:
    with db.transaction() as session:
        for name in ("asb_case_review.bpmn", "opcc_appeal.bpmn", "asb_follow_up.bpmn"):
            path = ROOT / "workflows" / name
            deploy(session, path.read_bytes(), filename=name, forms_dir=FORMS)
    return db


def prepare(db: Database) -> Database:
    """Every shipped diagram deployed, and a few more people to look at cases."""
    deploy_review_and_appeal(db)
    add_people(
        db,
        [
            ("futures@example.org", "futures-housing", ["agency_officer"]),
            ("owner@example.org", DALES_COUNCIL, ["process_owner"]),
            ("police.manager@example.org", "derbyshire-constabulary", ["manager"]),
        ],
    )
    return db


def met_case(db: Database) -> int:
    case_id = submit(db, application())
    through_to_decision(db, case_id)
    do(
        db,
        case_id,
        "threshold_decision",
        COUNCIL,
        {"threshold_met": True, "decision_basis": "count"},
    )
    do(db, case_id, "decision_letter", COUNCIL, {"method": "email"})
    return case_id


def hold_meeting(
    db: Database, case_id: int, recommendations: list[dict], fixed_clock: FixedClock
) -> None:
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": "chair@example.org", "meeting_date": "2026-03-20"},
    )
    assert live(db, case_id)["meeting_pack"].due_on == date(2026, 3, 18)  # 2 working days before
    do(db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    do(db, case_id, "meeting_invitation", "chair@example.org", INVITED)
    meeting = live(db, case_id)["record_meeting"]
    assert meeting.role == "chair"
    assert meeting.assignee_id == user(db, "chair@example.org").id, "the appointed chair holds it"
    fixed_clock.advance(timedelta(days=18))  # the meeting happens on 20 March
    do(
        db,
        case_id,
        "record_meeting",
        "chair@example.org",
        {
            "held_on": "2026-03-20",
            "attendees": ["Chair", "Police", "Dales Housing"],
            "findings": "Agencies did not share information",
            "applicant_took_part": "in_person",
            "recommendations": recommendations,
        },
    )
    if recommendations:
        # The draft plan went to the applicant, who answered by letter.
        do(db, case_id, "applicant_views", COUNCIL, VIEWS_BY_LETTER)
        do(db, case_id, "finalise_plan", "chair@example.org", CONSIDERED)


def meeting_scheduled(db: Database, chair: str, reason: str = "") -> int:
    """A Dales case whose meeting on 20 March ``chair`` is to chair. A chair from an
    organisation taking part in the case is appointed by the council's manager, with
    ``reason``."""
    case_id = met_case(db)
    meeting = {"chair_email": chair, "meeting_date": "2026-03-20"}
    if reason:
        meeting["chair_reason"] = reason
        # The task stayed with the caseworker who did the step before; the manager takes it.
        reassign_task(
            db, live(db, case_id)["schedule_meeting"].id, user(db, MANAGER), user(db, MANAGER).id
        )
    do(db, case_id, "schedule_meeting", MANAGER if reason else COUNCIL, meeting)
    if reason:
        manager = user(db, MANAGER)
        for task in live(db, case_id).values():
            if task.assignee_id == manager.id:  # the next council step goes back to its worker
                reassign_task(db, task.id, manager, user(db, COUNCIL).id)
    return case_id


def chair_of(db: Database, case_id: int) -> str:
    """The email address of the chair of the case's latest review."""
    with db.read() as session:
        return session.scalar(
            select(User.email)
            .join(Review, Review.chair_user_id == User.id)
            .where(Review.case_id == case_id)
            .order_by(Review.number.desc())
            .limit(1)
        )


def meeting_to_record(db: Database, case_id: int) -> int:
    """The pack made and the applicant invited: the meeting's record, now
    waiting, by its task id."""
    do(db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    do(db, case_id, "meeting_invitation", chair_of(db, case_id), INVITED)
    return live(db, case_id)["record_meeting"].id


def chaired_meeting(db: Database, chair: str, reason: str = "") -> tuple[int, int]:
    """A Dales case whose meeting ``chair`` is to record: the case's id and the task's."""
    case_id = meeting_scheduled(db, chair, reason)
    return case_id, meeting_to_record(db, case_id)


# A review's chair, changed before the meeting is recorded

OLD_CHAIR = "chair@example.org"
NEW_CHAIR = "dales.chair@example.org"
# Why a manager appoints a chair from the Dales council, which takes part in a Dales case.
DALES_CHAIR_REASON = "No independent chair is free before the meeting is due"
# The record of a meeting that recommended nothing.
RECORD = {
    "held_on": "2026-03-20",
    "attendees": ["Chair", "Police"],
    "findings": "Agencies did not share information",
    "applicant_took_part": "in_person",
    "recommendations": [],
}
MEETING_HELD = timedelta(days=18)  # from 2 March, the tests' day, to the meeting on 20 March


def with_new_chair(db: Database) -> tuple[int, int, str]:
    """A Dales review chaired from High Peak, whose meeting is still to be recorded, and a
    Dales officer who could chair it: the case's id, the chair's task and the reference."""
    add_people(db, [(NEW_CHAIR, "derbyshire-dales-district-council", ["review_chair"])])
    case_id, task_id = chaired_meeting(db, OLD_CHAIR)
    return case_id, task_id, case_of(db, case_id).reference


# An appeal

GROUND = ["information_not_considered"]


def reviewed_case(db: Database, fixed_clock: FixedClock) -> tuple[int, str]:
    case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "post", "updates": "None"},
    )
    return case_id, case_of(db, case_id).reference


def lodge(db: Database, reference: str, letter_date: str, grounds: list[str]) -> int:
    payload = {
        "case_reference": reference,
        "letter_date": letter_date,
        "grounds": grounds,
        "details": "The housing provider's records were not looked at",
    }
    with db.transaction() as session:
        return submit_appeal(session, payload, SETTINGS).id
