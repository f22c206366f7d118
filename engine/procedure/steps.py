"""What the Community Trigger's steps mean: the rules the diagrams rely on.

The diagrams decide the order of work and who does it; this module decides what a completed
task records about its case (incidents returned, the threshold decision, consent), moves the
case status a task declares with its ``case_status`` property, and starts the case review when
an application's threshold is met.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import documents, runtime
from engine.cases.assessment import assess_case
from engine.cases.status import set_status
from engine.chasing.escalation import schedule_new_task
from engine.core import audit, clock
from engine.core.area import current_settings
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import (
    Appeal,
    Case,
    CaseParticipant,
    Incident,
    Organisation,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
    User,
)
from engine.review.appeal_rules import eligibility
from engine.review.reviews import (
    NOT_A_CHAIR,
    REVIEW_PROCESS,
    current_review,
    lock_running_reviews,
    review_chair,
    supersede_running_review,
)

APPLICATION = "community_trigger_application"
CASE_REVIEW = REVIEW_PROCESS
APPEAL = "opcc_appeal"
LEGAL_BASIS = (
    "Anti-social Behaviour, Crime and Policing Act 2014, Schedule 4: the relevant bodies may "
    "request information from any person exercising public functions for an ASB case review"
)


class ProcedureEffects(runtime.Effects):
    def before_completion(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        user: User,
        context: Mapping[str, Any],
    ) -> dict[str, Any]:
        case = session.get(Case, task.case_id)
        if context.get("appeal_id") is not None:
            # An appeal's step may end it upheld, which cancels the running review: take the
            # review's lock now, before any step writes the case (lock_running_reviews).
            lock_running_reviews(session, case)
        handler = _COMPLETIONS.get(task.form)
        return handler(Step(session, case, task, data, user, context)) if handler else {}

    def task_created(self, session: Session, task: Task, properties: Mapping[str, str]) -> None:
        schedule_new_task(session, task, properties)

    def task_ready(
        self,
        session: Session,
        task: Task,
        data: Mapping[str, Any],
        properties: Mapping[str, str],
    ) -> None:
        status = properties.get("case_status")
        case = session.get(Case, task.case_id)
        if status and case.status != status:
            set_status(session, case, status)
        if task.form == "information_return":
            audit.record(
                session,
                "information.requested",
                case_id=case.id,
                object_type="task",
                object_id=task.id,
                detail={
                    "organisations": task.organisation_ids,
                    "due_on": task.due_on.isoformat() if task.due_on else None,
                    "legal_basis": data.get("legal_basis", LEGAL_BASIS),
                },
            )
        if task.form == "appeal_eligibility":
            appeal = session.get(Appeal, data.get("appeal_id"))
            eligible, reasons = eligibility(session, appeal)
            task.draft = {"eligible": eligible, "reasons": reasons}
        if task.form == "threshold_decision":
            assessment = assess_case(session, case)
            if assessment.met_by_count:
                task.draft = {"threshold_met": True, "decision_basis": "count"}

    def process_finished(
        self, session: Session, instance: ProcessInstance, data: Mapping[str, Any]
    ) -> None:
        case = session.get(Case, instance.case_id)
        key = instance.definition.key
        if key == APPEAL:
            appeal = session.get(Appeal, data.get("appeal_id"))
            set_status(session, case, "appeal_decided")
            if appeal is not None and appeal.outcome == "upheld":
                # Upheld: the council carries out a fresh review of the same case, in place of
                # one still running, which would otherwise close the case when it ended.
                supersede_running_review(session, case)
                start_process(session, case, CASE_REVIEW, extra={"decided_on": appeal.decided_on})
                set_status(session, case, "review_being_arranged")
        if key == CASE_REVIEW:
            review = current_review(session, case)
            if review is not None:
                review.closed_on = clock.today()
            case.closed_on = clock.today()
            set_status(session, case, "closed")
        if key == APPLICATION:
            if case.threshold_met:
                if runtime.latest_definition(session, CASE_REVIEW) is not None:
                    start_process(session, case, CASE_REVIEW)
                set_status(session, case, "review_being_arranged")
            else:
                case.closed_on = clock.today()
                set_status(session, case, "closed")


@dataclass(frozen=True)
class Step:
    """A task being completed: where it is, what was submitted, and by whom."""

    session: Session
    case: Case
    task: Task
    data: Mapping[str, Any]
    user: User
    context: Mapping[str, Any]


def _record_return(step: Step) -> dict[str, Any]:
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


def _record_screening(step: Step) -> dict[str, Any]:
    case, data = step.case, step.data
    problems = {}
    if data["route"] == "consent_hold" and not case.on_behalf:
        problems["route"] = "Only an application made on someone else's behalf can wait for consent"
    if data["route"] == "review" and case.on_behalf and not case.victim_consent:
        problems["route"] = "The victim has not agreed: hold the application until they do"
    if problems:
        raise InvalidData("The screening needs correcting", problems)
    case.hate_element = bool(data["hate_element"])
    if data["route"] == "complaint":
        case.closed_on = clock.today()
    return {}


def _record_consent(step: Step) -> dict[str, Any]:
    step.case.victim_consent = bool(step.data["victim_consent"])
    return {}


def _record_decision(step: Step) -> dict[str, Any]:
    case, data = step.case, step.data
    assessment = assess_case(step.session, case)
    count, needed = assessment.qualifying_count, assessment.threshold_count
    basis, met = data["decision_basis"], data["threshold_met"]
    problems: dict[str, str] = {}
    if assessment.met_by_count and (not met or basis != "count"):
        problems["threshold_met"] = (
            f"There are {count} qualifying complaints, at or above the area's count of {needed}: "
            "the threshold is met and cannot be recorded otherwise"
        )
    elif not assessment.met_by_count and basis == "count":
        problems["decision_basis"] = (
            f"There are {count} qualifying complaints, fewer than {needed}: record a "
            "discretionary decision with reasons, a vulnerable victim decision, or a decline"
        )
    if problems:
        raise InvalidData("The decision needs correcting", problems)
    case.threshold_met = bool(met)
    case.decision_basis = basis
    case.decided_on = clock.today()
    return {"qualifying_count": count, "threshold_count": needed}


def _schedule_meeting(step: Step) -> dict[str, Any]:
    session, case, data = step.session, step.case, step.data
    chair = review_chair(session, data["chair_email"])
    problems = {}
    if chair is None:
        problems["chair_email"] = NOT_A_CHAIR
    meeting_date = date.fromisoformat(data["meeting_date"])
    if meeting_date < clock.today():
        problems["meeting_date"] = "The meeting cannot be in the past"
    if problems:
        raise InvalidData("The meeting details need correcting", problems)
    previous = current_review(session, case)
    for participant in [p for p in case.participants if p.role == "chair"]:
        case.participants.remove(participant)
    session.flush()
    case.participants.append(
        CaseParticipant(organisation_id=chair.organisation_id, role="chair", user_id=chair.id)
    )
    session.add(
        Review(
            case_id=case.id,
            number=(previous.number + 1) if previous else 1,
            chair_user_id=chair.id,
            meeting_date=meeting_date,
            created_at=clock.now(),
        )
    )
    session.flush()
    return {}


def _record_meeting(step: Step) -> dict[str, Any]:
    session, case, data = step.session, step.case, step.data
    roles = {
        key: role
        for key, role in session.execute(
            select(Organisation.key, CaseParticipant.role)
            .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
            .where(
                CaseParticipant.case_id == case.id,
                # The review's agencies: not its chair, nor the OPCC hearing an appeal.
                CaseParticipant.role.in_(ACTION_ROLES),
            )
        )
    }
    problems = {}
    held_on = date.fromisoformat(data["held_on"])
    if held_on > clock.today():
        problems["held_on"] = "The meeting cannot have been held in the future"
    for index, item in enumerate(data["recommendations"]):
        if item["organisation"] not in roles:
            problems[f"recommendations[{index}].organisation"] = (
                "Choose an agency taking part in this case"
            )
        if date.fromisoformat(item["due_date"]) < held_on:
            problems[f"recommendations[{index}].due_date"] = (
                "The due date must be after the meeting"
            )
    if problems:
        raise InvalidData("The meeting record needs correcting", problems)
    review = current_review(session, case)
    review.held_on = held_on
    review.attendees = list(data["attendees"])
    review.findings = data["findings"]
    names = {key: id_ for key, id_ in session.execute(select(Organisation.key, Organisation.id))}
    rows = [
        Recommendation(
            organisation_id=names[item["organisation"]],
            action=item["action"],
            due_date=date.fromisoformat(item["due_date"]),
        )
        for item in data["recommendations"]
    ]
    review.recommendations.extend(rows)
    session.flush()
    plans: dict[str, list[dict[str, Any]]] = {f"{role}_actions": [] for role in ACTION_ROLES}
    for item, row in zip(data["recommendations"], rows, strict=True):
        plans[f"{roles[item['organisation']]}_actions"].append(
            {
                "recommendation_id": row.id,
                "organisation": item["organisation"],
                "action": item["action"],
                "due_date": row.due_date,
            }
        )
    return plans


def _send_letter(step: Step) -> dict[str, Any]:
    """Write the letter this task stands for, keep it, and send it to the applicant."""
    documents.send_letter(
        step.session,
        step.case,
        step.task.form,
        step.user,
        step.data,
        appeal_id=step.context.get("appeal_id"),
        task_id=step.task.id,
    )
    return {}


def _send_complaint_letter(step: Step) -> dict[str, Any]:
    """The letter names the organisation the screening found the complaint is about, and the
    route chosen must be that organisation's."""
    about = step.context.get("complaint_organisation")
    answers = {**step.data, "complaint_organisation": about}
    problem = documents.complaint_route_problem(step.session, step.case, answers)
    if problem:
        raise InvalidData("The letter needs correcting", {"complaints_route": problem})
    return _send_letter(replace(step, data=answers))


