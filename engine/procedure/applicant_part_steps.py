"""What the steps of the applicant's part in the review record: the chair's decision on
inviting them to the meeting, the draft action plan shared with them when the meeting is
recorded, their views on it, and how the chair considered those views."""

from __future__ import annotations

from typing import Any

from engine import documents
from engine.core import clock
from engine.core.area import current_settings
from engine.core.errors import InvalidData
from engine.core.models import Review, User
from engine.core.workdays import add_working_days, as_date
from engine.procedure.step import Arrival, Step
from engine.review.reviews import current_review

DRAFT_PLAN_LETTER = "draft_plan_letter"


def _review(step: Step) -> Review:
    review = current_review(step.session, step.case)
    if review is None:
        raise InvalidData("This step needs a review", {"": "No review is recorded for this case"})
    return review


def decide_invitation(step: Step) -> dict[str, Any]:
    """The chair's decision on inviting the applicant; not inviting them needs reasons, which
    the letter sent with this step gives them before the meeting."""
    review = _review(step)
    invite = bool(step.data["invite"])
    review.applicant_invited = invite
    review.not_invited_reasons = None if invite else str(step.data.get("reasons", "")).strip()
    return {"applicant_invited": invite}


def views_wait_days(step: Step) -> int:
    """The area's working days for the applicant's views on the draft plan (default 5)."""
    timescales = current_settings(step.session).get("timescales", {})
    return int(timescales.get("views_wait", 5))


def draft_plan_wait(step: Step) -> dict[str, Any]:
    """What the review's wait for the applicant's views counts from: today, and the area's
    working days (``draft_shared_on``, ``views_wait_days``, read by its timer)."""
    return {"draft_shared_on": clock.today(), "views_wait_days": views_wait_days(step)}


def share_draft_plan(arrival: Arrival) -> None:
    """The wait for the applicant's views has begun: send them the meeting's draft
    recommendations, signed by the chair who recorded them, asking for their views by the
    date the wait ends."""
    review = current_review(arrival.session, arrival.case)
    chair = arrival.session.get(User, review.chair_user_id) if review is not None else None
    if review is None or chair is None:
        return
    shared = as_date(arrival.data.get("draft_shared_on") or clock.today())
    review.draft_shared_on = shared
    review.views_due_on = add_working_days(shared, int(arrival.data.get("views_wait_days", 5)))
    documents.send_letter(
        arrival.session,
        arrival.case,
        DRAFT_PLAN_LETTER,
        chair,
        {"shared_on": shared.isoformat()},
        form=arrival.task.form,
        task_id=arrival.task.id,
    )


def record_views(step: Step) -> dict[str, Any]:
    """Views the applicant gave the council otherwise than on their own pages."""
    review = _review(step)
    review.applicant_views = str(step.data["views"])
    review.views_received_at = clock.now()
    review.views_received_by = str(step.data["given_by"])
    return {}


def finalise_plan(step: Step) -> dict[str, Any]:
    """How the chair considered the applicant's views: the outcome letter says it."""
    _review(step).views_considered = str(step.data["views_considered"])
    return {}
