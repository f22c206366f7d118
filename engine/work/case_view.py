"""A case as one caller may see it: for the case page and the JSON API alike.

Opening a case reads personal data, so ``case_summary`` goes through ``access.consult_case``:
need-to-know is checked (a case outside it is ``NotFound``, like one that does not exist) and
the consultation is written to the audit trail. Call it inside a write transaction.

Every participant sees the applicant's and victim's details: it is their case, and each
agency needs them to find its own records. The audit trail is shown only to the participants
``access.may_see_audit`` allows (the council that manages the review and the OPCC).

The answer is plain dicts and lists of str, int, bool, None, ``date`` and ``datetime``; each
section is one query, so the cost of a case does not grow with the number of its tasks.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from engine.cases.contact import contact_of
from engine.cases.details import details_of
from engine.core import audit
from engine.core.models import Case, User
from engine.people.access import consult_case, may_see_audit, visible_case
from engine.work.case_sections import (
    appeals,
    attachments,
    audit_trail,
    documents,
    incidents,
    linked_applications,
    participants,
    processes,
    reviews,
    status_history,
    tasks,
)
from engine.work.check_ins import check_ins


def case_summary(
    session: Session,
    user: User,
    reference: str,
    *,
    purpose: str = "case view",
    reason: str | None = None,
) -> dict[str, Any]:
    """The case with this reference as ``user`` may see it; ``NotFound`` outside need-to-know.

    Keys: reference, status, district {key, name}, received_on, channel, closed_on, erased_on
    (when its personal data was erased at the end of its retention period, or None), applicant,
    applying_as (person, business or community_group), on_behalf, victim, victim_consent,
    hate_element (as screened), applicant_hate_element (the applicant's own answer; None where
    it was not kept), hate_element_reason (why screening differs from it, or None), impact,
    details (what the application says beside its incidents:
    ``engine.cases.details.ApplicationDetails``, '' where it said nothing), risk (the risk and
    vulnerability assessment {level, assessed_on, assessed_by, answers, high_because}, or None
    before it is done; its answers are gone once the case is erased), decision {threshold_met,
    basis, decided_on, senior_officer (a vulnerable victim decision's {id, name, confirmed_at},
    confirmed_at None while it waits for them; or None)}, contact (the applicant's single point
    of contact {id, name, email}, or None before one is named), participants, status_history,
    incidents, linked (the applications linked with it about the same behaviour and the
    community threshold's count, or None), tasks, reviews, appeals, documents, attachments,
    processes, check_ins (after closure: each one's months, due_on, sent_at, delivery,
    answered_at, still_happening, comment, answered_by), and ``audit`` only when the caller may
    read the audit trail. ``reason`` is an administrator's recorded justification for reading a
    case.
    """
    case = consult_case(session, user, reference, purpose=purpose, reason=reason)
    summary: dict[str, Any] = {
        "reference": case.reference,
        "status": case.status,
        "district": {"key": case.district.key, "name": case.district.name},
        "received_on": case.received_on,
        "channel": case.channel,
        "closed_on": case.closed_on,
        "erased_on": case.erased_on,
        "applicant": dict(case.applicant or {}),
        "applying_as": case.applying_as,
        "on_behalf": case.on_behalf,
        "victim": dict(case.victim) if case.victim else None,
        "victim_consent": case.victim_consent,
        "hate_element": case.hate_element,
        "applicant_hate_element": case.applicant_hate_element,
        "hate_element_reason": case.hate_element_reason,
        "impact": case.impact,
        "details": details_of(case.details).as_dict(),
        "risk": _risk(case),
        "decision": {
            "threshold_met": case.threshold_met,
            "basis": case.decision_basis,
            "decided_on": case.decided_on,
            "senior_officer": _senior_officer(session, case),
        },
        "contact": _contact(session, case),
        "participants": participants(session, case),
        "status_history": status_history(session, case),
        "incidents": incidents(session, case),
        "linked": linked_applications(session, case),
        "tasks": tasks(session, case),
        "reviews": reviews(session, case),
        "appeals": appeals(session, case),
        "documents": documents(session, case),
        "attachments": attachments(session, case),
        "processes": processes(session, case),
        "check_ins": check_ins(session, case),
    }
    if may_see_audit(session, user, case.id):
        summary["audit"] = audit_trail(session, case)
    return summary


def _senior_officer(session: Session, case: Case) -> dict[str, Any] | None:
    """The officer a vulnerable victim decision names, and when they confirmed it (None
    while it waits for them)."""
    if case.senior_officer_id is None:
        return None
    officer = session.get_one(User, case.senior_officer_id)
    return {
        "id": officer.id,
        "name": officer.name,
        "confirmed_at": case.senior_officer_confirmed_at,
    }


def _risk(case: Case) -> dict[str, Any] | None:
    if case.risk_level is None:
        return None
    recorded = case.risk or {}
    assessed_on = recorded.get("assessed_on")
    return {
        "level": case.risk_level,
        "assessed_on": date.fromisoformat(assessed_on) if assessed_on else None,
        "assessed_by": str(recorded.get("assessed_by", "")),
        "answers": dict(recorded.get("answers") or {}),
        "high_because": list(recorded.get("high_because") or []),
    }


def _contact(session: Session, case: Case) -> dict[str, Any] | None:
    officer = contact_of(session, case)
    if officer is None:
        return None
    return {"id": officer.id, "name": officer.name, "email": officer.email}


def justify_reading(session: Session, user: User, reference: str, reason: str) -> None:
    """Record an administrator's reason for reading a case, before they read it."""
    case = visible_case(session, user, reference, reason=reason)
    audit.record(
        session,
        "case.reading_justified",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        justification=reason.strip(),
    )


def case_documents(session: Session, user: User, reference: str) -> list[dict[str, Any]]:
    """The documents made for a case (meeting packs, letters), oldest first, without content.

    A list of what exists discloses no personal data, so it is not recorded as a
    consultation; downloading a document is (see ``access.record_disclosure``).
    """
    case = visible_case(session, user, reference)
    return documents(session, case)
