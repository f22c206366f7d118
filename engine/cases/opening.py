"""Cases and who takes part in them."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit, clock
from engine.core.errors import NotFound
from engine.core.models import (
    Case,
    CaseParticipant,
    District,
    Organisation,
    OrganisationDistrict,
    User,
)

# Kinds of organisation that are relevant bodies and the lane role each plays on a case.
RELEVANT_BODY_ROLES = {
    "council": "council",
    "police": "police",
    "housing": "housing",
    "health": "health",
}


def open_case(
    session: Session,
    district_key: str,
    received_on: date | None = None,
    *,
    user: User | None = None,
) -> Case:
    """Create a case in a district with every relevant body of that district taking part.

    The district's lead council plays the council role; every police force, health body and
    housing provider serving the district is a participant, so each gets its information request.
    """
    district = session.scalar(select(District).where(District.key == district_key))
    if district is None:
        raise NotFound(f"there is no district '{district_key}'")
    case = Case(
        reference=f"pending-{uuid.uuid4().hex}",
        district=district,
        status="received",
        received_on=received_on or clock.today(),
        created_at=clock.now(),
    )
    session.add(case)
    session.flush()
    case.reference = f"CT-{case.received_on.year}-{case.id:05d}"
    bodies = session.scalars(
        select(Organisation)
        .join(OrganisationDistrict, OrganisationDistrict.organisation_id == Organisation.id)
        .where(
            OrganisationDistrict.district_id == district.id,
            Organisation.kind.in_(["police", "housing", "health"]),
        )
        .order_by(Organisation.kind, Organisation.name)
    ).all()
    participants = [CaseParticipant(organisation_id=district.lead_council_id, role="council")]
    participants += [
        CaseParticipant(organisation_id=body.id, role=RELEVANT_BODY_ROLES[body.kind])
        for body in bodies
    ]
    case.participants.extend(participants)
    session.flush()
    audit.record(
        session,
        "case.opened",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={
            "district": district_key,
            "participants": [p.organisation_id for p in participants],
        },
    )
    return case
