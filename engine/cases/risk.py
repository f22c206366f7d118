"""The risk and vulnerability assessment: the council's questionnaire after screening, scored
to a level (standard, medium or high) that the pack, the inboxes and the area's timescales
follow.

The questions are those ASB teams ask (form ``risk_assessment``):

- the impact on the victim's health, sleep and daily life, and their fear: each ``none``,
  ``some`` or ``severe``;
- vulnerability factors: any of a disability or long-term illness, mental health, age (a child
  or an older person), living alone or isolated, children in the home, being a carer; or
  ``none`` of these;
- whether they are targeted personally and repeatedly, and whether there is a hate element
  (yes or no each).

Scoring: each impact and the fear score 0 for none, 1 for some and 3 for severe; each
vulnerability factor scores 2; repeat targeting scores 3 and a hate element 3. A total of
10 or more is high, 5 to 9 medium, 0 to 4 standard.

Some answers make the risk high by themselves, whatever the total:

- severe fear together with any vulnerability factor;
- a hate element together with repeat targeting;
- a severe impact on health together with any vulnerability factor.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LEVELS = ("standard", "medium", "high")
LEVEL_NAMES = {"standard": "Standard", "medium": "Medium", "high": "High"}
# The points from which a total is medium, and high.
MEDIUM_FROM = 5
HIGH_FROM = 10

IMPACTS = ("none", "some", "severe")
IMPACT_POINTS = {"none": 0, "some": 1, "severe": 3}
IMPACT_NAMES = {"none": "No", "some": "Some", "severe": "Severe"}
# Each question about the impact on the victim, with how the pack and the case page ask it.
IMPACT_QUESTIONS = {
    "impact_on_health": "Impact on health",
    "impact_on_sleep": "Impact on sleep",
    "impact_on_daily_life": "Impact on daily life",
    "fear": "Fear",
}
NONE_OF_THESE = "none"
VULNERABILITIES = {
    "disability": "A disability or long-term illness",
    "mental_health": "Mental health",
    "age": "Age (a child or an older person)",
    "isolated": "Lives alone or isolated",
    "children": "Children in the home",
    "carer": "A carer",
}
VULNERABILITY_POINTS = 2
TARGETED_POINTS = 3
HATE_POINTS = 3


@dataclass(frozen=True)
class RiskLevel:
    """The level the answers give, their points, and why it is high regardless (if so)."""

    level: str
    points: int
    # The rules that made it high by themselves, in words, or none.
    high_because: tuple[str, ...] = ()


def vulnerabilities_of(answers: Mapping[str, Any]) -> list[str]:
    """The vulnerability factors ticked, without "none of these"."""
    ticked = answers.get("vulnerability_factors") or []
    return [factor for factor in ticked if factor in VULNERABILITIES]


def points_of(answers: Mapping[str, Any]) -> int:
    impacts = sum(IMPACT_POINTS.get(answers.get(name, "none"), 0) for name in IMPACT_QUESTIONS)
    return (
        impacts
        + VULNERABILITY_POINTS * len(vulnerabilities_of(answers))
        + (TARGETED_POINTS if answers.get("targeted_repeatedly") else 0)
        + (HATE_POINTS if answers.get("hate_motivated") else 0)
    )


def high_because(answers: Mapping[str, Any]) -> tuple[str, ...]:
    vulnerable = bool(vulnerabilities_of(answers))
    reasons = []
    if answers.get("fear") == "severe" and vulnerable:
        reasons.append("severe fear and a vulnerability factor")
    if answers.get("hate_motivated") and answers.get("targeted_repeatedly"):
        reasons.append("a hate element and repeat targeting")
    if answers.get("impact_on_health") == "severe" and vulnerable:
        reasons.append("a severe impact on health and a vulnerability factor")
    return tuple(reasons)


def assess_risk(answers: Mapping[str, Any]) -> RiskLevel:
    """The level of risk the questionnaire's answers give (see the module's scoring)."""
    points = points_of(answers)
    reasons = high_because(answers)
    if reasons or points >= HIGH_FROM:
        level = "high"
    elif points >= MEDIUM_FROM:
        level = "medium"
    else:
        level = "standard"
    return RiskLevel(level, points, reasons)


def answer_problems(answers: Mapping[str, Any]) -> dict[str, str]:
    """What the form alone cannot say is wrong: "none of these" ticked with a factor."""
    ticked = answers.get("vulnerability_factors")
    if isinstance(ticked, list) and NONE_OF_THESE in ticked and len(ticked) > 1:
        return {
            "vulnerability_factors": (
                "Select the vulnerability factors, or select none of these, not both"
            )
        }
    return {}


def answer_lines(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The answers as questions and replies in words, for the pack and the case page."""
    lines = [
        (question, IMPACT_NAMES.get(answers.get(name, ""), "Not answered"))
        for name, question in IMPACT_QUESTIONS.items()
    ]
    factors = [VULNERABILITIES[factor] for factor in vulnerabilities_of(answers)]
    lines.append(("Vulnerability factors", "; ".join(factors) if factors else "None"))
    lines.append(
        (
            "Targeted personally and repeatedly",
            "Yes" if answers.get("targeted_repeatedly") else "No",
        )
    )
    lines.append(("Hate element", "Yes" if answers.get("hate_motivated") else "No"))
    return lines


@dataclass(frozen=True)
class RiskRecord:
    """A case's assessment as recorded, for the pack and the case page."""

    level: str
    assessed_on: str
    assessed_by: str
    answers: tuple[tuple[str, str], ...]
    notes: str = ""
    high_because: tuple[str, ...] = ()

    @property
    def level_name(self) -> str:
        return LEVEL_NAMES.get(self.level, self.level)


def risk_of(level: str | None, recorded: Mapping[str, Any] | None) -> RiskRecord | None:
    """The assessment kept on a case (``Case.risk_level`` and ``Case.risk``), or None if it
    has not been done (or its personal data was erased)."""
    if level is None or not recorded:
        return None
    answers = recorded.get("answers") or {}
    return RiskRecord(
        level=level,
        assessed_on=str(recorded.get("assessed_on", "")),
        assessed_by=str(recorded.get("assessed_by", "")),
        answers=tuple(answer_lines(answers)),
        notes=str(answers.get("risk_notes", "")),
        high_because=tuple(recorded.get("high_because") or ()),
    )
