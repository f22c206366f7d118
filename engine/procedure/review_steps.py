"""What the case review's steps record: the meeting arranged, the meeting held with its
recommendations, the outcome letter's date, and each agency's actions. The applicant is told
when the meeting is arranged and as each action is reported."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import documents
from engine.core import audit, clock
from engine.core.errors import InvalidData
from engine.core.models import Case, CaseParticipant, Organisation, Recommendation, Review
from engine.core.workdays import add_working_days, as_date, is_working_day
from engine.documents.letters.shared import timescale
from engine.documents.letters.updates import action_reported, meeting_arranged
from engine.procedure.applicant_part_steps import draft_plan_wait
from engine.procedure.step import ACTION_ROLES, Step
from engine.review.independence import REASON_FIELD, record_appointment
from engine.review.reviews import (
    appointable_chair,
    chair_problems,
    current_review,
    missing_returns,
)


def _date(value: Any) -> date | None:
    """An answer as a date, or None where it is missing or no date (the form tells that)."""
    try:
        return date.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _meeting_due_by(step: Step) -> date:
    """The last day the area's timescale allows for the meeting, from the decision."""
    decided = step.context.get("decided_on") or step.case.decided_on or clock.today()
    return add_working_days(as_date(decided), timescale(step.session, "review_meeting"))


def meeting_problems(step: Step) -> dict[str, str]:
    """The chair must be one (from an organisation taking part in the case, appointed by a
    manager with a reason), and the meeting on a working day, not past, and within the
    area's timescale or with a reason."""
    session, data = step.session, step.data
    problems: dict[str, str] = {}
    chair_email = data.get("chair_email")
    if isinstance(chair_email, str) and chair_email:
        reason = str(data.get(REASON_FIELD) or "")
        problems |= chair_problems(session, step.case, step.user, chair_email, reason)
    meeting_date = _date(data.get("meeting_date"))
    if meeting_date is None:
        return problems
    reason = str(data.get("beyond_timescale_reason") or "").strip()
    latest = _meeting_due_by(step)
    if meeting_date < clock.today():
        problems["meeting_date"] = "The date of the review meeting must be today or in the future"
    elif not is_working_day(meeting_date):
        problems["meeting_date"] = (
            f"{meeting_date:%A %-d %B %Y} is not a working day: choose a weekday that is not "
            "a bank holiday"
        )
    elif meeting_date > latest and not reason:
        problems["beyond_timescale_reason"] = (
            f"The area's timescale has the meeting held by {latest:%-d %B %Y}: choose a date "
            "by then, or say why the meeting is later"
        )
    return problems


def schedule_meeting(step: Step) -> dict[str, Any]:
    """The chair and date of the review meeting: the chair joins the case."""
    session, case, data = step.session, step.case, step.data
    summary = "The meeting details need correcting"
    problems = meeting_problems(step)
    if problems:
        raise InvalidData(summary, problems)
    reason_given = str(data.get(REASON_FIELD) or "")
    chair = appointable_chair(session, case, step.user, data["chair_email"], reason_given, summary)
    meeting_date = date.fromisoformat(data["meeting_date"])
    reason = str(data.get("beyond_timescale_reason") or "").strip()
    latest = _meeting_due_by(step)
    previous = current_review(session, case)
    for participant in [p for p in case.participants if p.role == "chair"]:
        case.participants.remove(participant)
    session.flush()
    case.participants.append(
        CaseParticipant(organisation_id=chair.organisation_id, role="chair", user_id=chair.id)
    )
    review = Review(
        case_id=case.id,
        number=(previous.number + 1) if previous else 1,
        chair_user_id=chair.id,
        meeting_date=meeting_date,
        created_at=clock.now(),
    )
    session.add(review)
    session.flush()
    record_appointment(session, case, review, step.user, chair, str(data.get(REASON_FIELD) or ""))
    if meeting_date > latest:
        review.beyond_timescale_reason = reason
        audit.record(
            session,
            "review.beyond_timescale",
            user=step.user,
            case_id=case.id,
            object_type="review",
            object_id=review.id,
            detail={
                "meeting_date": meeting_date.isoformat(),
                "due_by": latest.isoformat(),
                "reason": reason,
            },
        )
    documents.tell_applicant(
        session,
        case,
        meeting_arranged(meeting_date),
        key=f"meeting:review:{review.id}",
        user=step.user,
        form=step.task.form,
        task_id=step.task.id,
    )
    # The diagram asks someone to chase the information returns only when some are awaited.
    return {"missing_returns": missing_returns(session, case)}