def _record_outcome_letter(step: Step) -> dict[str, Any]:
    review = current_review(step.session, step.case)
    review.outcome_letter_sent_on = date.fromisoformat(step.data["sent_on"])
    return _send_letter(step)


def _record_action(step: Step) -> dict[str, Any]:
    action = step.context.get(f"{step.task.role}_action") or {}
    recommendation = step.session.get(Recommendation, action.get("recommendation_id"))
    if recommendation is None:
        raise InvalidData("This task is not linked to a recommendation", {"": "not linked"})
    recommendation.status = step.data["action_status"]
    recommendation.notes = step.data["notes"]
    recommendation.completed_on = clock.today()
    return {}


def _check_eligibility(step: Step) -> dict[str, Any]:
    appeal = step.session.get(Appeal, step.context.get("appeal_id"))
    eligible, reasons = eligibility(step.session, appeal)
    if bool(step.data["eligible"]) != eligible:
        raise InvalidData(
            "The eligibility decision needs correcting",
            {"eligible": reasons},
        )
    appeal.eligible = eligible
    appeal.eligibility_reasons = step.data["reasons"]
    if not eligible:
        appeal.decided_on = clock.today()
    return {}


def _record_appeal_decision(step: Step) -> dict[str, Any]:
    appeal = step.session.get(Appeal, step.context.get("appeal_id"))
    appeal.outcome = step.data["appeal_outcome"]
    appeal.outcome_reasons = step.data["reasons"]
    appeal.decided_on = clock.today()
    return {}


