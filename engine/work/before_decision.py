"""Who may change what a case's threshold is decided on: a caseworker or manager of the council
managing the case, until the threshold decision is recorded, after which what it was decided
on stays as it was."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.core.errors import Conflict, NotAllowed, NotFound
from engine.core.models import Case, User
from engine.people.access import participant_roles, visible_case


def check_before_decision(
    session: Session, user: User, case: Case, *, doing: str, after: str
) -> None:
    """``NotAllowed`` for anyone but the managing council's caseworkers and managers (who
    alone may be ``doing`` it), ``Conflict`` once the decision is recorded (saying ``after``)."""
    if not (user.active and "council" in participant_roles(session, user, case.id)):
        raise NotAllowed(f"only the council managing the case may {doing}")
    if not (user.has_role("caseworker") or user.has_role("manager")):
        raise NotAllowed(f"only a caseworker or a manager may {doing}")
    if case.decided_on is not None:
        raise Conflict(
            f"the threshold decision was recorded on {case.decided_on:%-d %B %Y}: {after}"
        )


def may_before_decision(
    session: Session, user: User, reference: str, *, doing: str, after: str
) -> bool:
    """Whether ``check_before_decision`` lets the user act on the case with this reference."""
    try:
        case = visible_case(session, user, reference)
        check_before_decision(session, user, case, doing=doing, after=after)
    except (NotFound, NotAllowed, Conflict):
        return False
    return True