def _agencies(session: Session, case: Case) -> dict[str, str]:
    """The case's agencies that may be given actions, by key: their role on the case."""
    return {
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


def record_problems(step: Step) -> dict[str, str]:
    """The meeting was arranged and is held by now (on its day, or later if rescheduled), and
    each recommendation goes to an agency of the case, due after the meeting."""
    session, case, data = step.session, step.case, step.data
    roles = _agencies(session, case)
    problems = {}
    review = current_review(session, case)
    if review is None:
        problems[""] = "No review meeting has been arranged for this case"
    held_on = _date(data.get("held_on"))
    scheduled = review.meeting_date if review is not None else None
    if held_on is not None and held_on > clock.today():
        problems["held_on"] = "The date the meeting was held must be today or in the past"
    elif held_on and scheduled and held_on < scheduled and not data.get("rescheduled"):
        problems["held_on"] = (
            f"The date the meeting was held must be the same as or after {scheduled:%-d %B %Y}, "
            "the date it was arranged for, unless it was rescheduled (say so below)"
        )
    recommendations = data.get("recommendations")
    for index, item in enumerate(recommendations if isinstance(recommendations, list) else []):
        if not isinstance(item, Mapping):
            continue
        if item.get("organisation") and item["organisation"] not in roles:
            problems[f"recommendations[{index}].organisation"] = (
                "Select an agency taking part in this case"
            )
        due = _date(item.get("due_date"))
        if due is not None and held_on is not None and due < held_on:
            problems[f"recommendations[{index}].due_date"] = (
                "The date it is due must be after the date the meeting was held"
            )
    return problems


def record_meeting(step: Step) -> dict[str, Any]:
    """The meeting held: who came, whether and how the applicant took part, what it found,
    and each recommendation, which becomes an action for the agency it is given to
    (``<role>_actions`` in the workflow). Recommendations go to the applicant as a draft
    plan for their views."""
    session, case, data = step.session, step.case, step.data
    problems = record_problems(step)
    review = current_review(session, case)
    if review is None or problems:
        raise InvalidData("The meeting record needs correcting", problems)
    held_on = date.fromisoformat(data["held_on"])
    rescheduled = bool(data.get("rescheduled"))
    scheduled = review.meeting_date
    roles = _agencies(session, case)
    review.held_on = held_on
    review.rescheduled = rescheduled
    if rescheduled:
        audit.record(
            session,
            "review.rescheduled",
            user=step.user,
            case_id=case.id,
            object_type="review",
            object_id=review.id,
            detail={
                "arranged_for": scheduled.isoformat() if scheduled else None,
                "held_on": held_on.isoformat(),
            },
        )
    review.attendees = list(data["attendees"])
    review.findings = data["findings"]
    review.applicant_took_part = data.get("applicant_took_part")
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
    if rows:
        return {**plans, **draft_plan_wait(step)}
    return plans


def record_outcome_letter(step: Step) -> dict[str, Any]:
    """The outcome letter's date starts the appeal window."""
    review = current_review(step.session, step.case)
    if review is None:
        raise InvalidData("The letter needs a review", {"": "No review is recorded for this case"})
    # The letter goes, dated today, as this task completes: the appeal window counts from it.
    review.outcome_letter_sent_on = clock.today()
    return {}


def record_action(step: Step) -> dict[str, Any]:
    """An agency's update on the action the review gave it."""
    action = step.context.get(f"{step.task.role}_action") or {}
    recommendation = step.session.get(Recommendation, action.get("recommendation_id"))
    if recommendation is None:
        raise InvalidData("This task is not linked to a recommendation", {"": "not linked"})
    recommendation.status = step.data["action_status"]
    recommendation.notes = step.data["notes"]
    recommendation.completed_on = clock.today()
    step.session.flush()
    plan = step.session.scalars(
        select(Recommendation.status).where(Recommendation.review_id == recommendation.review_id)
    ).all()
    organisation = step.session.get(Organisation, recommendation.organisation_id)
    documents.tell_applicant(
        step.session,
        step.case,
        action_reported(
            organisation.name if organisation is not None else "An agency",
            recommendation.action,
            recommendation.status,
            still_open=sum(1 for status in plan if status == "open"),
            total=len(plan),
        ),
        key=f"action:{recommendation.id}",
        user=step.user,
        form=step.task.form,
        task_id=step.task.id,
    )
    return {}
