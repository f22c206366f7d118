"""What the application's steps record: the applicant's contact, named at the
acknowledgement; agencies' returns, the screening (beside the applicant's own answers), the
victim's consent and the threshold decision (a vulnerable victim's with its senior officer,
``senior_officer_steps``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date
from typing import Any

from engine import documents
from engine.cases.assessment import assess_case
from engine.cases.contact import name_contact
from engine.cases.threshold import ThresholdAssessment
from engine.core import audit, clock
from engine.core.errors import InvalidData
from engine.core.models import Incident
from engine.procedure.senior_officer_steps import (
    VULNERABILITY,
    back_to_who_decided,
    name_senior_officer,
    senior_officer_problems,
)
from engine.procedure.step import LEGAL_BASIS, Arrival, Step


def acknowledge(step: Step) -> dict[str, Any]:
    """Whoever acknowledges the application becomes the applicant's single point of contact,
    unless one was named before (a manager may name one as soon as the case exists). The
    case keeps the day (in UTC, as the task's completion is kept) it was first acknowledged,
    for the oversight figures."""
    if step.case.contact_user_id is None:
        name_contact(step.session, step.case, step.user, by=step.user)
    today = clock.now().astimezone(UTC).date()
    if step.case.acknowledged_on is None or today < step.case.acknowledged_on:
        step.case.acknowledged_on = today
    return {}


def record_return(step: Step) -> dict[str, Any]:
    """An agency's information return: each incident it knows of joins the case."""
    session, case, data = step.session, step.case, step.data
    source = step.user.organisation.key
    now = clock.now()
    session.add_all(
        Incident(
            case_id=case.id,
            source=source,
            occurred_on=date.fromisoformat(item["occurred_on"]),
            reported_on=date.fromisoformat(item["reported_on"]),
            reported_to=source,
            reference=item.get("reference", ""),
            description=item.get("description", ""),
            created_at=now,
        )
        for item in data.get("incidents", [])
    )
    session.flush()
    # Read again only if something asks (the threshold decision does), not on every return.
    session.expire(case, ["incidents"])
    return {}


def record_information_request(arrival: Arrival) -> None:
    """Each request for information is audited with the law it is made under (Schedule 4)."""
    task = arrival.task
    audit.record(
        arrival.session,
        "information.requested",
        case_id=arrival.case.id,
        object_type="task",
        object_id=task.id,
        detail={
            "organisations": task.organisation_ids,
            "due_on": task.due_on.isoformat() if task.due_on else None,
            "legal_basis": arrival.data.get("legal_basis", LEGAL_BASIS),
        },
    )


def screening_problems(step: Step) -> dict[str, str]:
    """The route must be one the application can take, and an answer about a hate element
    other than the applicant's own needs its reason."""
    case, route = step.case, step.data.get("route")
    problems = {}
    if route == "consent_hold" and not case.on_behalf:
        problems["route"] = "Only an application made on someone else's behalf can wait for consent"
    elif route == "review" and case.on_behalf and not case.victim_consent:
        problems["route"] = "The victim has not agreed: hold the application until they do"
    if _differs_from_applicant(step) and not _hate_element_reason(step):
        problems["hate_element_reason"] = (
            "Enter why screening finds no hate element: the applicant said there is one"
            if case.applicant_hate_element
            else "Enter why screening finds a hate element: the applicant did not say there is one"
        )
    return problems


def _differs_from_applicant(step: Step) -> bool:
    """Whether screening's answer is not the applicant's own (unknown for a case screened
    before the service kept it, so never different)."""
    screened, said = step.data.get("hate_element"), step.case.applicant_hate_element
    return isinstance(screened, bool) and said is not None and screened != said


def _hate_element_reason(step: Step) -> str:
    reason = step.data.get("hate_element_reason")
    return reason.strip() if isinstance(reason, str) else ""


def record_screening(step: Step) -> dict[str, Any]:
    case, data = step.case, step.data
    problems = screening_problems(step)
    if problems:
        raise InvalidData("The screening needs correcting", problems)
    case.hate_element = bool(data["hate_element"])
    # The applicant's answer stays as they gave it; a different one is kept with its reason.
    case.hate_element_reason = _hate_element_reason(step) if _differs_from_applicant(step) else None
    if case.hate_element_reason is not None:
        audit.record(
            step.session,
            "screening.hate_element_changed",
            user=step.user,
            case_id=case.id,
            object_type="case",
            object_id=case.reference,
            detail={
                "applicant_said": case.applicant_hate_element,
                "screening_found": case.hate_element,
                "reason": case.hate_element_reason,
            },
        )
    if data["route"] == "complaint":
        case.closed_on = clock.today()
    return {}


def record_consent(step: Step) -> dict[str, Any]:
    step.case.victim_consent = bool(step.data["victim_consent"])
    return {}


def suggest_decision(arrival: Arrival) -> None:
    """Where the count of qualifying complaints meets the threshold, the decision is made.
    Made again after a senior officer did not confirm it, it goes back to who made it."""
    back_to_who_decided(arrival)
    assessment = assess_case(arrival.session, arrival.case)
    if assessment.met:
        arrival.task.draft = {"threshold_met": True, "decision_basis": "count"}


def decision_problems(step: Step) -> dict[str, str]:
    """A decision must agree with the count of qualifying complaints: met when the count
    meets the area's, and never on the count when it does not; a vulnerable victim decision
    names a manager of the managing council as its senior officer."""
    return {
        **_contradicted(assess_case(step.session, step.case), step.data),
        **senior_officer_problems(step),
    }


def _contradicted(assessment: ThresholdAssessment, data: Mapping[str, Any]) -> dict[str, str]:
    count, needed = assessment.qualifying_count, assessment.threshold_count
    basis, met = data.get("decision_basis"), data.get("threshold_met")
    problems: dict[str, str] = {}
    community = assessment.community
    if assessment.met_by_count and (met is False or basis not in (None, "count")):
        problems["threshold_met"] = (
            f"There are {count} qualifying complaints, at or above the area's count of {needed}: "
            "the threshold is met and cannot be recorded otherwise"
        )
    elif community is not None and community.met and (met is False or basis not in (None, "count")):
        problems["threshold_met"] = (
            f"{community.individuals} separate individuals reported the behaviour within "
            f"{community.months} months, at or above the area's community threshold of "
            f"{community.needed}: the threshold is met and cannot be recorded otherwise"
        )
    elif not assessment.met and basis == "count":
        problems["decision_basis"] = (
            f"There are {count} qualifying complaints, fewer than {needed}: record a "
            "discretionary decision with reasons, a vulnerable victim decision, or a decline"
        )
    return problems


def record_decision(step: Step) -> dict[str, Any]:
    case, data = step.case, step.data
    assessment = assess_case(step.session, case)
    problems = {**_contradicted(assessment, data), **senior_officer_problems(step)}
    if problems:
        raise InvalidData("The decision needs correcting", problems)
    count, needed = assessment.qualifying_count, assessment.threshold_count
    recorded = {"qualifying_count": count, "threshold_count": needed}
    basis, met = data["decision_basis"], data["threshold_met"]
    if basis == VULNERABILITY:
        # Recorded once its senior officer confirms it: now, if they are who records it.
        return {**recorded, "senior_officer_confirmed": name_senior_officer(step)}
    case.threshold_met = bool(met)
    case.decision_basis = basis
    case.decided_on = clock.today()
    case.senior_officer_id = case.senior_officer_confirmed_at = None
    return recorded


def complaint_route_problems(step: Step) -> dict[str, str]:
    """The referral's route must be the complaints procedure of the organisation the
    screening found the complaint is about."""
    if not step.data.get("complaints_route"):
        return {}
    answers = {**step.data, "complaint_organisation": step.context.get("complaint_organisation")}
    problem = documents.complaint_route_problem(step.session, step.case, answers)
    return {"complaints_route": problem} if problem else {}


def check_complaint_route(step: Step) -> dict[str, Any]:
    problems = complaint_route_problems(step)
    if problems:
        raise InvalidData("The letter needs correcting", problems)
    return {}
