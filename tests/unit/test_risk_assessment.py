"""The risk and vulnerability assessment after screening: the threshold decision waits for
it, it is recorded on the case with its answers, the screening's hate element is its starting
answer, the pack shows it, and a high risk shortens the area's timescales."""

from __future__ import annotations

import copy
from datetime import date

import pytest
from sqlalchemy import select

from engine.core.area import AreaFileError, load_area, parse_area
from engine.core.db import Database
from engine.core.errors import InvalidData
from engine.core.models import AuditEvent
from tests.support.documents import open_docx, pack_for, reference_of
from tests.support.files import RAW
from tests.support.people import COUNCIL
from tests.support.procedure import (
    ACKNOWLEDGED,
    NO_RETURN,
    STANDARD_RISK,
    application,
    case_of,
    do,
    live,
    submit,
)

RETURNS = {
    "police_return": "police@example.org",
    "housing_return [child]": "housing@example.org",
    "health_return": "health@example.org",
    "council_return": COUNCIL,
}
HIGH_RISK = {
    **STANDARD_RISK,
    "fear": "severe",
    "vulnerability_factors": ["isolated", "age"],
    "risk_notes": "Lives alone and will not go out after dark.",
}
# 4 (some impacts) + 3 (repeat targeting) = 7 points.
MEDIUM_RISK = {**STANDARD_RISK, "targeted_repeatedly": True}


def screened(db: Database, hate: bool = False) -> int:
    case_id = submit(db, application(hate_element=hate))
    do(db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    screening = {"route": "review", "hate_element": hate}
    if hate:
        screening["hate_signposted"] = True
    do(db, case_id, "screen", COUNCIL, screening)
    return case_id


def returns_in(db: Database, case_id: int) -> None:
    for name, email in RETURNS.items():
        do(db, case_id, name, email, NO_RETURN)


def test_the_threshold_decision_waits_for_the_assessment(app_db: Database) -> None:
    case_id = screened(app_db)
    tasks = live(app_db, case_id)
    assessment = tasks["risk_assessment"]
    assert assessment.role == "council" and assessment.title == "Assess risk and vulnerability"
    assert assessment.due_on == tasks["council_return"].due_on == date(2026, 3, 13)
    returns_in(app_db, case_id)
    assert set(live(app_db, case_id)) == {"risk_assessment"}, "no decision without it"
    assert case_of(app_db, case_id).risk_level is None
    do(app_db, case_id, "risk_assessment", COUNCIL, MEDIUM_RISK)
    assert set(live(app_db, case_id)) == {"threshold_decision"}


def test_the_level_and_answers_are_kept_on_the_case(app_db: Database) -> None:
    case_id = screened(app_db)
    do(app_db, case_id, "risk_assessment", COUNCIL, HIGH_RISK)
    case = case_of(app_db, case_id)
    assert case.risk_level == "high"
    assert case.risk["answers"] == HIGH_RISK
    assert case.risk["high_because"] == ["severe fear and a vulnerability factor"]
    assert (case.risk["assessed_on"], case.risk["assessed_by"]) == ("2026-03-02", "Council")
    with app_db.read() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "case.risk_assessed"))
    assert event.detail == {"level": "high", "points": 9}


def test_the_screening_s_hate_element_is_the_starting_answer(app_db: Database) -> None:
    with_hate = screened(app_db, hate=True)
    assert live(app_db, with_hate)["risk_assessment"].draft == {"hate_motivated": True}
    without = screened(app_db)
    assert live(app_db, without)["risk_assessment"].draft == {"hate_motivated": False}


def test_none_of_these_with_a_factor_is_refused_and_nothing_recorded(app_db: Database) -> None:
    case_id = screened(app_db)
    with pytest.raises(InvalidData) as refused:
        do(
            app_db,
            case_id,
            "risk_assessment",
            COUNCIL,
            {**STANDARD_RISK, "vulnerability_factors": ["none", "carer"]},
        )
    assert "vulnerability_factors" in refused.value.fields
    assert case_of(app_db, case_id).risk_level is None
    assert "risk_assessment" in live(app_db, case_id)


