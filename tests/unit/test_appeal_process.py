"""The shipped appeal diagram: eligibility, the OPCC's decision, and a fresh review."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from engine.applicant.your_case import appeal_chance
from engine.cases.statistics import figures_for_year
from engine.core.db import Database
from engine.core.errors import Conflict, InvalidData
from engine.core.models import (
    Appeal,
    AuditEvent,
    Case,
    ProcessDefinition,
    ProcessInstance,
    Review,
    Task,
    User,
)
from engine.intake.appeals import NO_SUCH_CASE, submit_appeal
from engine.procedure import complete_task
from engine.review.appeal_rules import eligibility
from engine.review.reviews import may_change_chair
from tests.support.files import FORMS
from tests.support.people import COUNCIL, OPCC, user
from tests.support.procedure import (
    GROUND,
    SETTINGS,
    TODAY,
    application,
    case_of,
    chaired_meeting,
    do,
    hold_meeting,
    live,
    lodge,
    met_case,
    org_id,
    reviewed_case,
    submit,
)


def acknowledge(db: Database, case_id: int, on: str) -> None:
    task = live(db, case_id)["acknowledge_appeal"]
    assert task.organisation_ids == [org_id(db, "opcc-derbyshire")]
    do(db, case_id, "acknowledge_appeal", OPCC, {"method": "email"})


def test_upheld_appeal_leads_to_a_second_review(appeal_db, fixed_clock) -> None:
    db = appeal_db
    case_id, reference = reviewed_case(db, fixed_clock)
    fixed_clock.advance(timedelta(days=5))  # 25 March
    lodge(db, reference, "2026-03-20", GROUND)
    assert case_of(db, case_id).status == "appeal_lodged"
    acknowledge(db, case_id, "2026-03-25")
    check = live(db, case_id)["check_eligibility"]
    assert check.draft["eligible"] is True
    with pytest.raises(InvalidData):
        do(db, case_id, "check_eligibility", OPCC, {"eligible": False, "reasons": "No"})
    do(
        db,
        case_id,
        "check_eligibility",
        OPCC,
        {"eligible": True, "reasons": check.draft["reasons"]},
    )
    case_file = live(db, case_id)["case_file"]
    assert case_file.organisation_ids == [org_id(db, "derbyshire-dales-district-council")]
    assert case_file.due_on == date(2026, 4, 1)  # 5 working days
    do(db, case_id, "case_file", COUNCIL, {"sent_on": "2026-03-25"})
    decision = live(db, case_id)["panel_decision"]
    assert decision.due_on == date(2026, 4, 24)  # 20 working days after acknowledgement, Easter
    do(
        db,
        case_id,
        "panel_decision",
        OPCC,
        {"appeal_outcome": "upheld", "reasons": "Housing records were not considered"},
    )
    result = do(
        db,
        case_id,
        "decision_letters",
        OPCC,
        {"council_told_on": "2026-03-25"},
    )
    assert result.process_finished
    assert case_of(db, case_id).status == "review_being_arranged"
    fresh = live(db, case_id)["schedule_meeting"]
    assert fresh.due_on == date(2026, 4, 24), "20 working days from the appeal decision"
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": "chair@example.org", "meeting_date": "2026-04-20"},
    )
    with db.read() as session:
        reviews = session.scalars(select(Review.number).where(Review.case_id == case_id)).all()
        appeal = session.scalar(select(Appeal))
        running = session.scalar(
            select(func.count())
            .select_from(ProcessInstance)
            .where(ProcessInstance.case_id == case_id)
        )
        figures = {d.district_key: d for d in figures_for_year(session, 2025).districts}
    assert reviews == [1, 2]
    assert (appeal.outcome, appeal.decided_on) == ("upheld", date(2026, 3, 25))
    assert running == 4  # application, first review, appeal, fresh review
    dales = figures["derbyshire-dales"]
    assert (
        dales.applications,
        dales.reviews_held,
        dales.appeals_received,
        dales.appeals_upheld,
    ) == (1, 1, 1, 1)


def test_an_upheld_appeal_cancels_a_review_still_running(appeal_db, fixed_clock) -> None:
    """An appeal against the decision letter is upheld while the first review waits for its
    meeting record: that review is cancelled, so the fresh one runs alone and the case stays
    open until the fresh review ends."""
    db = appeal_db
    case_id, first_record = chaired_meeting(db, "chair@example.org")
    reference = case_of(db, case_id).reference
    uphold(db, case_id, TODAY, ["threshold_decision"])

    assert list(live(db, case_id)) == ["schedule_meeting"]
    with db.read() as session:
        reviews = session.execute(
            select(ProcessInstance.id, ProcessInstance.state)
            .join(ProcessDefinition)
            .where(ProcessInstance.case_id == case_id, ProcessDefinition.key == "asb_case_review")
            .order_by(ProcessInstance.id)
        ).all()
        first_review = session.scalar(select(Review).where(Review.number == 1))
        cancelled = session.scalars(
            select(AuditEvent.object_id).where(
                AuditEvent.action == "task.cancelled", AuditEvent.case_id == case_id
            )
        ).all()
        assert session.get(Task, first_record).state == "cancelled"
    assert [state for _, state in reviews] == ["cancelled", "running"]
    assert first_review.closed_on == date(2026, 3, 2)
    assert cancelled == [str(first_record)]
    with pytest.raises(Conflict):
        complete_task(
            db,
            first_record,
            user(db, "chair@example.org"),
            {
                "held_on": TODAY,
                "rescheduled": True,
                "attendees": ["Chair"],
                "findings": "-",
                "applicant_took_part": "in_person",
                "recommendations": [],
            },
            forms_dir=FORMS,
        )
    with db.read() as session:
        manager = session.scalar(select(User).where(User.email == "manager@example.org"))
        assert not may_change_chair(session, manager, reference), "the first review is over"

    hold_meeting(db, case_id, [], fixed_clock)
    assert list(live(db, case_id)) == ["outcome_letter"]
    assert case_of(db, case_id).status != "closed"
    letter = {"method": "post", "updates": "None"}
    do(db, case_id, "outcome_letter", COUNCIL, letter)
    assert case_of(db, case_id).status == "closed"
    with db.read() as session:
        closed = session.execute(
            select(Review.number, Review.held_on, Review.closed_on)
            .where(Review.case_id == case_id)
            .order_by(Review.number)
        ).all()
    assert closed == [(1, None, date(2026, 3, 2)), (2, date(2026, 3, 20), date(2026, 3, 20))]


def uphold(db: Database, case_id: int, letter_date: str, grounds: list[str]) -> None:
    """An appeal against the letter of ``letter_date``, upheld on that day."""
    today = letter_date
    lodge(db, case_of(db, case_id).reference, letter_date, grounds)
    acknowledge(db, case_id, today)
    do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    do(db, case_id, "case_file", COUNCIL, {"sent_on": today})
    do(db, case_id, "panel_decision", OPCC, {"appeal_outcome": "upheld", "reasons": "Wrong"})
    told = {"council_told_on": today}
    assert do(db, case_id, "decision_letters", OPCC, told).process_finished


def test_an_upheld_appeal_closes_the_action_plan_of_the_review_it_replaces(
    appeal_db, fixed_clock
) -> None:
    """Upheld because the action plan was not delivered, while it is still tracked: its
    actions' tasks are cancelled and its open actions closed, saying why."""
    db = appeal_db
    case_id = met_case(db)
    action = {"organisation": "dales-housing", "action": "Warn", "due_date": "2026-04-30"}
    hold_meeting(db, case_id, [action], fixed_clock)
    letter = {"method": "post", "updates": "Monthly"}
    do(db, case_id, "outcome_letter", COUNCIL, letter)
    (tracked,) = live(db, case_id).values()
    assert tracked.form == "action_update"
    uphold(db, case_id, "2026-03-20", ["action_plan_not_delivered"])
    assert list(live(db, case_id)) == ["schedule_meeting"]
    assert case_of(db, case_id).status == "review_being_arranged"
    with db.read() as session:
        (review,) = session.scalars(select(Review)).all()
        (closed,) = review.recommendations
        assert (review.closed_on, closed.status, closed.completed_on) == (
            date(2026, 3, 20),
            "closed",
            date(2026, 3, 20),
        )
        assert "upheld appeal" in closed.notes


