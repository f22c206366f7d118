"""What each district's council says under its published figures for a year: written by
the district's lead council, published with the figures."""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.errors import InvalidData, NotAllowed, NotFound
from engine.core.models import District, DistrictYearNote, User

LONGEST_NOTE = 2000
# The roles of a council's staff who may write its district's notes.
NOTE_ROLES = frozenset({"caseworker", "manager"})


def district_of(session: Session, key: str) -> District:
    district = session.scalar(select(District).where(District.key == key))
    if district is None:
        raise NotFound("There is no such district")
    return district


def may_write_notes(user: User, district: District) -> bool:
    """Whether ``user`` speaks for ``district``: its lead council's caseworkers and managers."""
    return user.organisation_id == district.lead_council_id and bool(NOTE_ROLES & set(user.roles))


def note_of(session: Session, district: District, year: int) -> str:
    found = session.get(DistrictYearNote, (district.id, year))
    return found.text if found is not None else ""


def notes_for_year(session: Session, year: int) -> dict[int, str]:
    """Each district's note for the financial year starting in ``year``, by district id."""
    return {
        row.district_id: row.text
        for row in session.scalars(select(DistrictYearNote).where(DistrictYearNote.year == year))
    }


def save_note(session: Session, user: User, district: District, year: int, text: str) -> str:
    """Keep ``text`` as the district's note for the year (nothing removes it); recorded in the
    audit trail. ``NotAllowed`` for anyone but the district's council; ``InvalidData`` for a
    note that is too long."""
    if not may_write_notes(user, district):
        raise NotAllowed(f"Only {district.name}'s council writes its notes")
    text = text.strip().replace("\r\n", "\n")
    if len(text) > LONGEST_NOTE:
        raise InvalidData(
            "The note is too long",
            {"note": f"The note must be {LONGEST_NOTE} characters or fewer"},
        )
    session.execute(
        delete(DistrictYearNote).where(
            DistrictYearNote.district_id == district.id, DistrictYearNote.year == year
        )
    )
    if text:
        session.add(
            DistrictYearNote(
                district_id=district.id,
                year=year,
                text=text,
                updated_by_id=user.id,
                updated_at=clock.now(),
            )
        )
    audit.record(
        session,
        "statistics.note_saved",
        user=user,
        object_type="district",
        object_id=district.key,
        detail={"year": year, "characters": len(text)},
    )
    return text
