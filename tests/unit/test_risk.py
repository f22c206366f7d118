"""The risk and vulnerability assessment's scoring: each level at its boundaries, and the
answers that make the risk high by themselves."""

from __future__ import annotations

import json

import pytest

from engine.cases.risk import (
    IMPACT_QUESTIONS,
    VULNERABILITIES,
    answer_lines,
    answer_problems,
    assess_risk,
)
from tests.support.files import FORMS

NOTHING = {
    "impact_on_health": "none",
    "impact_on_sleep": "none",
    "impact_on_daily_life": "none",
    "fear": "none",
    "vulnerability_factors": ["none"],
    "targeted_repeatedly": False,
    "hate_motivated": False,
}


def answers(**changes) -> dict:
    return {**NOTHING, **changes}


@pytest.mark.parametrize(
    "changes, level, points",
    [
        ({}, "standard", 0),
        # Severe sleep (3) and some impact on health (1): 4, the most a standard risk has.
        ({"impact_on_sleep": "severe", "impact_on_health": "some"}, "standard", 4),
        # One more point: 5, the least a medium risk has.
        (
            {"impact_on_sleep": "severe", "impact_on_health": "some", "fear": "some"},
            "medium",
            5,
        ),
        # Severe sleep and daily life (3 each) and repeat targeting (3): 9, the most medium.
        (
            {
                "impact_on_sleep": "severe",
                "impact_on_daily_life": "severe",
                "targeted_repeatedly": True,
            },
            "medium",
            9,
        ),
        # One more point: 10, high on points alone.
        (
            {
                "impact_on_sleep": "severe",
                "impact_on_daily_life": "severe",
                "targeted_repeatedly": True,
                "fear": "some",
            },
            "high",
            10,
        ),
        # Two vulnerability factors (2 each) and a hate element (3): 7.
        ({"vulnerability_factors": ["isolated", "carer"], "hate_motivated": True}, "medium", 7),
    ],
)
def test_the_level_follows_the_points_at_each_boundary(changes, level, points) -> None:
    assessed = assess_risk(answers(**changes))
    assert (assessed.level, assessed.points, assessed.high_because) == (level, points, ())


@pytest.mark.parametrize(
    "changes, points, because",
    [
        (
            {"fear": "severe", "vulnerability_factors": ["isolated"]},
            5,
            ("severe fear and a vulnerability factor",),
        ),
        (
            {"hate_motivated": True, "targeted_repeatedly": True},
            6,
            ("a hate element and repeat targeting",),
        ),
        (
            {"impact_on_health": "severe", "vulnerability_factors": ["mental_health"]},
            5,
            ("a severe impact on health and a vulnerability factor",),
        ),
    ],
)
def test_some_answers_make_the_risk_high_by_themselves(changes, points, because) -> None:
    assessed = assess_risk(answers(**changes))
    assert (assessed.level, assessed.points, assessed.high_because) == ("high", points, because)


@pytest.mark.parametrize(
    "changes",
    [
        {"fear": "severe"},  # no vulnerability factor
        {"fear": "some", "vulnerability_factors": ["isolated"]},
        {"hate_motivated": True},  # not targeted repeatedly
        {"targeted_repeatedly": True},
        {"impact_on_health": "severe"},
    ],
)
def test_one_half_of_a_rule_alone_does_not_make_it_high(changes) -> None:
    assert assess_risk(answers(**changes)).level == "standard"


def test_none_of_these_cannot_be_ticked_with_a_factor() -> None:
    assert answer_problems(answers(vulnerability_factors=["none", "carer"])) == {
        "vulnerability_factors": "Select the vulnerability factors, or select none of these, "
        "not both"
    }
    assert answer_problems(answers(vulnerability_factors=["none"])) == {}
    assert answer_problems(answers(vulnerability_factors=["carer", "age"])) == {}
    # "None of these" scores nothing.
    assert assess_risk(answers(vulnerability_factors=["none"])).points == 0


def test_the_answers_read_as_questions_and_replies() -> None:
    lines = dict(answer_lines(answers(fear="severe", vulnerability_factors=["age", "carer"])))
    assert lines["Fear"] == "Severe"
    assert lines["Vulnerability factors"] == "Age (a child or an older person); A carer"
    assert lines["Hate element"] == "No"


def test_the_form_asks_what_the_scoring_knows() -> None:
    form = json.loads((FORMS / "risk_assessment.json").read_text())
    properties = form["properties"]
    for name in IMPACT_QUESTIONS:
        assert properties[name]["enum"] == ["none", "some", "severe"]
    factors = properties["vulnerability_factors"]["items"]
    assert factors["enum"] == [*VULNERABILITIES, "none"]
    assert {key: factors["x-labels"][key] for key in VULNERABILITIES} == VULNERABILITIES
    assert set(form["required"]) == {*IMPACT_QUESTIONS, *NOTHING} - {"risk_notes"}