def test_a_second_appeal_waits_for_the_first_to_be_decided(appeal_db, fixed_clock) -> None:
    """An appeal sent twice (or a second one while the first is with the OPCC) is refused with
    a reason, storing nothing; once the first is decided, another may be made."""
    db = appeal_db
    case_id, reference = reviewed_case(db, fixed_clock)
    lodge(db, reference, "2026-03-20", GROUND)
    with pytest.raises(InvalidData) as refused:
        lodge(db, reference, "2026-03-20", GROUND)
    assert "already with the OPCC" in refused.value.fields["case_reference"]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == 1
    acknowledge(db, case_id, "2026-03-20")
    do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    do(db, case_id, "case_file", COUNCIL, {"sent_on": "2026-03-20"})
    do(db, case_id, "panel_decision", OPCC, {"appeal_outcome": "not_upheld", "reasons": "Fine"})
    told = {"council_told_on": "2026-03-20"}
    do(db, case_id, "decision_letters", OPCC, told)
    lodge(db, reference, "2026-03-20", ["process_not_considered"])
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == 2


def test_appeal_out_of_time_is_refused_with_reasons(appeal_db, fixed_clock) -> None:
    db = appeal_db
    case_id, reference = reviewed_case(db, fixed_clock)
    fixed_clock.advance(timedelta(days=40))
    lodge(db, reference, "2026-03-20", GROUND)
    acknowledge(db, case_id, "2026-04-29")
    check = live(db, case_id)["check_eligibility"]
    assert check.draft["eligible"] is False
    assert "after the deadline of 21 April 2026" in check.draft["reasons"]
    with pytest.raises(InvalidData) as refused:
        do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "Fine"})
    assert "deadline" in refused.value.fields["eligible"]
    do(
        db,
        case_id,
        "check_eligibility",
        OPCC,
        {"eligible": False, "reasons": check.draft["reasons"]},
    )
    assert list(live(db, case_id)) == ["refusal_letter"]
    do(db, case_id, "refusal_letter", OPCC, {"method": "post"})
    assert case_of(db, case_id).status == "appeal_decided"


