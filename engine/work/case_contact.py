"""A manager naming the applicant's single point of contact from the case page: another
officer of the council managing the review."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.contact import contact_candidates, name_contact
from engine.core.errors import Conflict, InvalidData, NotAllowed
from engine.core.models import Case, User
from engine.people.access import participant_roles, visible_case

CHOOSE_AN_OFFICER = "Select an officer of the council managing this case"


@dataclass(frozen=True)
class Officer:
    id: int
    name: str
    email: str


def contact_choices(session: Session, user: User, reference: str) -> list[Officer]:
    """The officers ``user`` may name the case's contact, when they are a manager of the
    council managing it and its personal data is kept; empty otherwise."""
    case = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if case is None or case.erased_on is not None or not _manages(session, user, case):
        return []
    return [Officer(o.id, o.name, o.email) for o in contact_candidates(session, case)]


def change_contact(session: Session, manager: User, reference: str, officer_id: int | None) -> User:
    """Name another officer of the managing council the case's single point of contact: it
    is recorded, and they are told.

    ``NotFound`` when the manager cannot see the case, ``NotAllowed`` for anyone but a manager
    of the council managing it, ``Conflict`` once its personal data is erased, and
    ``InvalidData`` (on ``contact``) for anyone who may not be the contact or is already.
    """
    case = visible_case(session, manager, reference)
    if not _manages(session, manager, case):
        raise NotAllowed("only a manager of the council managing the case may name its contact")
    if case.erased_on is not None:
        raise Conflict("this case's personal data was erased: it has no applicant to contact")
    officer = next((o for o in contact_candidates(session, case) if o.id == officer_id), None)
    if officer is None:
        raise InvalidData("The contact needs correcting", {"contact": CHOOSE_AN_OFFICER})
    if not name_contact(session, case, officer, by=manager):
        raise InvalidData(
            "The contact needs correcting",
            {"contact": f"{officer.name} is the contact already; choose someone else"},
        )
    return officer


def _manages(session: Session, user: User, case: Case) -> bool:
    return (
        user.active
        and user.has_role("manager")
        and "council" in participant_roles(session, user, case.id)
    )
