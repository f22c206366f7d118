"""Letters that close a case without a review: for want of the victim's consent, and for a
complaint about a service, sent to that service's own complaints procedure."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.core.db import Database
from engine.core.errors import InvalidData
from tests.support.letters import SPOC, acknowledged, headings, letter, outbox, texts
from tests.support.people import COUNCIL
from tests.support.procedure import application, do, submit


def test_closing_for_want_of_consent_gives_the_reasons(app_db: Database, fixed_clock) -> None:
    from engine.procedure import fire_due_timers

    db = app_db
    case_id = submit(
        db, application(on_behalf=True, victim={"name": "Jo Taylor"}, victim_consent=False)
    )
    do(db, case_id, "acknowledge", COUNCIL, {"method": "letter"})
    do(db, case_id, "screen", COUNCIL, {"route": "consent_hold", "hate_element": False})
    fixed_clock.advance(timedelta(days=30))
    assert fire_due_timers(db) == 1
    do(
        db,
        case_id,
        "consent_closure_letter",
        COUNCIL,
        {"reasons": "We did not hear from Jo Taylor"},
    )
    sent = letter(db, case_id, "closure_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "We have closed your application for an ASB Case Review"
    assert "1 April 2026" in lines
    assert "We did not hear from Jo Taylor" in lines


def _screened_as_complaint(db: Database, about: str) -> int:
    case_id = acknowledged(db)
    do(
        db,
        case_id,
        "screen",
        COUNCIL,
        {"route": "complaint", "hate_element": False, "complaint_organisation": about},
    )
    return case_id


def test_a_complaint_about_a_service_is_told_where_to_take_it(app_db: Database) -> None:
    db = app_db
    case_id = _screened_as_complaint(db, "derbyshire-constabulary")
    with pytest.raises(InvalidData) as refused:
        do(
            db,
            case_id,
            "complaint_letter",
            COUNCIL,
            {"complaints_route": "council_complaints_then_lgsco"},
        )
    assert refused.value.fields["complaints_route"] == (
        "The complaint is about Derbyshire Constabulary: choose the police complaints route"
    )
    do(
        db,
        case_id,
        "complaint_letter",
        COUNCIL,
        {"complaints_route": "police_complaints_then_iopc"},
    )
    sent = letter(db, case_id, "complaint_referral_letter")
    lines = texts(sent)
    assert headings(sent)[0] == "Your application is a complaint about an officer or a service"
    assert "2 March 2026" in lines  # dated the day it is sent
    assert "Make your complaint through the complaints procedure of Derbyshire Constabulary." in (
        lines
    )
    assert (
        "This means we will not carry out an ASB Case Review on this application, and we have "
        "closed it." in lines
    )
    assert any("Independent Office for Police Conduct (IOPC)" in line for line in lines)
    assert any(SPOC in line for line in lines)
    emailed = outbox(db, sent)
    assert emailed is not None and "Derbyshire Constabulary" in emailed.body
    assert sent.detail["complaint_about"] == "Derbyshire Constabulary"


def test_a_complaint_letter_names_the_organisation_however_the_screening_wrote_it(
    app_db: Database,
) -> None:
    db = app_db
    for written, route, named in [
        ("dales housing", "housing_complaints_then_housing_ombudsman", "Dales Housing"),
        ("the bin crew", "council_complaints_then_lgsco", "the bin crew"),
    ]:
        case_id = _screened_as_complaint(db, written)
        do(
            db,
            case_id,
            "complaint_letter",
            COUNCIL,
            {"complaints_route": route},
        )
        lines = texts(letter(db, case_id, "complaint_referral_letter"))
        assert f"Make your complaint through the complaints procedure of {named}." in lines
