"""Staff giving the applicant a new way into their case: a new sign-in link by email, or a
new access code to read to them (for those who have letters), recorded on the case."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import Conflict, NotAllowed
from engine.core.models import Case, User
from engine.documents import delivery_for
from engine.intake.applicant_links import send_sign_in_link
from engine.people.access import is_participant, participant_roles, visible_case
from engine.people.applicant_codes import (
    LETTER_CODE_LIFETIME,
    issue_letter_code,
    postcode_of,
    show_letter_code,
)


@dataclass(frozen=True)
class NewWayIn:
    """How the applicant was given a new way in: a link emailed to them, or a code for the
    officer to pass on (shown once)."""

    channel: str
    code: str = ""
    days: int = LETTER_CODE_LIFETIME.days


def may_give_a_way_in(session: Session, user: User, reference: str) -> bool:
    """Whether the case page offers the officer to give the applicant a new way in (an
    administrator reading the case with a reason takes no part in it: no)."""
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    return (
        case is not None
        and case.erased_on is None
        and is_participant(session, user, case.id)
        and "council" in participant_roles(session, user, case.id)
    )


def give_applicant_a_way_in(session: Session, user: User, reference: str) -> NewWayIn:
    """For an officer of the council taking part in the case: email the applicant a new link,
    or (when they have letters) make a new access code to give them. ``NotFound`` outside
    need-to-know, ``NotAllowed`` for other participants, ``Conflict`` when the applicant gave
    neither an email address nor a postcode."""
    case = visible_case(session, user, reference)
    if "council" not in participant_roles(session, user, case.id):
        raise NotAllowed("only the council managing the review gives the applicant a new code")
    if case.erased_on is not None:
        raise Conflict("this case's personal data was erased: the applicant has no way in")
    applicant = case.applicant or {}
    delivery, _address = delivery_for(applicant)
    if delivery == "email":
        send_sign_in_link(session, case, issued_for=f"user:{user.id}", user=user)
        return NewWayIn("email")
    if not postcode_of(applicant):
        raise Conflict(
            "the applicant gave no email address and no postcode, so no code can let them in"
        )
    code = issue_letter_code(session, case, issued_for=f"user:{user.id}", user=user)
    return NewWayIn("letter", show_letter_code(code))
