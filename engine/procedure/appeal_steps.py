"""What the appeal's steps record: whether it can be heard, and the OPCC's decision."""

from __future__ import annotations

from typing import Any

from engine.core import clock
from engine.core.errors import InvalidData
from engine.core.models import Appeal
from engine.core.workdays import as_date
from engine.procedure.step import Arrival, Step
from engine.review.appeal_rules import eligibility


def _appeal(step: Step | Arrival, data: Any) -> Appeal:
    appeal = step.session.get(Appeal, data.get("appeal_id"))
    if appeal is None:
        raise InvalidData("This task is not linked to an appeal", {"": "not linked"})
    return appeal


def suggest_eligibility(arrival: Arrival) -> None:
    """The rules' answer, with reasons, as the officer's starting point."""
    eligible, reasons = eligibility(arrival.session, _appeal(arrival, arrival.data))
    arrival.task.draft = {"eligible": eligible, "reasons": reasons}


def eligibility_problems(step: Step) -> dict[str, str]:
    """The officer's answer must be the rules' (in time, on an allowed ground)."""
    answer = step.data.get("eligible")
    if not isinstance(answer, bool):
        return {}
    eligible, reasons = eligibility(step.session, _appeal(step, step.context))
    return {"eligible": reasons} if answer != eligible else {}


def check_eligibility(step: Step) -> dict[str, Any]:
    problems = eligibility_problems(step)
    if problems:
        raise InvalidData("The eligibility decision needs correcting", problems)
    appeal = _appeal(step, step.context)
    eligible, _ = eligibility(step.session, appeal)
    appeal.eligible = eligible
    appeal.eligibility_reasons = step.data["reasons"]
    if not eligible:
        appeal.decided_on = clock.today()
    return {}


# Named as their forms title them (the forms check them too, with ``x-latest``).
_SENT_DATES = {
    "sent_on": "The date the case file was sent",
    "council_told_on": "The date the council was sent the decision",
}


def sent_not_in_future(step: Step) -> dict[str, Any]:
    """A date the OPCC or the council records sending something on has already come."""
    problems = {
        name: f"{_SENT_DATES[name]} must be today or in the past"
        for name in _SENT_DATES
        if step.data.get(name) and as_date(step.data[name]) > clock.today()
    }
    if problems:
        raise InvalidData("The date needs correcting", problems)
    return {}


def record_appeal_decision(step: Step) -> dict[str, Any]:
    appeal = _appeal(step, step.context)
    appeal.outcome = step.data["appeal_outcome"]
    appeal.outcome_reasons = step.data["reasons"]
    appeal.decided_on = clock.today()
    return {}
