"""What the letters share: the council's and the OPCC's contact details, the applicant's
named contact (``case_contact``), the contact line that closes a letter, the area's
timescales, the appeal route and its deadline, and the complaints routes for a complaint
about an officer or a service.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, inspect, select
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.orm.attributes import set_committed_value

from engine.cases.contact import contact_of
from engine.core.area import current_settings
from engine.core.models import Case, CaseParticipant, District, Organisation
from engine.core.workdays import add_working_days
from engine.documents.letters.blocks import Contact
from engine.documents.word import long_date
from engine.review.appeal_rules import ground_sentence

# Defaults of the area timescales a letter quotes (DOMAIN.md), when the area file omits one.
DEFAULT_DAYS = {
    "threshold_decision": 10,
    "review_meeting": 20,
    "appeal_window": 20,
    "appeal_decision": 20,
}
# A complaint about an officer or a service (DOMAIN.md, rule 5): the kind of body whose
# complaints procedure it goes to, and who the applicant may ask to look at it after that.
COMPLAINTS_ROUTES: dict[str, tuple[str, str]] = {
    "council_complaints_then_lgsco": (
        "council",
        "the Local Government and Social Care Ombudsman",
    ),
    "housing_complaints_then_housing_ombudsman": ("housing", "the Housing Ombudsman"),
    "police_complaints_then_iopc": ("police", "the Independent Office for Police Conduct (IOPC)"),
    "health_complaints_then_phso": ("health", "the Parliamentary and Health Service Ombudsman"),
}


# Who looks at a body's handling of a case once its own complaints procedure is finished, by
# the kind of body, with how to reach them: the route after the OPCC's appeal decision.
NEXT_ROUTES: dict[str, tuple[str, str, str]] = {
    "council": (
        "the Local Government and Social Care Ombudsman",
        "www.lgo.org.uk",
        "0300 061 0614",
    ),
    "housing": ("the Housing Ombudsman", "www.housing-ombudsman.org.uk", "0300 111 3000"),
    "police": (
        "the Independent Office for Police Conduct (IOPC)",
        "www.policeconduct.gov.uk",
        "0300 020 0096",
    ),
    "health": (
        "the Parliamentary and Health Service Ombudsman",
        "www.ombudsman.org.uk",
        "0345 015 4033",
    ),
}
_ROUTE_ORDER = ("council", "housing", "police", "health")


def next_routes(session: Session, case: Case) -> list[str]:
    """What the applicant can do after the OPCC's decision, for each kind of body taking part
    in the case: complain to it, then ask its ombudsman (or, for the police, the IOPC)."""
    routes = []
    for kind in _ROUTE_ORDER:
        names = taking_part_as(session, case, kind)
        if not names:
            continue
        who, website, phone = NEXT_ROUTES[kind]
        routes.append(
            f"{' or '.join(names)}: its own complaints procedure, then {who} ({website}, "
            f"telephone {phone})"
        )
    return routes


def timescale(session: Session, name: str) -> int:
    """An area timescale in working days, or its default when the area file omits it."""
    return current_settings(session).get("timescales", {}).get(name, DEFAULT_DAYS[name])


def council_contact(case: Case) -> Contact:
    """The council managing the case's review, reached through the district's single point
    of contact where it has one."""
    state = inspect(case)
    if state.session is not None and "district" in state.unloaded:
        # The district and its lead council in one query, not one each.
        found = state.session.get(
            District, case.district_id, options=(joinedload(District.lead_council),)
        )
        set_committed_value(case, "district", found)
    district = case.district
    lead = district.lead_council
    return Contact(
        name=lead.name if lead else f"{district.name} council",
        address=lead.address if lead else "",
        email=district.spoc_email or (lead.email if lead else ""),
        phone=district.spoc_phone or (lead.phone if lead else ""),
        person=district.spoc_name,
    )


def case_contact(session: Session, case: Case) -> Contact:
    """The applicant's single point of contact: the case's named officer, reached by their
    email and the council's contact telephone (officers' own numbers are not kept); before
    one is named, the district's contact (``council_contact``)."""
    council = council_contact(case)
    officer = contact_of(session, case)
    if officer is None:
        return council
    return Contact(
        name=council.name,
        address=council.address,
        email=officer.email,
        phone=council.phone,
        person=officer.name,
    )


def opcc_organisation(session: Session) -> Organisation | None:
    """The Office of the Police and Crime Commissioner, which hears appeals."""
    return session.scalar(
        select(Organisation).where(Organisation.kind == "opcc").order_by(Organisation.id).limit(1)
    )


def opcc_contact(session: Session) -> Contact:
    """How to reach the Office of the Police and Crime Commissioner."""
    return opcc_contact_of(opcc_organisation(session))


