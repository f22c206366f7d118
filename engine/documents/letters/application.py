"""The facts of the application's letters, from the council: the acknowledgement, the
threshold decision, the closure, and the referral of a complaint about an officer or a service
to that body's own complaints procedure. Their wording is in their templates
(``workflows/letters``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.cases.assessment import assess_case
from engine.core.area import current_settings
from engine.core.models import Appeal, Case, CaseParticipant, Organisation
from engine.core.workdays import add_working_days
from engine.documents.content import DECLINE_GROUNDS, decision
from engine.documents.letters.blocks import Composed, Contact, quoted
from engine.documents.letters.shared import (
    COMPLAINTS_ROUTES,
    appeal_route,
    complaint_body,
    plural,
    timescale,
)
from engine.documents.letters.wording import WholeBlock
from engine.documents.word import long_date

THRESHOLD_GROUNDS = ("threshold_decision", "process_not_considered", "information_not_considered")


def acknowledgement_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """The acknowledgement of an application, with the date its threshold decision is due."""
    due = add_working_days(case.received_on, timescale(session, "threshold_decision"))
    bodies = session.scalars(
        select(Organisation.name)
        .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
        .where(
            CaseParticipant.case_id == case.id,
            CaseParticipant.role.in_(["police", "housing", "health"]),
        )
        .order_by(Organisation.name)
    ).all()
    context = {
        "decision_due": long_date(due),
        "threshold_count": current_settings(session).get("threshold_count", 3),
        "bodies": list(bodies),
    }
    return context, {"decision_due": due.isoformat()}


def threshold_decision_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Whether the application meets the threshold for a case review, and why; with the
    route of appeal when it does not."""
    d = decision(session, case)
    assessment = assess_case(session, case)
    community = assessment.community
    context: dict[str, Any] = {
        "recorded": d.recorded,
        "declined": d.basis == "declined",
        "met": bool(d.met),
        "basis": d.basis or "",
        "decided_on": long_date(d.decided_on),
        "decline_ground": DECLINE_GROUNDS.get(d.decline_ground, ""),
        "senior_officer": d.senior_officer or "",
        "qualifying_complaints": plural(assessment.qualifying_count, "qualifying complaint"),
        "threshold_count": assessment.threshold_count,
        "community_met": bool(
            community is not None and community.met and not assessment.met_by_count
        ),
        "community_individuals": plural(
            community.individuals if community else 0, "separate individual"
        ),
        "community_months": community.months if community else 0,
        "community_needed": community.needed if community else 0,
        "reasons": WholeBlock(
            quoted(
                answers,
                "reasons",
                "the threshold decision's reasons",
                d.reasons,
                "No reasons were recorded.",
            )
        ),
    }
    for key, title, text in (
        ("persistence", "How persistent the behaviour is", d.persistence),
        ("harm", "The harm or potential harm", d.harm),
        ("adequacy", "How adequate the response has been", d.adequacy),
    ):
        said = f"the threshold decision's answer: {title.lower()}"
        context[key] = (
            WholeBlock(quoted(answers, key, said, text, "")) if text.strip() else WholeBlock()
        )
    route, deadline = appeal_route(session, letter_date, THRESHOLD_GROUNDS)
    context.update(route)
    facts: dict[str, Any] = {"decision": d.basis, "threshold_met": d.met}
    if d.recorded and not d.met:
        facts["appeal_deadline"] = deadline.isoformat()
        facts["appeal_grounds"] = list(THRESHOLD_GROUNDS)
    return context, facts


def closure_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Why the application was closed."""
    reasons = quoted(
        answers,
        "reasons",
        "the reasons given for closing",
        str(answers.get("reasons", "")),
        "No reasons were recorded.",
    )
    return {"reasons": WholeBlock(reasons)}, {}


def complaint_referral_letter(
    session: Session,
    case: Case,
    answers: Mapping[str, Any],
    letter_date: date,
    council: Contact,
    appeal: Appeal | None,
) -> Composed:
    """Why a complaint about an officer or a service goes to that body's complaints
    procedure instead, and to which ombudsman after that."""
    route = str(answers.get("complaints_route", ""))
    _role, ombudsman = COMPLAINTS_ROUTES.get(route, ("", "the ombudsman for that service"))
    body = complaint_body(session, case, answers).name
    context = {"complaint_about": body, "ombudsman": ombudsman}
    return context, {"complaints_route": route, "complaint_about": body}
