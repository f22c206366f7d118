"""A task's form sent with a gap and an answer the step's own rules refuse is refused once,
naming both: the person does not correct one problem only to be told of the next."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.core.errors import InvalidData
from tests.support.people import COUNCIL
from tests.support.procedure import (
    ACKNOWLEDGED,
    application,
    do,
    lodge,
    meeting_scheduled,
    met_case,
    reviewed_case,
    submit,
    through_to_decision,
)


def _refused(db: Database, case_id: int, name: str, email: str, data: dict) -> dict[str, str]:
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, name, email, data)
    return refused.value.fields


def test_screening_names_a_missing_answer_and_a_route_the_case_cannot_take(
    app_db: Database,
) -> None:
    case_id = submit(app_db, application())  # made by the victim, for themself
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    problems = _refused(app_db, case_id, "screen", COUNCIL, {"route": "consent_hold"})
    assert problems["route"].startswith("Only an application made on someone else's behalf")
    assert "hate_element" in problems


def test_a_decision_names_a_missing_basis_and_a_count_it_contradicts(app_db: Database) -> None:
    case_id = submit(app_db, application())
    through_to_decision(app_db, case_id)
    problems = _refused(app_db, case_id, "threshold_decision", COUNCIL, {"threshold_met": False})
    assert "the threshold is met and cannot be recorded otherwise" in problems["threshold_met"]
    assert "decision_basis" in problems


def test_a_meeting_names_a_chair_who_is_none_and_a_missing_date(review_db: Database) -> None:
    case_id = met_case(review_db)
    data = {"chair_email": "police@example.org"}
    problems = _refused(review_db, case_id, "schedule_meeting", COUNCIL, data)
    assert "chair_email" in problems and "meeting_date" in problems
    assert problems["chair_email"] != problems["meeting_date"]


def test_a_meeting_record_names_an_agency_not_on_the_case_and_missing_findings(
    review_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = meeting_scheduled(review_db, "chair@example.org")
    do(review_db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-03-17"})
    do(
        review_db,
        case_id,
        "meeting_invitation",
        "chair@example.org",
        {"invite": True, "method": "email"},
    )
    fixed_clock.advance(timedelta(days=18))  # the day of the meeting, 20 March
    record = {
        "held_on": "2026-03-20",
        "attendees": ["Chair"],
        "applicant_took_part": "in_person",
        "recommendations": [
            {"organisation": "opcc-derbyshire", "action": "Review", "due_date": "2026-03-19"}
        ],
    }
    problems = _refused(review_db, case_id, "record_meeting", "chair@example.org", record)
    assert problems["recommendations[0].organisation"] == (
        "Select an agency taking part in this case"
    )
    assert "after the date the meeting was held" in problems["recommendations[0].due_date"]
    assert "findings" in problems


def test_eligibility_names_an_answer_the_rules_contradict_and_missing_reasons(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    case_id, reference = reviewed_case(appeal_db, fixed_clock)
    lodge(appeal_db, reference, "2026-03-20", ["information_not_considered"])
    do(appeal_db, case_id, "acknowledge_appeal", "opcc@example.org", {"method": "email"})
    problems = _refused(
        appeal_db, case_id, "check_eligibility", "opcc@example.org", {"eligible": False}
    )
    assert "eligible" in problems and "reasons" in problems
    assert problems["eligible"] != problems["reasons"]
