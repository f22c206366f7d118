"""What the risk and vulnerability assessment records: the level its answers give, with the
answers, who assessed and when, on the case; and the screening's hate element offered as
its answer when the task arrives."""

from __future__ import annotations

from typing import Any

from engine.cases.risk import answer_problems, assess_risk
from engine.core import audit, clock
from engine.core.errors import InvalidData
from engine.procedure.step import Arrival, Step

RISK_ANSWERS = (
    "impact_on_health",
    "impact_on_sleep",
    "impact_on_daily_life",
    "fear",
    "vulnerability_factors",
    "targeted_repeatedly",
    "hate_motivated",
    "risk_notes",
)


def suggest_hate_element(arrival: Arrival) -> None:
    """The screening found (or did not find) a hate element: the assessment starts from it,
    unless someone has already begun a draft."""
    if arrival.task.draft is None:
        arrival.task.draft = {"hate_motivated": bool(arrival.case.hate_element)}


def risk_problems(step: Step) -> dict[str, str]:
    return answer_problems(step.data)


def record_risk(step: Step) -> dict[str, Any]:
    """The level the answers give is the case's, kept with the answers themselves."""
    problems = risk_problems(step)
    if problems:
        raise InvalidData("The assessment needs correcting", problems)
    answers = {name: step.data[name] for name in RISK_ANSWERS if name in step.data}
    assessed = assess_risk(answers)
    case = step.case
    case.risk_level = assessed.level
    case.risk = {
        "answers": answers,
        "points": assessed.points,
        "high_because": list(assessed.high_because),
        "assessed_on": clock.today().isoformat(),
        "assessed_by": step.user.name,
        "assessed_by_id": step.user.id,
    }
    audit.record(
        step.session,
        "case.risk_assessed",
        user=step.user,
        case_id=case.id,
        object_type="case",
        object_id=case.id,
        detail={"level": assessed.level, "points": assessed.points},
    )
    return {"risk_level": assessed.level}
