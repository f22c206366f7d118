"""The council links an application to another about the same behaviour, or unlinks it, so
that an area's community threshold counts the separate individuals across them. Only
applications of one district are linked, and only before either's threshold decision."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from engine.cases.links import lead_of, linked_group
from engine.core import audit
from engine.core.errors import Conflict, InvalidData
from engine.core.models import Case, User
from engine.people.access import visible_case
from engine.work.before_decision import check_before_decision, may_before_decision

LINKED = "case.linked"
UNLINKED = "case.unlinked"
ENTER_A_REFERENCE = "Enter the reference of the application about the same behaviour"
LINKING = "link applications"
TOO_LATE = "link applications before the decision"


def may_link(session: Session, user: User, reference: str) -> bool:
    """A caseworker or manager of the council managing the case, before its decision."""
    return may_before_decision(session, user, reference, doing=LINKING, after=TOO_LATE)


def link_case(session: Session, user: User, reference: str, other_reference: str) -> Case:
    """Link the case (with any applications already linked to it) to the group of
    ``other_reference``, whose first application they are then linked to; that one is
    returned.

    ``NotFound`` when the user cannot see the case, ``NotAllowed`` for anyone but the
    managing council's caseworkers and managers, ``Conflict`` once its threshold decision
    is recorded, ``InvalidData`` (on ``other``) for an application that cannot be linked."""
    case = visible_case(session, user, reference)
    check_before_decision(session, user, case, doing=LINKING, after=TOO_LATE)
    wanted = "".join(other_reference.split()).upper()
    if not wanted:
        raise _refused(ENTER_A_REFERENCE)
    other = session.scalar(select(Case).where(Case.reference == wanted))
    if other is None:
        raise _refused(f"There is no application {wanted}: check the reference")
    if other.district_id != case.district_id:
        raise _refused(
            f"{wanted} is an application in {other.district.name}, and this one in "
            f"{case.district.name}: only applications in one district can be linked, as one "
            "council manages their reviews"
        )
    lead = (session.get(Case, other.linked_to_id) if other.linked_to_id else None) or other
    if lead_of(case) == lead.id:
        raise _refused(f"{case.reference} and {wanted} are linked already")
    decided = next((c for c in linked_group(session, lead) if c.decided_on is not None), None)
    if decided is not None and decided.decided_on is not None:
        raise _refused(
            f"{decided.reference} had its threshold decision on {decided.decided_on:%-d %B %Y}: "
            "link applications before the decision on any of them"
        )
    moved = [c.id for c in linked_group(session, case)]
    session.execute(
        update(Case)
        .where(Case.id.in_(moved), Case.id != lead.id)
        .values(linked_to_id=lead.id)
        .execution_options(synchronize_session="fetch")
    )
    for case_id in moved:
        audit.record(
            session,
            LINKED,
            user=user,
            case_id=case_id,
            object_type="case",
            object_id=lead.reference,
            detail={"to": lead.reference},
        )
    return lead


def unlink_case(session: Session, user: User, reference: str) -> None:
    """Take the case out of its group (the first application's others are then linked to
    the next one received). Refusals as ``link_case``."""
    case = visible_case(session, user, reference)
    check_before_decision(session, user, case, doing=LINKING, after=TOO_LATE)
    group = linked_group(session, case)
    if len(group) < 2:
        raise Conflict(f"{case.reference} is not linked to another application")
    rest = [c for c in group if c.id != case.id]
    new_lead = rest[0]
    case.linked_to_id = None
    new_lead.linked_to_id = None
    for member in rest[1:]:
        member.linked_to_id = new_lead.id
    audit.record(
        session,
        UNLINKED,
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"from": [c.reference for c in rest]},
    )


def _refused(message: str) -> InvalidData:
    return InvalidData("The link needs correcting", {"other": message})