def opcc_contact_of(opcc: Organisation | None) -> Contact:
    """How to reach ``opcc``, as ``opcc_organisation`` found it (or did not)."""
    if opcc is None:
        return Contact(name="the Office of the Police and Crime Commissioner")
    return Contact(name=opcc.name, address=opcc.address, email=opcc.email, phone=opcc.phone)


# Names that are a role or an office, not a person or a council, read with "the" before them:
# "contact the Community Safety Officer", "appeal to the Office of the Police and Crime
# Commissioner".
_OFFICE_FIRST = re.compile(r"^(Office|OPCC|Community Safety|Anti-social|ASB)\b")
_ROLE_LAST = re.compile(r"\b(Officer|Team|Unit|Co-?ordinator|Manager|Lead|Service)$")


def addressed(name: str) -> str:
    """A name as a sentence says it: with "the" before a role or an office."""
    name = name.strip()
    if re.match(r"(?i)^the\b", name) or not (_OFFICE_FIRST.match(name) or _ROLE_LAST.search(name)):
        return name
    return f"the {name}"


def contact_line(contact: Contact) -> str:
    """Whom the applicant asks, and how: "the Community Safety Officer on 01629 761100 or
    asb@example.gov.uk"."""
    ways = [part for part in (contact.phone, contact.email) if part]
    who = addressed(contact.person or contact.name)
    return f"{who} on {' or '.join(ways)}" if ways else who


def plural(count: int, word: str) -> str:
    """``1 complaint``, ``2 complaints``."""
    return f"{count} {word}" + ("" if count == 1 else "s")


def appeal_deadline(session: Session, letter_date: date) -> date:
    """The last day an appeal against a letter of this date is in time (area ``appeal_window``
    in working days), as the eligibility check counts it."""
    return add_working_days(letter_date, timescale(session, "appeal_window"))


def appeal_route(
    session: Session, letter_date: date, grounds: Sequence[str]
) -> tuple[dict[str, Any], date]:
    """How to appeal against a letter of this date, on these grounds, and by when: the
    placeholders of a letter's appeal section, and the deadline."""
    opcc = opcc_contact(session)
    deadline = appeal_deadline(session, letter_date)
    where = [opcc.name, *opcc.address_lines]
    if opcc.email:
        where.append(f"Email: {opcc.email}")
    if opcc.phone:
        where.append(f"Phone: {opcc.phone}")
    route = {
        "appeal_to": addressed(opcc.name),
        "appeal_deadline": long_date(deadline),
        "appeal_window": timescale(session, "appeal_window"),
        "appeal_grounds": [ground_sentence(ground) for ground in grounds],
        "appeal_address": ", ".join(where),
    }
    return route, deadline


@dataclass(frozen=True)
class ComplaintBody:
    """Who a complaint about a service is about, as the letter names them."""

    name: str
    kind: str  # an organisation kind, or "" when the screening named no known organisation


def complaint_body(session: Session, case: Case, answers: Mapping[str, Any]) -> ComplaintBody:
    """The organisation the screening said the complaint is about, found by its key or its
    name; as typed when it is neither; or, when none was given, the case's participants in
    the role of the complaints route."""
    named = str(answers.get("complaint_organisation") or "").strip()
    if named:
        found = session.execute(
            select(Organisation.name, Organisation.kind)
            .where((Organisation.key == named) | (func.lower(Organisation.name) == named.lower()))
            .limit(1)
        ).first()
        return ComplaintBody(found.name, found.kind) if found else ComplaintBody(named, "")
    role, _ombudsman = COMPLAINTS_ROUTES.get(str(answers.get("complaints_route")), ("", ""))
    names = taking_part_as(session, case, role)
    return ComplaintBody(" or ".join(names) or "the organisation concerned", role)


def taking_part_as(session: Session, case: Case, role: str) -> list[str]:
    """The names of the organisations taking part in ``case`` in ``role``, by name."""
    return list(
        session.scalars(
            select(Organisation.name)
            .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
            .where(CaseParticipant.case_id == case.id, CaseParticipant.role == role)
            .order_by(Organisation.name)
        )
    )


def complaint_route_problem(session: Session, case: Case, answers: Mapping[str, Any]) -> str | None:
    """Why the complaints route chosen cannot be the one for the organisation complained
    about (a police complaint does not go to the Local Government Ombudsman), or None."""
    body = complaint_body(session, case, answers)
    route = str(answers.get("complaints_route", ""))
    right = [key for key, (role, _) in COMPLAINTS_ROUTES.items() if role == body.kind]
    if right and route not in right:
        return f"The complaint is about {body.name}: choose the {body.kind} complaints route"
    return None
