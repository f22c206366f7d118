"""The applicant's part in their review, from their own pages: how they want to take part in
the meeting, asked once the threshold is met, and their views on the draft action plan while
the review waits for them. Each answer is kept and written to the case's audit trail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.applicant.your_case import applicant_case
from engine.core import audit, clock
from engine.core.errors import InvalidData
from engine.core.models import LIVE_TASK_STATES, Case, MeetingPart, Task
from engine.people.applicant_codes import ApplicantAccess
from engine.procedure import EFFECTS
from engine.review.applicant_part import CHOICES, ApplicantPart, applicant_part, meeting_part
from engine.review.reviews import REVIEW_PROCESS, current_review
from engine.runtime import deliver_message, running_instances

# The message the review's wait for the applicant's views catches (the diagram's
# ``Message_applicant_views``).
VIEWS_MESSAGE = "applicant_views"
PART_FIELDS = ("choice", "advocate_name", "advocate_relationship", "statement", "needs")
LIMITS = {"advocate_name": 200, "advocate_relationship": 200, "statement": 20000, "needs": 5000}
# How each answer is named when it is too long, as the page labels it.
NAMES = {
    "advocate_name": "Their name",
    "advocate_relationship": "Who they are to you",
    "statement": "Your statement",
    "needs": "Communication needs or reasonable adjustments",
}
MOST_VIEWS = 20000


@dataclass(frozen=True)
class YourPart:
    """The applicant's part as their pages show it: what they chose, whether they may choose
    (or change) it now, and the draft plan open to their views, if any."""

    reference: str
    part: ApplicantPart
    may_choose: bool
    why_not: str
    views_open: bool
    draft: list[tuple[str, str, date]]


def _may_choose(session: Session, case: Case) -> str:
    """Why the applicant may not say how they take part now; '' when they may."""
    if not case.threshold_met or case.status == "closed":
        return (
            "You can tell us how you want to take part once the threshold for a case review is met."
        )
    review = current_review(session, case)
    if review is not None and review.held_on is not None:
        return "The case review meeting has been held."
    return ""


def _views_task(session: Session, case: Case) -> Task | None:
    return session.scalar(
        select(Task).where(
            Task.case_id == case.id,
            Task.form == "applicant_views",
            Task.state.in_(LIVE_TASK_STATES),
        )
    )


def your_part(
    session: Session, access: ApplicantAccess, reference: str, *, purpose: str = "their part"
) -> YourPart:
    """The applicant's part in their case's review (an audited look)."""
    case = applicant_case(session, access, reference, purpose=purpose)
    review = current_review(session, case)
    why_not = _may_choose(session, case)
    views_open = _views_task(session, case) is not None and review is not None
    draft = []
    if views_open and review is not None:
        draft = [(r.organisation.name, r.action, r.due_date) for r in review.recommendations]
    return YourPart(
        reference=case.reference,
        part=applicant_part(session, case, review),
        may_choose=not why_not,
        why_not=why_not,
        views_open=views_open,
        draft=draft,
    )


def choose_part(
    session: Session, access: ApplicantAccess, reference: str, answers: Mapping[str, Any]
) -> MeetingPart:
    """Keep how the applicant wants to take part in the meeting (``answers``: ``choice``,
    with ``advocate_name`` and ``advocate_relationship`` for an advocate, ``statement`` for a
    written statement, and any ``needs``); ``InvalidData`` with the reasons otherwise."""
    case = applicant_case(session, access, reference, purpose="their part")
    why_not = _may_choose(session, case)
    if why_not:
        raise InvalidData("You cannot change how you take part now", {"": why_not})
    said = {field: str(answers.get(field) or "").strip() for field in PART_FIELDS}
    problems = {}
    if said["choice"] not in CHOICES:
        problems["choice"] = "Select how you want to take part"
    if said["choice"] == "advocate":
        if not said["advocate_name"]:
            problems["advocate_name"] = "Enter the name of your advocate or supporter"
        if not said["advocate_relationship"]:
            problems["advocate_relationship"] = "Enter who they are to you"
    if said["choice"] == "written_statement" and not said["statement"]:
        problems["statement"] = "Enter your written statement"
    for field, most in LIMITS.items():
        if len(said[field]) > most:
            problems[field] = f"{NAMES[field]} must be {most:,} characters or fewer"
    if problems:
        raise InvalidData("Your answers need correcting", problems)
    if said["choice"] != "advocate":
        said["advocate_name"] = said["advocate_relationship"] = ""
    if said["choice"] != "written_statement":
        said["statement"] = ""
    now = clock.now()
    row = meeting_part(session, case)
    if row is None:
        row = MeetingPart(case_id=case.id, created_at=now, updated_at=now, choice=said["choice"])
        session.add(row)
    for field in PART_FIELDS:
        setattr(row, field, said[field])
    row.updated_at = now
    session.flush()
    audit.record(
        session,
        "applicant.meeting_part",
        case_id=case.id,
        object_type="meeting_part",
        object_id=row.id,
        detail={"by": "applicant", "choice": row.choice, "needs": bool(row.needs)},
    )
    return row


def give_views(session: Session, access: ApplicantAccess, reference: str, views: str) -> date:
    """Keep the applicant's views on the draft action plan and end the review's wait for
    them; ``InvalidData`` when there is nothing to say or no plan waiting for views. Returns
    the day they were received."""
    case = applicant_case(session, access, reference, purpose="their views")
    text = (views or "").strip()
    if not text:
        raise InvalidData("Your views need correcting", {"views": "Enter your views on the plan"})
    if len(text) > MOST_VIEWS:
        too_long = f"Your views must be {MOST_VIEWS:,} characters or fewer"
        raise InvalidData("Your views need correcting", {"views": too_long})
    review = current_review(session, case)
    running = running_instances(session, case.id, REVIEW_PROCESS)
    if review is None or _views_task(session, case) is None or not running:
        raise InvalidData("The plan is no longer open for your views", {"": _CLOSED})
    review.applicant_views = text
    review.views_received_at = clock.now()
    review.views_received_by = "online"
    audit.record(
        session,
        "applicant.views_given",
        case_id=case.id,
        object_type="review",
        object_id=review.id,
        detail={"by": "applicant"},
    )
    if not deliver_message(session, running[0], VIEWS_MESSAGE, effects=EFFECTS):
        raise InvalidData("The plan is no longer open for your views", {"": _CLOSED})
    return clock.today()


_CLOSED = (
    "The time for your views on the draft action plan has ended, and nothing was sent. What "
    "you wrote is below: contact us if you still want to tell us."
)
