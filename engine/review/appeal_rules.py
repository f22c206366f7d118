"""Whether an appeal to the OPCC can be heard (DOMAIN rule 9)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.core.area import current_settings
from engine.core.models import Appeal
from engine.core.workdays import add_working_days

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


def eligibility(session: Session, appeal: Appeal) -> tuple[bool, str]:
    """Whether an appeal can be heard: in time and on at least one allowed ground."""
    window = current_settings(session).get("timescales", {}).get("appeal_window", 20)
    deadline = add_working_days(appeal.letter_date, window)
    reasons = []
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