@pytest.mark.parametrize(
    "answers, due_on",
    [
        # Medium: the area's 10 working days from receipt (2 March).
        (MEDIUM_RISK, date(2026, 3, 16)),
        # High: the area's high_risk_timescales, 7 working days from receipt.
        (HIGH_RISK, date(2026, 3, 11)),
    ],
)
def test_a_high_risk_shortens_the_threshold_decision(
    app_db: Database, answers: dict, due_on: date
) -> None:
    case_id = screened(app_db)
    returns_in(app_db, case_id)
    do(app_db, case_id, "risk_assessment", COUNCIL, answers)
    assert live(app_db, case_id)["threshold_decision"].due_on == due_on


def test_a_high_risk_shortens_the_review_meeting(all_db: Database) -> None:
    case_id = screened(all_db)
    do(all_db, case_id, "risk_assessment", COUNCIL, HIGH_RISK)
    returns_in(all_db, case_id)
    do(
        all_db,
        case_id,
        "threshold_decision",
        COUNCIL,
        {"threshold_met": True, "decision_basis": "count"},
    )
    do(all_db, case_id, "decision_letter", COUNCIL, {"method": "email"})
    # 15 working days from the decision on 2 March, not the area's 20.
    assert live(all_db, case_id)["schedule_meeting"].due_on == date(2026, 3, 23)


def test_the_pack_shows_the_level_who_assessed_it_and_the_answers(app_db: Database) -> None:
    case_id = screened(app_db)
    before = [
        p.text
        for p in open_docx(pack_for(app_db, reference_of(app_db, case_id)).content).paragraphs
    ]
    assert not any(text.startswith("Level of risk") for text in before)
    do(app_db, case_id, "risk_assessment", COUNCIL, HIGH_RISK)
    texts = [
        p.text
        for p in open_docx(pack_for(app_db, reference_of(app_db, case_id)).content).paragraphs
    ]
    section = texts[texts.index("Risk and vulnerability") :]
    assert section[1:4] == [
        "Level of risk: High",
        "Assessed: 2 March 2026 by Council",
        "High whatever the score, for severe fear and a vulnerability factor.",
    ]
    assert "Fear: Severe" in section
    assert (
        "Vulnerability factors: Age (a child or an older person); Lives alone or isolated"
        in section
        or (
            "Vulnerability factors: Lives alone or isolated; Age (a child or an older person)"
            in section
        )
    )
    assert "Lives alone and will not go out after dark." in section


def area(**high_risk) -> dict:
    raw = copy.deepcopy(RAW)
    raw["settings"]["high_risk_timescales"] = high_risk
    return raw


def test_the_area_s_high_risk_timescales_are_checked_when_it_loads() -> None:
    assert parse_area(RAW).settings["high_risk_timescales"] == {
        "threshold_decision": 7,
        "review_meeting": 15,
    }
    # acknowledge_application is 5: the decision needs 7, leaving an agency a working day.
    assert parse_area(area(threshold_decision=7)).settings["high_risk_timescales"] == {
        "threshold_decision": 7
    }
    with pytest.raises(AreaFileError, match="must be at least 7"):
        parse_area(area(threshold_decision=6))
    # Never longer than the area's own: 20 for the review meeting.
    assert parse_area(area(review_meeting=20)).settings["high_risk_timescales"]
    with pytest.raises(AreaFileError, match="from 0 to 20"):
        parse_area(area(review_meeting=21))
    with pytest.raises(AreaFileError, match="'decision' is not one of the area's timescales"):
        parse_area(area(decision=5))
    raw = copy.deepcopy(RAW)
    raw["settings"]["high_risk_timescales"] = 5
    with pytest.raises(AreaFileError, match="must map timescale names"):
        parse_area(raw)


def test_without_high_risk_timescales_a_high_risk_keeps_the_area_s(app_db: Database) -> None:
    raw = copy.deepcopy(RAW)
    del raw["settings"]["high_risk_timescales"]
    with app_db.transaction() as session:
        load_area(session, parse_area(raw))
    case_id = screened(app_db)
    returns_in(app_db, case_id)
    do(app_db, case_id, "risk_assessment", COUNCIL, HIGH_RISK)
    assert live(app_db, case_id)["threshold_decision"].due_on == date(2026, 3, 16)
