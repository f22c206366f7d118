"""A review's chair declares whether they have a conflict of interest with the case's
agencies, and may declare again: the latest declaration of the review's current chair stands.
One made once the meeting is recorded is kept as made after the meeting; the meeting stands
as it was held."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.errors import InvalidData, NotAllowed, NotFound
from engine.core.models import ChairDeclaration, User
from engine.people.access import visible_case
from engine.review.independence import LONGEST_TEXT
from engine.review.reviews import current_review


def may_declare(session: Session, user: User, reference: str) -> bool:
    """Whether ``user`` chairs the case's latest review, and so declares for it."""
    try:
        case = visible_case(session, user, reference)
    except NotFound:
        return False
    review = current_review(session, case)
    return review is not None and review.chair_user_id == user.id


def declare(
    session: Session, user: User, reference: str, answers: Mapping[str, Any]
) -> ChairDeclaration:
    """The chair of the case's latest review declares whether they have a conflict of
    interest with the case's agencies (``conflict``: "yes" or "no"; ``conflict_details``,
    needed with "yes"). ``NotFound`` outside need-to-know, ``NotAllowed`` for anyone but the
    chair, ``InvalidData`` on the fields to correct."""
    case = visible_case(session, user, reference)
    review = current_review(session, case)
    if review is None or review.chair_user_id != user.id:
        raise NotAllowed("only the review's chair declares their interests")
    answer = str(answers.get("conflict", "")).strip()
    details = str(answers.get("conflict_details", "")).replace("\r\n", "\n").strip()
    problems = {}
    if answer not in ("yes", "no"):
        problems["conflict"] = (
            "Select yes if you have a conflict of interest with the agencies in this case"
        )
    elif answer == "yes" and not details:
        problems["conflict_details"] = "Say what the conflict of interest is"
    if len(details) > LONGEST_TEXT:
        problems["conflict_details"] = f"Say it in {LONGEST_TEXT} characters or fewer"
    if problems:
        raise InvalidData("The declaration needs correcting", problems)
    declaration = ChairDeclaration(
        review_id=review.id,
        chair_user_id=user.id,
        conflict=answer == "yes",
        details=details,
        declared_at=clock.now(),
        after_meeting=review.held_on is not None,
    )
    session.add(declaration)
    session.flush()
    audit.record(
        session,
        "review.chair_declared",
        user=user,
        case_id=case.id,
        object_type="review",
        object_id=review.id,
        detail={
            "conflict": declaration.conflict,
            "after_meeting": declaration.after_meeting,
            "declaration_id": declaration.id,
        },
    )
    return declaration
