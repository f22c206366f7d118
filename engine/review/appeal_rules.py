"""Whether an appeal to the OPCC can be heard (DOMAIN rule 9)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.area import current_settings
from engine.core.models import Appeal, Recommendation, Review
from engine.core.workdays import add_working_days

NOT_DELIVERED = "action_plan_not_delivered"

GROUNDS = {
    "threshold_decision": "the threshold decision was wrong",
    "process_not_considered": "the review did not consider a relevant process, policy or protocol",
    "information_not_considered": "the review did not consider relevant information",
    "action_plan_not_delivered": "the action plan was not delivered",
}


def ground_sentence(ground: str) -> str:
    """A ground as it opens a sentence or a list item: "The threshold decision was wrong"."""
    text = GROUNDS.get(ground, ground)
    return text[:1].upper() + text[1:]


def _timescale(session: Session, name: str) -> int:
    return int(current_settings(session).get("timescales", {}).get(name, 20))


def undelivered_window_closes(session: Session, case_id: int, on: date) -> date | None:
    """The last day an appeal that the action plan was not delivered is in time, for one made
    on ``on``: each action of the case's reviews whose due date passed without it done opens
    a window of the area's ``action_plan_appeal_window`` working days from that date; the
    latest of those still open on ``on``, or None."""
    window = _timescale(session, "action_plan_appeal_window")
    actions = session.execute(
        select(Recommendation.due_date, Recommendation.completed_on)
        .join(Review, Review.id == Recommendation.review_id)
        .where(Review.case_id == case_id, Recommendation.due_date < on)
    ).all()
    closing = [
        add_working_days(due, window)
        for due, done in actions
        if done is None or done > due  # not done by its due date
    ]
    still_open = [day for day in closing if day >= on]
    return max(still_open) if still_open else None


def eligibility(session: Session, appeal: Appeal) -> tuple[bool, str]:
    """Whether an appeal can be heard: in time and on at least one allowed ground. In time is
    within the area's ``appeal_window`` of the letter, or, on the ground that the action plan
    was not delivered, within ``undelivered_window_closes``."""
    window = _timescale(session, "appeal_window")
    deadline = add_working_days(appeal.letter_date, window)
    reasons = []
    action_window = (
        undelivered_window_closes(session, appeal.case_id, appeal.received_on)
        if NOT_DELIVERED in (appeal.grounds or [])
        else None
    )
    if appeal.received_on > deadline and action_window is not None and appeal.grounds:
        return True, (
            f"The appeal is in time on the ground that {GROUNDS[NOT_DELIVERED]}: an action "
            f"was not done by its due date, and an appeal on that ground may be made until "
            f"{action_window:%d %B %Y}. It is too late on any other ground (the deadline was "
            f"{deadline:%d %B %Y})."
        )
    if appeal.received_on > deadline:
        reasons.append(
            f"it was received on {appeal.received_on:%d %B %Y}, after the deadline of "
            f"{deadline:%d %B %Y} ({window} working days from the letter)"
        )
    if not appeal.grounds:
        reasons.append(
            "it gives no allowed ground; being unhappy with the outcome alone is not a ground"
        )
    if reasons:
        return False, "The appeal cannot be heard: " + "; and ".join(reasons) + "."
    listed = "; ".join(GROUNDS[ground] for ground in appeal.grounds)
    return True, f"The appeal is in time (deadline {deadline:%d %B %Y}) and says {listed}."
