"""Need-to-know: who may see a case, a task or a document, and the record of every look.

Personal data is read through these functions only. A case outside the caller's need-to-know
raises ``NotFound``, exactly as a case that does not exist, so its existence is not disclosed.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, or_, select, true
from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.errors import NotFound
from engine.core.models import Case, CaseParticipant, Task, User

# Roles whose work is on cases; a process owner or administrator alone sees no personal data.
CASE_ROLES = frozenset({"caseworker", "agency_officer", "manager", "review_chair"})
# The participant roles that may read a case's audit trail.
AUDIT_READERS = frozenset({"council", "opcc"})
# An administrator reads a case only with a recorded reason at least this long.
SHORTEST_REASON = 10
LONGEST_REASON = 500


def works_on_cases(user: User) -> bool:
    return any(role in CASE_ROLES for role in user.roles)


# The user's organisation plays a role on the case; a chair's role is the chair's alone.
# Built once, bound per call (``_who``): every look at a case or a task asks it.
_PARTICIPATES = and_(
    CaseParticipant.case_id == bindparam("case_id"),
    CaseParticipant.organisation_id == bindparam("organisation_id"),
    or_(CaseParticipant.user_id.is_(None), CaseParticipant.user_id == bindparam("user_id")),
)
_ROLES_PLAYED = select(CaseParticipant.role).where(_PARTICIPATES)
_PLAYS_A_ROLE = select(exists().where(_PARTICIPATES))


def _who(user: User, case_id: int) -> dict[str, int]:
    return {"case_id": case_id, "organisation_id": user.organisation_id, "user_id": user.id}


def participant_roles(session: Session, user: User, case_id: int) -> set[str]:
    """The lanes the user plays on the case (empty when they play none)."""
    return set(session.scalars(_ROLES_PLAYED, _who(user, case_id)))


def is_participant(session: Session, user: User | None, case_id: int) -> bool:
    if user is None or not user.active or not works_on_cases(user):
        return False
    return bool(session.scalar(_PLAYS_A_ROLE, _who(user, case_id)))


def is_justified(user: User | None, reason: str | None) -> bool:
    """An administrator who has given a reason may read a case they take no part in."""
    return (
        user is not None
        and user.active
        and user.has_role("administrator")
        and len((reason or "").strip()) >= SHORTEST_REASON
    )


def may_see_case(
    session: Session, user: User | None, case_id: int, *, reason: str | None = None
) -> bool:
    return is_participant(session, user, case_id) or is_justified(user, reason)


def visible_cases(
    user: User | None,
    *,
    reason: str | None = None,
    case_id: Any = None,
    one_by_one: bool = False,
) -> ColumnElement[bool]:
    """The rule of ``may_see_case`` for many cases at once, as a condition on ``case_id``
    (``Case.id`` unless another column of case ids is given): the cases the user's
    organisation takes part in (a chair's role being the chair's alone), or every case for an
    administrator who gave a reason; none for anyone else.

    ``one_by_one``: for a few cases already found, each is looked up in the participants'
    index in turn. Left to itself, PostgreSQL may join them with every case the organisation
    takes part in instead, hashing all of them (100,000 for the police of a busy area) to
    check a few thousand; OFFSET 0 keeps the look-up apart."""
    if is_justified(user, reason):
        return true()
    if user is None or not user.active or not works_on_cases(user):
        return false()
    taking_part = select(CaseParticipant.id).where(
        CaseParticipant.case_id == (Case.id if case_id is None else case_id),
        CaseParticipant.organisation_id == user.organisation_id,
        or_(CaseParticipant.user_id.is_(None), CaseParticipant.user_id == user.id),
    )
    return (taking_part.offset(0) if one_by_one else taking_part).exists()


def may_see_audit(session: Session, user: User, case_id: int) -> bool:
    """The council and the OPCC on the case; playing one of those lanes is taking part."""
    if not user.active or not works_on_cases(user):
        return False
    return bool(participant_roles(session, user, case_id) & AUDIT_READERS)


def visible_case(
    session: Session, user: User | None, reference: str, *, reason: str | None = None
) -> Case:
    """The case with this reference if the user may see it; ``NotFound`` otherwise."""
    case = session.scalar(select(Case).where(Case.reference == reference))
    if case is None or not may_see_case(session, user, case.id, reason=reason):
        raise NotFound(f"there is no case {reference} that you can see")
    return case


def consult_case(
    session: Session,
    user: User,
    reference: str,
    *,
    purpose: str = "case page",
    reason: str | None = None,
) -> Case:
    """Open a case to read its personal data, and record the consultation.

    A reason, which an administrator must give, is kept with the record.
    """
    case = visible_case(session, user, reference, reason=reason)
    audit.record(
        session,
        "case.viewed",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"purpose": purpose},
        justification=(reason or "").strip() or None,
    )
    return case


def visible_task(session: Session, user: User | None, task_id: int) -> Task:
    """A task on a case the user takes part in (every candidate organisation is a participant)."""
    task = session.get(Task, task_id)
    if task is None or not is_participant(session, user, task.case_id):
        raise NotFound("there is no such task")
    return task


def record_disclosure(
    session: Session,
    user: User | None,
    case_id: int | None,
    what: str,
    object_type: str,
    object_id: Any,
    detail: dict[str, Any] | None = None,
) -> None:
    """A download or a letter: personal data leaving the service, kept in the audit trail."""
    audit.record(
        session,
        "disclosure",
        user=user,
        case_id=case_id,
        object_type=object_type,
        object_id=object_id,
        detail={"what": what, **(detail or {})},
    )
