"""The shipped case review diagram: chair, meeting, outcome letter and action plan."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from engine.core.errors import InvalidData
from engine.core.models import Recommendation, Review, Task
from tests.support.people import COUNCIL
from tests.support.procedure import case_of, do, hold_meeting, live, met_case, org_id


def test_review_with_recommendations_tracks_each_action_to_its_owner(
    review_db, fixed_clock
) -> None:
    db = review_db
    case_id = met_case(db)
    assert case_of(db, case_id).status == "review_being_arranged"
    schedule = live(db, case_id)["schedule_meeting"]
    assert schedule.due_on == date(2026, 3, 30)  # 20 working days after the decision on 2 March
    assert case_of(db, case_id).decided_on == date(2026, 3, 2)
    with pytest.raises(InvalidData) as refused:
        do(
            db,
            case_id,
            "schedule_meeting",
            COUNCIL,
            {"chair_email": "police@example.org", "meeting_date": "2026-03-20"},
        )
    assert "review chair" in refused.value.fields["chair_email"]
    plan = [
        {
            "organisation": "derbyshire-constabulary",
            "action": "Patrol the street on weekend nights",
            "due_date": "2026-04-17",
        },
        {
            "organisation": "dales-housing",
            "action": "Serve a warning notice",
            "due_date": "2026-04-03",
        },
    ]
    hold_meeting(db, case_id, plan, fixed_clock)
    letter = live(db, case_id)["outcome_letter"]
    assert letter.due_on == date(2026, 3, 27)  # 5 working days after the meeting
    assert case_of(db, case_id).status == "review_held"
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "email", "updates": "Monthly email from the SPOC"},
    )
    actions = live(db, case_id)
    assert set(actions) == {"police_actions [child]", "housing_actions [child]"}
    assert actions["police_actions [child]"].organisation_ids == [
        org_id(db, "derbyshire-constabulary")
    ]
    assert actions["police_actions [child]"].due_on == date(2026, 4, 17)
    assert actions["housing_actions [child]"].organisation_ids == [org_id(db, "dales-housing")]
    assert actions["housing_actions [child]"].due_on == date(2026, 4, 3)
    assert case_of(db, case_id).status == "action_plan"
    do(
        db,
        case_id,
        "police_actions [child]",
        "police@example.org",
        {"action_status": "done", "notes": "Patrols added"},
    )
    result = do(
        db,
        case_id,
        "housing_actions [child]",
        "housing@example.org",
        {"action_status": "closed", "notes": "The tenant moved out"},
    )
    assert result.process_finished
    assert case_of(db, case_id).status == "closed"
    with db.read() as session:
        review = session.scalar(select(Review).where(Review.case_id == case_id))
        assert (review.number, review.held_on, review.closed_on) == (
            1,
            date(2026, 3, 20),
            date(2026, 3, 20),
        )
        statuses = {r.action: r.status for r in session.scalars(select(Recommendation))}
    assert statuses == {
        "Patrol the street on weekend nights": "done",
        "Serve a warning notice": "closed",
    }


def test_review_without_recommendations_closes(review_db, fixed_clock) -> None:
    db = review_db
    case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    result = do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "post", "updates": "No further updates"},
    )
    assert result.process_finished
    assert case_of(db, case_id).status == "closed"
    with db.read() as session:
        assert session.scalars(select(Task.spec_name).where(Task.state == "open")).all() == []


def test_recommendations_must_name_a_participant(review_db, fixed_clock) -> None:
    db = review_db
    case_id = met_case(db)
    with pytest.raises(InvalidData) as refused:
        hold_meeting(
            db,
            case_id,
            [{"organisation": "rykneld-homes", "action": "x", "due_date": "2026-04-01"}],
            fixed_clock,
        )
    assert "taking part" in refused.value.fields["recommendations[0].organisation"]


def test_the_returns_are_chased_before_the_pack_only_when_one_is_still_awaited(
    review_db, fixed_clock
) -> None:
    db = review_db
    meeting = {"chair_email": "chair@example.org", "meeting_date": "2026-03-20"}
    every_return_in = met_case(db)
    do(db, every_return_in, "schedule_meeting", COUNCIL, meeting)
    waiting = live(db, every_return_in)
    assert "chase_returns" not in waiting
    assert {"meeting_pack", "meeting_invitation"} <= set(waiting)

    # A return still awaited when the meeting is arranged (the shipped application waits for
    # every return, but a process owner's diagram may go on without one).
    one_awaited = met_case(db)
    with db.transaction() as session:
        police_return = session.scalar(
            select(Task).where(Task.case_id == one_awaited, Task.spec_name == "police_return")
        )
        police_return.state = "open"
    do(db, one_awaited, "schedule_meeting", COUNCIL, meeting)
    waiting = live(db, one_awaited)
    assert "chase_returns" in waiting and "meeting_pack" not in waiting
    do(db, one_awaited, "chase_returns", COUNCIL, {"all_returns_in": True})
    assert "meeting_pack" in live(db, one_awaited)