ACTION_ROLES = ("council", "police", "housing", "health")
_COMPLETIONS = {
    "acknowledgement": _send_letter,
    "information_return": _record_return,
    "screening": _record_screening,
    "consent": _record_consent,
    "closure_letter": _send_letter,
    "complaint_referral": _send_complaint_letter,
    "threshold_decision": _record_decision,
    "decision_letter": _send_letter,
    "schedule_meeting": _schedule_meeting,
    "meeting_record": _record_meeting,
    "outcome_letter": _record_outcome_letter,
    "action_update": _record_action,
    "appeal_acknowledgement": _send_letter,
    "appeal_eligibility": _check_eligibility,
    "appeal_refusal": _send_letter,
    "appeal_decision": _record_appeal_decision,
    "appeal_decision_letter": _send_letter,
}
EFFECTS = ProcedureEffects()


def process_data(session: Session, case: Case) -> dict[str, Any]:
    """What every process of a case starts with."""
    settings = current_settings(session)
    housing = session.scalars(
        select(Organisation.key)
        .join(CaseParticipant, CaseParticipant.organisation_id == Organisation.id)
        .where(CaseParticipant.case_id == case.id, CaseParticipant.role == "housing")
        .order_by(Organisation.key)
    ).all()
    return {
        "case_reference": case.reference,
        "district": case.district.key,
        "received_on": case.received_on,
        "on_behalf": case.on_behalf,
        "victim_consent": case.victim_consent,
        "hate_element": case.hate_element,
        "housing_providers": list(housing),
        "legal_basis": LEGAL_BASIS,
        "consent_wait_days": settings.get("timescales", {}).get("consent_wait", 20),
        # The review meeting is due from the threshold decision (or, for a fresh review, from
        # the appeal decision that ordered it).
        "decided_on": case.decided_on or clock.today(),
    }


def start_process(
    session: Session,
    case: Case,
    key: str,
    *,
    user: User | None = None,
    extra: Mapping[str, Any] | None = None,
) -> ProcessInstance:
    data = {**process_data(session, case), **(extra or {})}
    return runtime.start_process(session, case, key, data, user=user, effects=EFFECTS)


def complete_task(
    db: Database, task_id: int, user: User, data: Mapping[str, Any], *, forms_dir: Any
) -> runtime.CompletionResult:
    return runtime.complete_task(db, task_id, user, data, forms_dir=forms_dir, effects=EFFECTS)


def complete_task_in(
    session: Session,
    task_id: int,
    user: User,
    data: Mapping[str, Any],
    *,
    forms_dir: Any,
    authorise: Callable[[Session, Task], None] | None = None,
) -> runtime.CompletionResult:
    """``complete_task`` inside the caller's write transaction (``runtime.complete_task_in``)."""
    return runtime.complete_task_in(
        session, task_id, user, data, forms_dir=forms_dir, effects=EFFECTS, authorise=authorise
    )


def fire_due_timers(db: Database) -> int:
    return runtime.fire_due_timers(db, effects=EFFECTS)
