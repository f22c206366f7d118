"""The oversight figures: per district and financial year, agreeing with the published
figures, and the time each step took against the area's timescales."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from engine.cases.opening import open_case
from engine.cases.statistics import figures_for_year
from engine.core import clock
from engine.core.db import Database
from engine.core.models import (
    Appeal,
    Case,
    CheckIn,
    District,
    Organisation,
    Recommendation,
    Review,
)
from engine.core.workdays import add_working_days, working_days_between
from engine.review.oversight import (
    Oversight,
    overseen_districts,
    oversight,
    render_csv,
    step_times,
    weighted_median,
    years_held,
)
from tests.support.people import user
from tests.support.procedure import application, do, submit


def _all(db: Database, year: int | None, *keys: str) -> Oversight:
    with db.read() as session:
        query = select(District).order_by(District.position)
        if keys:
            query = query.where(District.key.in_(keys))
        return oversight(session, session.scalars(query).all(), year)


def _step(figures: Oversight, key: str) -> tuple[int, float | None, int]:
    step = next(s for s in figures.steps if s.key == key)
    return step.done, step.median_from_receipt, step.on_time


# --- agreement with the published figures ---------------------------------------------------


@pytest.mark.parametrize("year", [2020, 2021, 2022])
def test_applications_and_threshold_outcomes_agree_with_the_published_figures(
    facts: Database, year: int
) -> None:
    figures = _all(facts, year)
    with facts.read() as session:
        published = figures_for_year(session, year)
    for mine, theirs in zip(figures.districts, published.districts, strict=True):
        assert mine.key == theirs.district_key
        assert mine.applications == theirs.applications
        assert mine.threshold_not_met == theirs.threshold_not_met


def test_derbyshire_2021_22(facts: Database) -> None:
    figures = _all(facts, 2021)
    by_key = {d.key: d for d in figures.districts}
    dales, erewash = by_key["derbyshire-dales"], by_key["erewash"]
    assert (dales.applications, dales.threshold_met, dales.threshold_not_met) == (3, 1, 1)
    assert (erewash.applications, erewash.threshold_met, erewash.threshold_not_met) == (4, 2, 1)
    assert (figures.applications, figures.threshold_met, figures.threshold_not_met) == (7, 3, 2)
    appeals = figures.appeals
    assert (appeals.received, appeals.upheld, appeals.not_upheld, appeals.undecided) == (5, 3, 1, 1)


def test_derbyshire_dales_2022_23_for_its_council(facts: Database) -> None:
    figures = _all(facts, 2022, "derbyshire-dales")
    assert [d.key for d in figures.districts] == ["derbyshire-dales"]
    (dales,) = figures.districts
    with facts.read() as session:
        published = figures_for_year(session, 2022)
    theirs = next(d for d in published.districts if d.district_key == "derbyshire-dales")
    assert (dales.applications, dales.threshold_not_met) == (
        theirs.applications,
        theirs.threshold_not_met,
    )
    assert (dales.applications, dales.threshold_met, dales.threshold_not_met) == (1, 0, 1)
    # Only the Dales's: Erewash's cases are not counted anywhere in the view.
    assert figures.appeals.received == 0


def test_every_year_together_and_by_year(facts: Database) -> None:
    figures = _all(facts, None)
    assert figures.year is None
    assert figures.applications == 9
    assert [
        (y.label, y.applications, y.threshold_met, y.threshold_not_met) for y in figures.years
    ] == [
        ("2020/21", 1, 1, 0),
        ("2021/22", 7, 3, 2),
        ("2022/23", 1, 0, 1),
    ]


def test_a_year_the_service_holds_nothing_for_is_empty(facts: Database) -> None:
    figures = _all(facts, 2010)
    assert figures.empty
    assert figures.applications == 0
    assert all(s.done == 0 and s.median_from_receipt is None for s in figures.steps)
    with facts.read() as session:
        assert years_held(session) == [2025, 2024, 2023, 2022, 2021, 2020]


def test_nothing_held_at_all(db: Database) -> None:
    with db.read() as session:
        assert years_held(session) == []
    assert _all(db, None).empty


def test_days_mistyped_far_away_are_counted_in_their_years(db: Database) -> None:
    """Every year from the first day held to the last is counted, however far apart: a day
    mistyped centuries back, or at the end of the calendar, is in a year of its own."""
    with db.transaction() as session:
        open_case(session, "erewash", date(1, 1, 2))
        open_case(session, "erewash", date(1022, 5, 1)).decided_on = date(2022, 5, 3)
        open_case(session, "erewash", date(9999, 12, 31))
        # Acknowledged within the year it was received, a year before the calendar ends.
        open_case(session, "erewash", date(9998, 12, 1)).acknowledged_on = date(9998, 12, 3)
    years = {
        y.year: (y.applications, y.threshold_met, y.threshold_not_met) for y in _all(db, None).years
    }
    assert years == {
        0: (1, 0, 0),
        1022: (1, 0, 0),
        2022: (0, 0, 0),
        9998: (1, 0, 0),
        9999: (1, 0, 0),
    }
    assert _step(_all(db, 9998), "acknowledgement") == (1, 2, 1)


# --- who oversees what ----------------------------------------------------------------------


def test_the_opcc_oversees_every_district_a_council_its_own_others_none(db: Database) -> None:
    with db.read() as session:
        opcc = overseen_districts(session, user(db, "opcc@example.org"))
        council = overseen_districts(session, user(db, "council@example.org"))
        police = overseen_districts(session, user(db, "police@example.org"))
        assert len(opcc) == 9
        assert [d.key for d in council] == ["derbyshire-dales"]
        assert police == []


# --- time to each step ----------------------------------------------------------------------


def test_weighted_median() -> None:
    assert weighted_median(Counter()) is None
    assert weighted_median(Counter({4: 1})) == 4
    assert weighted_median(Counter({9: 1, 10: 1, 11: 2})) == 10.5
    assert weighted_median(Counter({1: 3, 50: 1})) == 1


def test_step_times_count_working_days_and_the_day_due() -> None:
    # Received on Monday 5 June 2023, due 10 working days later: Monday 19 June.
    monday, on_time, late = date(2023, 6, 5), date(2023, 6, 19), date(2023, 6, 20)
    # Received on a Saturday: counted from the Monday, so due on Monday 26 June, which is
    # 11 working days after the Saturday itself.
    saturday, its_due = date(2023, 6, 10), date(2023, 6, 26)
    groups = [
        (monday, monday, on_time, False, 2),
        (monday, monday, late, False, 1),
        (saturday, saturday, its_due, False, 1),
        # At high risk, 7 working days: due on Wednesday 14 June.
        (monday, monday, date(2023, 6, 16), True, 1),
    ]
    assert step_times(groups, 10, 7) == (5, 10, 3)


def test_step_times_agree_with_the_working_day_rules_over_holidays_and_weekends() -> None:
    """Each group is counted as ``engine.core.workdays`` counts: received and started on every
    day of a winter and a spring (Christmas, New Year and Easter among them), taken up to
    nine weeks later, some before the day they started."""
    first = date(2023, 12, 1)
    groups = [
        (first + timedelta(days=r), first + timedelta(days=r + s), first + timedelta(days=e), h, 1)
        for r in range(0, 150, 3)
        for s in (0, 2)
        for e in range(r - 4, r + 63, 5)
        for h in (False, True)
    ]
    histogram: Counter[int] = Counter()
    on_time = 0
    for received, start, end, high, count in groups:
        histogram[working_days_between(received, end)] += count
        on_time += count * (end <= add_working_days(start, 7 if high else 20))
    assert step_times(groups, 20, 7) == (len(groups), weighted_median(histogram), on_time)
    assert step_times([], 20, 7) == (0, None, 0)


def _review(session, case, held_on, decided_on, *, part=None, letter_on=None) -> Review:
    case.threshold_met, case.decision_basis, case.decided_on = True, "count", decided_on
    review = Review(
        case_id=case.id,
        number=1,
        meeting_date=held_on,
        held_on=held_on,
        applicant_took_part=part,
        outcome_letter_sent_on=letter_on,
        created_at=clock.now(),
    )
    session.add(review)
    session.flush()
    return review


def test_time_to_each_step_on_constructed_cases(db: Database) -> None:
    """Four applications received in June 2023 (no bank holidays until late August)."""
    with db.transaction() as session:
        one = open_case(session, "derbyshire-dales", date(2023, 6, 5))
        # decided in 10 working days, met at 20 after it, the letter 5 after the meeting
        _review(
            session,
            one,
            date(2023, 7, 17),
            date(2023, 6, 19),
            part="remotely",
            letter_on=date(2023, 7, 24),
        )
        two = open_case(session, "derbyshire-dales", date(2023, 6, 5))
        # decided in 11, met at 21 after it: both late; no letter yet
        reviewed = _review(session, two, date(2023, 7, 19), date(2023, 6, 20), part="not_invited")
        three = open_case(session, "erewash", date(2023, 6, 5))
        three.risk_level = "high"
        three.threshold_met, three.decision_basis = True, "count"
        three.decided_on = date(2023, 6, 16)  # 9 working days: late at high risk (7)
        four = open_case(session, "erewash", date(2023, 6, 10))  # a Saturday
        four.threshold_met, four.decision_basis = False, "discretion"
        four.decided_on = date(2023, 6, 26)  # 11 working days from the Saturday: on time
        police = session.scalar(
            select(Organisation.id).where(Organisation.key == "derbyshire-constabulary")
        )
        session.add_all(
            [
                Recommendation(
                    review_id=reviewed.id,
                    organisation_id=police,
                    action="Done early",
                    due_date=date(2023, 9, 1),
                    status="done",
                    completed_on=date(2023, 8, 20),
                ),
                Recommendation(
                    review_id=reviewed.id,
                    organisation_id=police,
                    action="Done late",
                    due_date=date(2023, 8, 1),
                    status="done",
                    completed_on=date(2023, 8, 15),
                ),
                Recommendation(
                    review_id=reviewed.id,
                    organisation_id=police,
                    action="Not done",
                    due_date=date(2023, 8, 1),
                ),
                Appeal(
                    case_id=two.id,
                    received_on=date(2023, 8, 1),
                    letter_date=date(2023, 7, 20),
                    grounds=["review_wrong"],
                    outcome="not_upheld",
                    decided_on=date(2023, 9, 1),
                    created_at=clock.now(),
                ),
                CheckIn(
                    case_id=one.id,
                    months=3,
                    due_on=date(2023, 11, 1),
                    answered_at=datetime(2023, 11, 2, 10, tzinfo=UTC),
                    still_happening=False,
                    comment="",
                    answered_by="applicant",
                ),
                CheckIn(
                    case_id=one.id,
                    months=6,
                    due_on=date(2024, 2, 1),
                    answered_at=datetime(2024, 2, 2, 10, tzinfo=UTC),
                    still_happening=True,
                    comment="",
                    answered_by="applicant",
                ),
            ]
        )

    figures = _all(db, 2023)
    assert _step(figures, "threshold_decision") == (4, 10.5, 2)
    assert _step(figures, "review_meeting") == (2, 31, 1)
    assert _step(figures, "outcome_letter") == (1, 35, 1)
    meeting = next(s for s in figures.steps if s.key == "review_meeting")
    assert meeting.timescale == "20 working days from the threshold decision"
    assert meeting.share_on_time == 0.5
    parts = dict(figures.meeting_parts)
    assert parts["Yes, remotely"] == 1 and parts["No, they were not invited"] == 1
    assert sum(parts.values()) == 2
    r = figures.recommendations
    assert (r.made, r.done, r.done_on_time, r.open_past_due) == (3, 2, 1, 1)
    assert (figures.appeals.received, figures.appeals.not_upheld) == (1, 1)
    f = figures.follow_ups
    assert (f.answers, f.stopped, f.still_happening) == (2, 1, 1)

    # Erewash's council sees its own cases' steps only.
    erewash = _all(db, 2023, "erewash")
    assert _step(erewash, "threshold_decision") == (2, 10, 1)
    assert _step(erewash, "review_meeting") == (0, None, 0)
    assert erewash.recommendations.made == 0

    text = render_csv(figures)
    assert text.splitlines()[0] == "Section,Measure,District or year,Value"
    assert "Timeliness,Threshold decision: median working days from receipt,2023/24,10.5" in text
    assert "Sam" not in text


def test_acknowledgement_is_timed_from_its_task(app_db: Database, fixed_clock) -> None:
    # Received on Monday 2 March 2026; due 5 working days later, on Monday 9 March.
    on_time, late = submit(app_db, application()), submit(app_db, application())
    assert _step(_all(app_db, 2025), "acknowledgement") == (0, None, 0)
    fixed_clock.advance(timedelta(days=7))
    do(app_db, on_time, "acknowledge", "council@example.org", {"method": "email"})
    assert _step(_all(app_db, 2025), "acknowledgement") == (1, 5, 1)
    before = render_csv(_all(app_db, 2025))
    fixed_clock.advance(timedelta(days=1))
    do(app_db, late, "acknowledge", "council@example.org", {"method": "email"})
    assert _step(_all(app_db, 2025), "acknowledgement") == (2, 5.5, 1)
    # The day is kept as the acknowledgement is completed, the case's other figures as they
    # were: only the acknowledgement's own rows moved.
    after = render_csv(_all(app_db, 2025))
    moved = set(before.splitlines()) ^ set(after.splitlines())
    assert moved and all(line.startswith("Timeliness,Acknowledgement") for line in moved)
    with app_db.read() as session:
        days = dict(session.execute(select(Case.id, Case.acknowledged_on)).all())
    assert days == {on_time: date(2026, 3, 9), late: date(2026, 3, 10)}
