"""A case's single point of contact: the named council officer the applicant deals with
(the 2025 statutory guidance asks for a person, not a team).

Whoever completes the acknowledgement becomes the contact, unless one is named already; a
manager of the council managing the review may name another officer of that council. Each
naming is in the case's audit trail, and the officer is told.
"""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from engine.chasing.notifications import notify
from engine.core import audit
from engine.core.area import service_url
from engine.core.models import AuditEvent, Case, CaseParticipant, User, UserRole
from engine.people.access import CASE_ROLES

NAMED = "case.contact_named"


def contact_of(session: Session, case: Case) -> User | None:
    """The case's named officer while their account is active; None before one is named (or
    once theirs is closed), when the applicant is given the district's contact instead."""
    if case.contact_user_id is None:
        return None
    officer = session.get(User, case.contact_user_id)
    return officer if officer is not None and officer.active else None


def managing_councils(session: Session, case: Case) -> list[int]:
    """The organisations playing the council's part on the case: those who manage it."""
    return list(
        session.scalars(
            select(CaseParticipant.organisation_id).where(
                CaseParticipant.case_id == case.id, CaseParticipant.role == "council"
            )
        )
    )


def contact_candidates(session: Session, case: Case) -> list[User]:
    """Who may be the case's contact: active users of the managing council whose work is on
    cases, by name."""
    return council_officers(session, case, CASE_ROLES)


def council_officers(session: Session, case: Case, roles: Collection[str]) -> list[User]:
    """The active users of the council managing the case with any of ``roles``, by name."""
    councils = managing_councils(session, case)
    if not councils:
        return []
    return list(
        session.scalars(
            select(User)
            .where(
                User.organisation_id.in_(councils),
                User.active.is_(True),
                User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(roles))),
            )
            .options(selectinload(User.role_rows))
            .order_by(User.name, User.id)
        )
    )


def name_contact(session: Session, case: Case, officer: User, *, by: User | None) -> bool:
    """Make ``officer`` the case's contact, record it, and tell them. False (and nothing
    done) when they are the contact already."""
    if case.contact_user_id == officer.id:
        return False
    before = case.contact_user_id
    case.contact_user_id = officer.id
    # Numbered by the naming, so an officer named again later is told again.
    namings = session.execute(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.case_id == case.id, AuditEvent.action == NAMED)
    ).scalar_one()
    audit.record(
        session,
        NAMED,
        user=by,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"from_user_id": before, "to_user_id": officer.id},
    )
    notify(
        session,
        key=f"contact:case:{case.id}:naming:{namings + 1}:user:{officer.id}",
        kind="appointment",
        subject=f"You are the contact for case {case.reference}",
        body=(
            f"You are now the single point of contact for the applicant of case "
            f"{case.reference}. Your name and email address are on the letters we send them "
            "and on their pages, so they will come to you with their questions.\n\n"
            f"See the case: {service_url(session)}/cases/{case.reference}\n"
        ),
        user=officer,
        case_id=case.id,
    )
    return True
