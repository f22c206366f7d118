"""Applications about the same behaviour, linked by the council to the first of them: the
group an area's community threshold counts separate individuals across."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.core.models import Case


def lead_of(case: Case) -> int:
    """The id of the application a group is linked to (the case itself when it leads or
    stands alone)."""
    return case.linked_to_id or case.id


def linked_group(session: Session, case: Case) -> list[Case]:
    """Every application of the case's group, in the order they were received; the case
    alone when it is linked to none."""
    lead = lead_of(case)
    return list(
        session.scalars(
            select(Case)
            .where(or_(Case.id == lead, Case.linked_to_id == lead))
            .order_by(Case.received_on, Case.id)
        )
    )


def person_of(case: Case) -> str:
    """Who a case's application is for, as a key that tells separate individuals apart: the
    victim when someone applied for them, the business or group when it applied, otherwise
    the applicant; by name and postcode. An erased case is its own individual."""
    details = (case.victim if case.on_behalf and case.victim else case.applicant) or {}
    name = str(details.get("organisation") or details.get("name") or "").casefold().split()
    postcode = "".join(str(details.get("postcode") or "").split()).casefold()
    return " ".join(name) + "|" + postcode if name else f"case|{case.id}"