def test_appeal_without_a_ground_is_refused(appeal_db, fixed_clock) -> None:
    db = appeal_db
    case_id, reference = reviewed_case(db, fixed_clock)
    lodge(db, reference, "2026-03-20", [])
    acknowledge(db, case_id, "2026-03-20")
    check = live(db, case_id)["check_eligibility"]
    assert check.draft["eligible"] is False
    assert "not a ground" in check.draft["reasons"]


def test_appeal_not_upheld(appeal_db, fixed_clock) -> None:
    db = appeal_db
    case_id, reference = reviewed_case(db, fixed_clock)
    lodge(db, reference, "2026-03-20", ["threshold_decision"])
    acknowledge(db, case_id, "2026-03-20")
    do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    do(db, case_id, "case_file", COUNCIL, {"sent_on": "2026-03-20"})
    do(
        db,
        case_id,
        "panel_decision",
        OPCC,
        {"appeal_outcome": "not_upheld", "reasons": "Done properly"},
    )
    do(
        db,
        case_id,
        "decision_letters",
        OPCC,
        {"council_told_on": "2026-03-20"},
    )
    assert case_of(db, case_id).status == "appeal_decided"
    assert live(db, case_id) == {}


@pytest.mark.parametrize(
    "reference, letter_date, field, words",
    [
        ("CT-2026-99999", "2026-03-01", "case_reference", "no case with this reference"),
        (None, "2026-03-01", "case_reference", "no decision letter"),
        ("MET", "2027-01-01", "letter_date", "must be today or in the past"),
        ("MET", "2026-02-01", "letter_date", "the same as or after 2 March 2026"),
    ],
)
def test_bad_appeals_are_refused(
    appeal_db, fixed_clock, reference, letter_date, field, words
) -> None:
    db = appeal_db
    if reference is None:  # a case closed without any decision letter: routed as a complaint
        case_id = submit(db, application())
        do(db, case_id, "acknowledge", COUNCIL, {"method": "letter"})
        do(
            db,
            case_id,
            "screen",
            COUNCIL,
            {
                "route": "complaint",
                "hate_element": False,
                "complaint_organisation": "dales-housing",
            },
        )
        reference = case_of(db, case_id).reference
    elif reference == "MET":
        reference = case_of(db, met_case(db)).reference
    with pytest.raises(InvalidData) as refused:
        lodge(db, reference, letter_date, GROUND)
    assert words in refused.value.fields[field]
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Appeal)) == 0


LETTER_DATE = "The date of the letter you are appealing against"


