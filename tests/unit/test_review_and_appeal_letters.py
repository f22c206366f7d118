"""Letters after a review and about an appeal: the outcome with its action plan, the OPCC's
letters, and a new version of a letter each time one is written again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.core.config import PROJECT_ROOT
from engine.core.db import Database
from engine.intake.appeals import submit_appeal
from engine.runtime import deploy
from tests.support.files import FORMS
from tests.support.letters import DALES, headings, letter, outbox, texts
from tests.support.people import COUNCIL, user
from tests.support.procedure import INVITED, SETTINGS, do, hold_meeting, met_case

OPCC = "opcc@example.org"


@pytest.fixture
def letters_db(app_db: Database) -> Database:
    with app_db.transaction() as session:
        for name in ("asb_case_review.bpmn", "opcc_appeal.bpmn"):
            path = PROJECT_ROOT / "workflows" / name
            deploy(session, path.read_bytes(), filename=name, forms_dir=FORMS)
    return app_db


PLAN = [
    {
        "organisation": "derbyshire-constabulary",
        "action": "Patrol the street on weekend nights",
        "due_date": "2026-04-17",
    },
    {"organisation": "dales-housing", "action": "Serve a warning notice", "due_date": "2026-04-03"},
]


def test_outcome_letter_lists_each_recommendation_and_the_appeal_route(
    letters_db: Database, fixed_clock
) -> None:
    db = letters_db
    case_id = met_case(db)
    hold_meeting(db, case_id, PLAN, fixed_clock)
    fixed_clock.advance(timedelta(days=3))  # the letter goes on Monday 23 March
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "email", "updates": "A monthly email from the SPOC"},
    )
    sent = letter(db, case_id, "outcome_letter")
    lines = texts(sent)
    assert headings(sent) == [
        "The outcome of your ASB Case Review",
        "What the review found",
        "What will be done",
        "Your views on the draft action plan",
        "How we will keep you updated",
        "If you want to appeal",
        "Contact",
        "Your council contact",
    ]
    assert "Friday nights added to the patrols" in lines, "how the chair considered their views"
    assert "23 March 2026" in lines
    assert any("held on 20 March 2026, chaired by Chair." in line for line in lines)
    assert "Agencies did not share information" in lines
    assert "What will be done | Who will do it | By when" in lines
    assert "Patrol the street on weekend nights | Derbyshire Constabulary | 17 April 2026" in lines
    assert "Serve a warning notice | Dales Housing | 3 April 2026" in lines
    assert "A monthly email from the SPOC" in lines
    # 20 working days from 23 March 2026, over Good Friday and Easter Monday
    assert any("must reach them by 22 April 2026" in line for line in lines)
    for ground in (
        "The threshold decision was wrong",
        "The review did not consider a relevant process, policy or protocol",
        "The review did not consider relevant information",
        "The action plan was not delivered",
    ):
        assert ground in lines
    assert sent.detail["appeal_deadline"] == "2026-04-22"
    assert sent.detail["recommendations"] == 2
    body = outbox(db, sent).body
    assert "22 April 2026" in body
    assert (
        "- What will be done: Serve a warning notice; Who will do it: Dales Housing; "
        "By when: 3 April 2026"
    ) in body


def test_an_outcome_without_recommendations_says_so(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    fixed_clock.advance(timedelta(days=3))  # the letter goes on Monday 23 March
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "post", "updates": "No further updates"},
    )
    lines = texts(letter(db, case_id, "outcome_letter"))
    assert "The review made no recommendations." in lines
    assert any("must reach them by 22 April 2026" in line for line in lines)


def _reviewed(db: Database, fixed_clock) -> int:
    case_id = met_case(db)
    hold_meeting(db, case_id, [], fixed_clock)
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "post", "updates": "None"},
    )
    return case_id


def _lodge(db: Database, case_id: int, grounds: list[str]) -> None:
    payload = {
        "case_reference": f"CT-2026-{case_id:05d}",
        "letter_date": "2026-03-20",
        "grounds": grounds,
        "details": "The housing provider's records were not looked at",
    }
    with db.transaction() as session:
        submit_appeal(session, payload, SETTINGS)


def test_appeal_letters_come_from_the_opcc(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = _reviewed(db, fixed_clock)
    fixed_clock.advance(timedelta(days=5))  # 25 March
    _lodge(db, case_id, ["information_not_considered"])
    do(
        db,
        case_id,
        "acknowledge_appeal",
        OPCC,
        {"method": "email"},
    )
    sent = letter(db, case_id, "appeal_acknowledgement_letter")
    lines = texts(sent)
    assert lines[:2] == [
        "Office of the Police and Crime Commissioner for Derbyshire",
        "Butterley Hall",
    ]
    assert headings(sent)[0] == "We have received your appeal"
    assert "The review did not consider relevant information" in lines
    assert any("with our decision by 24 April 2026" in line for line in lines)
    assert any(line.startswith(f"{DALES}, Town Hall") for line in lines), "the council contact"
    assert sent.dispatched_by_id == user(db, OPCC).id

    do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    do(db, case_id, "case_file", COUNCIL, {"sent_on": "2026-03-25"})
    do(
        db,
        case_id,
        "panel_decision",
        OPCC,
        {"appeal_outcome": "upheld", "reasons": "Housing records were not considered"},
    )
    do(
        db,
        case_id,
        "decision_letters",
        OPCC,
        {"council_told_on": "2026-03-25"},
    )
    decided = letter(db, case_id, "appeal_decision_letter")
    lines = texts(decided)
    assert headings(decided)[0] == "Your appeal has been upheld"
    assert any(f"referred your case back to {DALES}" in line for line in lines)
    assert "Housing records were not considered" in lines
    assert "25 March 2026" in lines, "dated the day it is sent"
    assert outbox(db, decided).email == "sam@example.com"
    # The way on, for each kind of body that took part: its complaints, then its ombudsman.
    assert "If you are still unhappy" in headings(decided)
    assert (
        f"{DALES}: its own complaints procedure, then the Local Government and Social Care "
        "Ombudsman (www.lgo.org.uk, telephone 0300 061 0614)"
    ) in lines
    assert any(
        line.startswith(
            "Derbyshire Constabulary: its own complaints procedure, then the "
            "Independent Office for Police Conduct (IOPC)"
        )
        for line in lines
    )
    assert any("then the Housing Ombudsman (www.housing-ombudsman.org.uk" in line for line in lines)


def test_an_appeal_out_of_time_gets_a_reasoned_refusal(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = _reviewed(db, fixed_clock)
    fixed_clock.advance(timedelta(days=40))
    _lodge(db, case_id, ["information_not_considered"])
    do(
        db,
        case_id,
        "acknowledge_appeal",
        OPCC,
        {"method": "email"},
    )
    with db.read() as session:
        from engine.core.models import Task

        draft = session.scalar(select(Task.draft).where(Task.spec_name == "check_eligibility"))
    do(db, case_id, "check_eligibility", OPCC, {"eligible": False, "reasons": draft["reasons"]})
    do(db, case_id, "refusal_letter", OPCC, {"method": "post"})
    sent = letter(db, case_id, "appeal_refusal_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "Your appeal cannot be heard"
    assert any("after the deadline of 21 April 2026" in line for line in lines)
    assert "If you are still unhappy" in headings(sent)
    assert "29 April 2026" in lines, "dated the day it is sent"


def test_each_letter_of_a_kind_is_a_new_version(letters_db: Database, fixed_clock) -> None:
    db = letters_db
    case_id = _reviewed(db, fixed_clock)
    fixed_clock.advance(timedelta(days=5))
    _lodge(db, case_id, ["information_not_considered"])
    do(
        db,
        case_id,
        "acknowledge_appeal",
        OPCC,
        {"method": "email"},
    )
    do(db, case_id, "check_eligibility", OPCC, {"eligible": True, "reasons": "In time"})
    do(db, case_id, "case_file", COUNCIL, {"sent_on": "2026-03-25"})
    do(db, case_id, "panel_decision", OPCC, {"appeal_outcome": "upheld", "reasons": "Redo"})
    do(
        db,
        case_id,
        "decision_letters",
        OPCC,
        {"council_told_on": "2026-03-25"},
    )
    # the fresh review ends with a second outcome letter
    fixed_clock.advance(timedelta(days=1))
    do(
        db,
        case_id,
        "schedule_meeting",
        COUNCIL,
        {"chair_email": "chair@example.org", "meeting_date": "2026-04-20"},
    )
    do(db, case_id, "meeting_pack", COUNCIL, {"pack_ready_on": "2026-04-16"})
    do(db, case_id, "meeting_invitation", "chair@example.org", INVITED)
    fixed_clock.advance(timedelta(days=25))
    do(
        db,
        case_id,
        "record_meeting",
        "chair@example.org",
        {
            "held_on": "2026-04-20",
            "attendees": ["Chair"],
            "findings": "Housing records now considered",
            "applicant_took_part": "did_not_take_part",
            "recommendations": [],
        },
    )
    do(
        db,
        case_id,
        "outcome_letter",
        COUNCIL,
        {"method": "email", "updates": "None"},
    )
    second = letter(db, case_id, "outcome_letter")
    assert second.version == 2
    assert second.filename.endswith("-outcome-letter-v2.docx")
    assert "Housing records now considered" in texts(second)
