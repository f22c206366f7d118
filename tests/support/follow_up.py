"""Cases closed at the end of their review, and their check-ins after closure, as the tests
of the follow-up use them."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.models import CheckIn, Notification, Task
from tests.support.applicant import BY_POST
from tests.support.people import COUNCIL
from tests.support.procedure import (
    application,
    case_of,
    do,
    hold_meeting,
    met_case,
    submit,
    through_to_decision,
)

# The review's meeting is on 20 March 2026, and the case closes with its outcome letter.
CLOSED_ON = "2026-03-20"


def closed_case(db: Database, fixed_clock: FixedClock, *, by_post: bool = False) -> int:
    """A Dales case whose review recommended nothing, closed on 20 March 2026."""
    if by_post:
        case_id = submit(db, application(applicant=BY_POST, contact_preference="letter"))
        through_to_decision(db, case_id)
        do(
            db,
            case_id,
            "threshold_decision",
            COUNCIL,
            {"threshold_met": True, "decision_basis": "count"},
        )
        do(db, case_id, "decision_letter", COUNCIL, {"method": "post"})
    else:
        case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "post" if by_post else "email", "updates": "None"},
    )
    assert case_of(db, case_id).status == "closed"
    return case_id


def check_ins(db: Database, case_id: int) -> list[CheckIn]:
    with db.read() as session:
        return list(
            session.scalars(
                select(CheckIn).where(CheckIn.case_id == case_id).order_by(CheckIn.due_on)
            )
        )


def check_in_links(db: Database, case_id: int) -> list[str]:
    """The tokens of the check-in links emailed to the applicant, oldest first."""
    with db.read() as session:
        bodies = session.scalars(
            select(Notification.body)
            .where(Notification.case_id == case_id, Notification.kind == "check_in")
            .order_by(Notification.id)
        ).all()
    return [token for body in bodies for token in re.findall(r"/your-case/check-in/(\S+)", body)]


def further_action(db: Database, case_id: int) -> list[Task]:
    """The case's tasks to consider further action."""
    with db.read() as session:
        return list(
            session.scalars(
                select(Task)
                .where(Task.case_id == case_id, Task.form == "further_action")
                .order_by(Task.id)
            )
        )