def test_every_problem_with_an_appeal_is_told_at_once(appeal_db, fixed_clock) -> None:
    """The form's checks and the service's together, a check needing a wrong answer skipped."""
    db = appeal_db
    reference = case_of(db, met_case(db)).reference
    payloads = {
        "known case": {
            "case_reference": reference.lower(),
            "letter_date": "2026-02-30",
            "grounds": ["unhappy"],
            "details": "d" * 20_001,
            "received_on": "2026-03-01",
        },
        "no such case": {"case_reference": "CT-2026-99999", "letter_date": "2027-01-01"},
    }
    found = {}
    for name, payload in payloads.items():
        with pytest.raises(InvalidData) as refused, db.transaction() as session:
            submit_appeal(session, payload, SETTINGS)
        found[name] = refused.value.fields
    assert found["known case"] == {
        "letter_date": f"{LETTER_DATE} must be a real date",
        "grounds[0]": "Select the grounds of appeal",
        "details": "Why you are appealing must be 20,000 characters or fewer",
        "received_on": "Only staff lodging an appeal may enter the date it arrived",
    }
    assert found["no such case"] == {
        "case_reference": NO_SUCH_CASE,
        "letter_date": f"{LETTER_DATE} must be today or in the past",
        "grounds": "Select the grounds of appeal",
    }


def test_the_opcc_hearing_an_appeal_is_given_no_action_of_the_review(appeal_db) -> None:
    """The OPCC takes part in a case once an appeal is lodged, but it is no agency of the
    review: a recommendation for it is refused on its field, as for any other stranger."""
    db = appeal_db
    case_id, record = chaired_meeting(db, "chair@example.org")
    lodge(db, case_of(db, case_id).reference, TODAY, ["threshold_decision"])
    recommendation = {"organisation": "opcc-derbyshire", "action": "Review", "due_date": TODAY}
    with pytest.raises(InvalidData) as refused:
        complete_task(
            db,
            record,
            user(db, "chair@example.org"),
            {
                "held_on": TODAY,
                "rescheduled": True,
                "attendees": ["Chair"],
                "findings": "-",
                "applicant_took_part": "in_person",
                "recommendations": [recommendation],
            },
            forms_dir=FORMS,
        )
    assert refused.value.fields == {
        "recommendations[0].organisation": "Select an agency taking part in this case"
    }
    assert live(db, case_id)["record_meeting"].id == record


UNDONE = [
    {
        "organisation": "derbyshire-constabulary",
        "action": "Patrol the street on weekend nights",
        "due_date": "2026-04-24",
    }
]


def test_an_action_left_undone_opens_an_appeal_on_that_ground_after_the_letter_s_window(
    appeal_db, fixed_clock
) -> None:
    """The outcome letter of 20 March may be appealed until 21 April; its action falls due on
    24 April. Left undone, it opens the ground that the action plan was not delivered for the
    area's 20 working days from then (to 26 May, past the May bank holidays)."""
    db = appeal_db
    case_id = met_case(db)
    hold_meeting(db, case_id, UNDONE, fixed_clock)
    do(db, case_id, "outcome_letter", COUNCIL, {"method": "post", "updates": "None"})
    reference = case_of(db, case_id).reference

    fixed_clock.advance(timedelta(days=33))  # 22 April: the letter's window closed, not yet due
    with db.read() as session:
        assert not appeal_chance(session, session.get_one(Case, case_id)).open

    fixed_clock.advance(timedelta(days=13))  # 5 May
    with db.read() as session:
        chance = appeal_chance(session, session.get_one(Case, case_id))
        assert chance.open
        assert (chance.grounds, chance.closes_on) == (
            ("action_plan_not_delivered",),
            date(2026, 5, 26),
        )
        on_another_ground = Appeal(
            case_id=case_id,
            letter_date=date(2026, 3, 20),
            received_on=date(2026, 5, 5),
            grounds=["information_not_considered"],
        )
        heard, why = eligibility(session, on_another_ground)
        assert not heard and "after the deadline of 21 April 2026" in why

    lodge(db, reference, "2026-03-20", ["action_plan_not_delivered"])
    acknowledge(db, case_id, "2026-05-05")
    check = live(db, case_id)["check_eligibility"]
    assert check.draft["eligible"] is True
    assert "may be made until 26 May 2026" in check.draft["reasons"]

    fixed_clock.advance(timedelta(days=22))  # 27 May: that window has closed too
    with db.read() as session:
        heard, why = eligibility(
            session,
            Appeal(
                case_id=case_id,
                letter_date=date(2026, 3, 20),
                received_on=date(2026, 5, 27),
                grounds=["action_plan_not_delivered"],
            ),
        )
        assert not heard
