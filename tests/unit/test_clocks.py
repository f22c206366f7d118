"""When the application's clocks start: the acknowledgement from the day the application was
received, however late it was entered; the agencies' returns before the threshold decision
they inform; an appeal's acknowledgement from the day it arrived."""

from __future__ import annotations

import copy
from datetime import date, datetime, timedelta

import pytest

from engine.chasing.escalation import chase_due
from engine.core.area import load_area, parse_area
from engine.core.clock import FixedClock
from engine.core.db import Database
from engine.intake.appeals import submit_appeal
from engine.intake.applications import submit_application
from tests.support.chasing import task_row, told
from tests.support.files import RAW
from tests.support.people import COUNCIL, user
from tests.support.procedure import (
    ACKNOWLEDGED,
    NO_RETURN,
    SETTINGS,
    STANDARD_RISK,
    application,
    case_of,
    do,
    live,
    met_case,
    submit,
)

SCREENED = {"route": "review", "hate_element": False}
# Each return, and who makes it.
RETURNS = {
    "police_return": "police@example.org",
    "housing_return [child]": "housing@example.org",
    "health_return": "health@example.org",
    "council_return": COUNCIL,
}


def paper(db: Database, received_on: str, **changes) -> int:
    """A paper application a council caseworker enters today, received on ``received_on``."""
    with db.transaction() as session:
        payload = application(received_on=received_on, **changes)
        return submit_application(session, payload, SETTINGS, user=user(db, COUNCIL)).id


# The acknowledgement, from receipt


@pytest.mark.parametrize(
    "received_on, due_on, chased",
    [
        # Received 8 working days before it is entered on Monday 2 March: already 3 late.
        ("2026-02-18", date(2026, 2, 25), "escalation"),
        # Received 5 working days before: due the day it is entered, not yet late.
        ("2026-02-23", date(2026, 3, 2), "reminder"),
    ],
)
def test_a_paper_application_entered_late_is_acknowledged_from_the_day_it_was_received(
    app_db: Database, received_on: str, due_on: date, chased: str
) -> None:
    case_id = paper(app_db, received_on)
    acknowledge = live(app_db, case_id)["acknowledge"]
    assert acknowledge.due_on == due_on, "5 working days from receipt, not from entry"

    chase_due(app_db)
    kinds = {"reminder", "escalation"}
    assert {kind for kind in kinds if told(app_db, acknowledge.id, kind)} == {chased}
    if chased == "escalation":
        assert told(app_db, acknowledge.id, "escalation") == ["manager@example.org"]
        assert task_row(app_db, acknowledge.id).escalation_level == 1


def test_a_late_acknowledgement_does_not_move_the_rest_of_the_application_s_clocks(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    """Screening and the threshold decision count from receipt too: acknowledging late gives
    no one more time."""
    case_id = paper(app_db, "2026-02-18")
    fixed_clock.advance(timedelta(days=2))
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    assert live(app_db, case_id)["screen"].due_on == date(2026, 2, 25)
    do(app_db, case_id, "screen", COUNCIL, SCREENED)
    for name, email in RETURNS.items():
        do(app_db, case_id, name, email, NO_RETURN)
    do(app_db, case_id, "risk_assessment", COUNCIL, STANDARD_RISK)
    assert live(app_db, case_id)["threshold_decision"].due_on == date(2026, 3, 4)


# The agencies' returns, before the threshold decision


def test_the_returns_fall_due_before_the_threshold_decision_across_a_bank_holiday(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    """Received on Friday 20 March 2026, the decision is due on Tuesday 7 April (10 working
    days, Good Friday and Easter Monday not counted); screened on the Tuesday after receipt,
    10 working days would take the returns to 9 April. They fall due by the working day
    before the decision: Thursday 2 April, not Easter Monday nor Good Friday."""
    fixed_clock.set(datetime(2026, 3, 20, 9, 0))
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    fixed_clock.advance(timedelta(days=4))
    do(app_db, case_id, "screen", COUNCIL, SCREENED)
    tasks = live(app_db, case_id)
    assert {tasks[name].due_on for name in RETURNS} == {date(2026, 4, 2)}


def test_returns_asked_for_in_good_time_keep_their_own_timescale(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    """The cap takes nothing from a return that is due before the decision anyway: with a
    decision due after the returns' 10 working days, they have all 10."""
    raw = copy.deepcopy(RAW)
    raw["timescales"]["threshold_decision"] = 15
    with app_db.transaction() as session:
        load_area(session, parse_area(raw))
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    do(app_db, case_id, "screen", COUNCIL, SCREENED)
    tasks = live(app_db, case_id)
    assert {tasks[name].due_on for name in RETURNS} == {date(2026, 3, 16)}


def test_returns_asked_for_after_the_eve_of_the_decision_are_due_the_day_they_are_asked(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    """Screened on the day the decision is due (16 March), the working day before it has
    gone: the returns are due at once, not on a day before the agencies were asked."""
    case_id = submit(app_db, application())
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    fixed_clock.advance(timedelta(days=14))
    do(app_db, case_id, "screen", COUNCIL, SCREENED)
    tasks = live(app_db, case_id)
    assert {tasks[name].due_on for name in RETURNS} == {date(2026, 3, 16)}
    chase_due(app_db)
    assert told(app_db, tasks["police_return"].id, "escalation") == []


# The victim's consent and an appeal, from the days that start them


def test_the_victim_s_consent_is_due_when_the_wait_for_it_ends(
    app_db: Database, fixed_clock: FixedClock
) -> None:
    """The application closes `consent_wait` working days after receipt without consent, and
    the task asking for it is due that day, whenever the screening put it on hold."""
    case_id = submit(
        app_db, application(on_behalf=True, victim={"name": "Jo Taylor"}, victim_consent=False)
    )
    do(app_db, case_id, "acknowledge", COUNCIL, ACKNOWLEDGED)
    fixed_clock.advance(timedelta(days=3))
    do(app_db, case_id, "screen", COUNCIL, {"route": "consent_hold", "hate_element": False})
    assert live(app_db, case_id)["record_consent"].due_on == date(2026, 3, 30)


def test_an_appeal_lodged_late_by_staff_is_acknowledged_from_the_day_it_arrived(
    appeal_db: Database, fixed_clock: FixedClock
) -> None:
    case_id = met_case(appeal_db)
    fixed_clock.advance(timedelta(days=14))  # Monday 16 March
    payload = {
        "case_reference": case_of(appeal_db, case_id).reference,
        "letter_date": "2026-03-02",
        "grounds": ["information_not_considered"],
        "details": "The housing provider's records were not looked at",
        "received_on": "2026-03-04",
    }
    with appeal_db.transaction() as session:
        submit_appeal(session, payload, SETTINGS, user=user(appeal_db, COUNCIL))
    assert live(appeal_db, case_id)["acknowledge_appeal"].due_on == date(2026, 3, 11)
