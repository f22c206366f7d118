"""The check-ins after a case closed, on the case page: when each is due or was sent, and the
answer; and the council recording an answer given by telephone or letter (for an applicant
who has letters, or one who answered an email some other way)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import Conflict, NotAllowed, NotFound
from engine.core.models import Case, CheckIn, User
from engine.people.access import participant_roles, visible_case
from engine.procedure.check_ins import checked_answer, record_answer


def check_ins(session: Session, case: Case) -> list[dict[str, Any]]:
    """The case's check-ins, soonest due first; who answered is "the applicant" (by the
    email's link) or the member of staff who recorded the answer."""
    rows = session.scalars(
        select(CheckIn).where(CheckIn.case_id == case.id).order_by(CheckIn.due_on, CheckIn.id)
    ).all()
    staff = {
        int(row.answered_by.removeprefix("user:"))
        for row in rows
        if row.answered_by.startswith("user:")
    }
    names = (
        dict(session.execute(select(User.id, User.name).where(User.id.in_(staff))).all())
        if staff
        else {}
    )
    return [
        {
            "id": row.id,
            "months": row.months,
            "due_on": row.due_on,
            "sent_at": row.sent_at,
            "delivery": row.channel,
            "answered_at": row.answered_at,
            "still_happening": row.still_happening,
            "comment": row.comment,
            "answered_by": (
                "the applicant"
                if row.answered_by == "applicant"
                else names.get(int(row.answered_by.removeprefix("user:")), "")
                if row.answered_by
                else ""
            ),
            "awaiting_answer": row.sent_at is not None and row.answered_at is None,
        }
        for row in rows
    ]


def may_record_answers(session: Session, user: User, case: Case) -> bool:
    """Officers of the council managing the case record answers given to them."""
    return (
        user.active
        and case.erased_on is None
        and "council" in participant_roles(session, user, case.id)
    )


def record_given_answer(
    session: Session, user: User, reference: str, check_in_id: int, form: Mapping[str, Any]
) -> CheckIn:
    """Record the answer the applicant gave the council to a check-in that was sent.

    ``NotFound`` for a case the user cannot see or a check-in not of it, ``NotAllowed`` for
    anyone outside the managing council, ``Conflict`` for a check-in not yet sent or answered
    already, ``InvalidData`` (by field) for an answer to correct.
    """
    case = visible_case(session, user, reference)
    check_in = session.scalar(
        select(CheckIn)
        .where(CheckIn.id == check_in_id, CheckIn.case_id == case.id)
        .with_for_update()
    )
    if check_in is None:
        raise NotFound("there is no such check-in on this case")
    if not may_record_answers(session, user, case):
        raise NotAllowed("only the council managing the case records the applicant's answers")
    if check_in.sent_at is None:
        raise Conflict("this check-in is not due yet: there is no answer to record")
    if check_in.answered_at is not None:
        raise Conflict("this check-in has been answered already")
    still_happening, comment = checked_answer(form, comment_named="What they said")
    record_answer(
        session, check_in, case, still_happening=still_happening, comment=comment, by=user
    )
    return check_in


def records_answers(session: Session, user: User, reference: str) -> bool:
    """Whether ``user`` may record answers to the check-ins of the case with this reference."""
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    return case is not None and may_record_answers(session, user, case)
