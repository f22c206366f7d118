"""The OPCC's oversight of the case review across the force area, and each council's of its
own district: counts and timeliness per district and financial year, with no personal data.

Every count is an aggregate query grouped by district or by financial year. The timeliness of
each step needs working days, which SQL does not know: the cases are grouped by their dates
(receipt, the step's start, the step, whether the case was assessed at high risk) and each
distinct group is worked out once, so the Python pass is bounded by the distinct dates, not by
the number of cases.

Which year a figure belongs to:

- applications, and the timeliness of their steps: the year the application was received;
- threshold outcomes: the year of the decision (as the published figures count them);
- the applicant's part in the meeting, and the recommendations made: the year the review was
  held; a recommendation is done on time when it was completed by its due date;
- appeals: the year received, with their outcomes so far;
- follow-up answers: the year answered.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from engine.cases.statistics import financial_year_bounds, financial_year_of, year_label
from engine.core import clock
from engine.core.area import HIGH_RISK_TIMESCALES, current_settings
from engine.core.models import (
    Appeal,
    Case,
    CheckIn,
    District,
    Recommendation,
    Review,
    User,
)
from engine.core.workdays import add_working_days, is_working_day, working_days_between
from engine.review.applicant_part import TOOK_PART

# The kind of organisation whose staff oversee every district.
OVERSEES_ALL = "opcc"


@dataclass(frozen=True)
class DistrictCounts:
    key: str
    name: str
    applications: int
    threshold_met: int
    threshold_not_met: int


@dataclass(frozen=True)
class YearCounts:
    year: int
    label: str
    applications: int
    threshold_met: int
    threshold_not_met: int


@dataclass(frozen=True)
class StepTimes:
    """How long one step took, for the applications that reached it."""

    key: str
    name: str
    # The area's timescale, as it is counted: "10 working days from receipt".
    timescale: str
    done: int
    median_from_receipt: float | None  # working days from receipt, None when none done
    on_time: int

    @property
    def share_on_time(self) -> float | None:
        return self.on_time / self.done if self.done else None


@dataclass(frozen=True)
class Recommendations:
    made: int
    done: int
    done_on_time: int
    open_past_due: int


@dataclass(frozen=True)
class Appeals:
    received: int
    upheld: int
    not_upheld: int
    undecided: int


@dataclass(frozen=True)
class FollowUps:
    answers: int
    stopped: int
    still_happening: int


@dataclass(frozen=True)
class Oversight:
    """The figures for the districts and year chosen (``year`` None: every year held)."""

    year: int | None
    districts: tuple[DistrictCounts, ...]
    years: tuple[YearCounts, ...]
    steps: tuple[StepTimes, ...]
    meeting_parts: tuple[tuple[str, int], ...]  # (how the applicant took part, reviews)
    recommendations: Recommendations
    appeals: Appeals
    follow_ups: FollowUps

    @property
    def applications(self) -> int:
        return sum(d.applications for d in self.districts)

    @property
    def threshold_met(self) -> int:
        return sum(d.threshold_met for d in self.districts)

    @property
    def threshold_not_met(self) -> int:
        return sum(d.threshold_not_met for d in self.districts)

    @property
    def empty(self) -> bool:
        return not (
            self.applications
            or self.threshold_met
            or self.threshold_not_met
            or any(count for _, count in self.meeting_parts)
            or self.recommendations.made
            or self.appeals.received
            or self.follow_ups.answers
        )


def overseen_districts(session: Session, user: User) -> list[District]:
    """The districts whose figures ``user`` oversees: every district for the OPCC's staff, the
    districts their council leads for a council's, none for anyone else."""
    query = select(District).order_by(District.position)
    if user.organisation.kind != OVERSEES_ALL:
        query = query.where(District.lead_council_id == user.organisation_id)
    return list(session.scalars(query))


def years_held(session: Session, today: date | None = None) -> list[int]:
    """The financial years the service holds applications for, newest first (none when it
    holds none), up to the one running now."""
    first = session.scalar(select(func.min(Case.received_on)))
    if first is None:
        return []
    latest = financial_year_of(today or clock.today())
    return list(range(latest, min(financial_year_of(first), latest) - 1, -1))


def oversight(
    session: Session,
    districts: Sequence[District],
    year: int | None,
    today: date | None = None,
) -> Oversight:
    """The oversight figures of ``districts`` for the financial year starting in ``year``
    (every year when None)."""
    today = today or clock.today()
    ids = [d.id for d in districts]

    def within(column: Any) -> ColumnElement[bool]:
        if year is None:
            return column.is_not(None)
        first, last = financial_year_bounds(year)
        return column.between(first, last)

    # Every district of the area needs no condition: without one, the counts by day read the
    # dates' own index rather than every case's district beside its dates.
    every = len(set(ids)) == session.scalar(select(func.count(District.id)))
    in_districts = true() if every else Case.district_id.in_(ids)

    def of_cases(case_id: Any) -> ColumnElement[bool]:
        # Reviews, appeals and answers are narrowed by their case's district without reading
        # their cases' rows, and not at all for every district.
        if every:
            return true()
        return case_id.in_(select(Case.id).where(Case.district_id.in_(ids)))

    return Oversight(
        year=year,
        districts=_district_counts(session, districts, in_districts, within),
        years=_year_counts(session, in_districts),
        steps=_steps(session, in_districts, within(Case.received_on)),
        meeting_parts=_meeting_parts(session, of_cases(Review.case_id), within(Review.held_on)),
        recommendations=_recommendations(
            session, of_cases(Review.case_id), within(Review.held_on), today
        ),
        appeals=_appeals(session, of_cases(Appeal.case_id), within(Appeal.received_on)),
        follow_ups=_follow_ups(session, of_cases(CheckIn.case_id), year),
    )


# A declined application counts as "threshold not met" (DOMAIN rule 4), as published.
_NOT_MET = or_(Case.threshold_met.is_(False), Case.decision_basis == "declined")
_MET = and_(Case.threshold_met.is_(True), func.coalesce(Case.decision_basis, "") != "declined")


def _district_counts(
    session: Session, districts: Sequence[District], in_districts: Any, within: Any
) -> tuple[DistrictCounts, ...]:
    applications = dict(
        session.execute(
            select(Case.district_id, func.count())
            .where(in_districts, within(Case.received_on))
            .group_by(Case.district_id)
        ).all()
    )
    decided = {
        district_id: (met or 0, not_met or 0)
        for district_id, met, not_met in session.execute(
            select(
                Case.district_id,
                func.sum(case((_MET, 1), else_=0)),
                func.sum(case((_NOT_MET, 1), else_=0)),
            )
            .where(in_districts, within(Case.decided_on))
            .group_by(Case.district_id)
        )
    }
    return tuple(
        DistrictCounts(
            key=d.key,
            name=d.name,
            applications=applications.get(d.id, 0),
            threshold_met=decided.get(d.id, (0, 0))[0],
            threshold_not_met=decided.get(d.id, (0, 0))[1],
        )
        for d in districts
    )


def _year_counts(session: Session, in_districts: Any) -> tuple[YearCounts, ...]:
    # Each financial year is a range of days: counted a range at a time, each count reads
    # only its range of an index (of receipt, or of decision with its outcome), where
    # grouping by day or working out each case's year would read every case.
    span = session.execute(
        select(
            *(
                select(bound(column)).where(in_districts).scalar_subquery()
                for column in (Case.received_on, Case.decided_on)
                for bound in (func.min, func.max)
            )
        )
    ).one()
    days = [_as_date(day) for day in span if day is not None]
    if not days:
        return ()
    held = range(financial_year_of(min(days)), financial_year_of(max(days)) + 1)
    applications: dict[int, int] = {}
    outcomes: dict[int, tuple[int, int, int]] = {}
    # A few years a statement: a day mistyped centuries away makes many more years, which
    # one compound statement could not hold (SQLite takes 500 at most).
    for at in range(0, len(held), _YEARS_A_STATEMENT):
        years = held[at : at + _YEARS_A_STATEMENT]
        received = union_all(
            *(
                select(literal(y), func.count()).where(
                    in_districts, Case.received_on.between(*_days_of(y))
                )
                for y in years
            )
        )
        decided = union_all(
            *(
                select(
                    literal(y),
                    func.count(),
                    func.sum(case((_MET, 1), else_=0)),
                    func.sum(case((_NOT_MET, 1), else_=0)),
                ).where(in_districts, Case.decided_on.between(*_days_of(y)))
                for y in years
            )
        )
        applications.update((y, n) for y, n in session.execute(received))
        outcomes.update(
            (y, (n, met or 0, not_met or 0)) for y, n, met, not_met in session.execute(decided)
        )
    return tuple(
        YearCounts(
            year=y,
            label=year_label(y),
            applications=applications[y],
            threshold_met=outcomes[y][1],
            threshold_not_met=outcomes[y][2],
        )
        # A year is shown when an application was received or decided in it.
        for y in held
        if applications[y] or outcomes[y][0]
    )


_YEARS_A_STATEMENT = 50


def _days_of(year: int) -> tuple[date, date]:
    """The financial year's first and last day, within the days a date can hold."""
    if 1 <= year < date.max.year:
        return financial_year_bounds(year)
    return (date.min, date(1, 3, 31)) if year < 1 else (date(year, 4, 1), date.max)


@dataclass(frozen=True)
class _Step:
    key: str
    name: str
    timescale: str  # the area's timescale the step is due by
    counted_from: str  # in words


_STEPS = (
    _Step("acknowledgement", "Acknowledgement", "acknowledge_application", "receipt"),
    _Step("threshold_decision", "Threshold decision", "threshold_decision", "receipt"),
    _Step("review_meeting", "Review meeting", "review_meeting", "the threshold decision"),
    _Step("outcome_letter", "Outcome letter", "outcome_letter", "the meeting"),
)


def _steps(session: Session, in_districts: Any, cohort: Any) -> tuple[StepTimes, ...]:
    settings = current_settings(session)
    timescales: dict[str, int] = settings["timescales"]
    shorter: dict[str, int] = settings.get(HIGH_RISK_TIMESCALES) or {}
    high = Case.risk_level == "high"
    first_review = and_(Review.case_id == Case.id, Review.number == 1)
    # (received, start, step, at high risk, how many) for each step. Grouped by the risk level
    # itself, not whether it is high: SQLite then reads the groups in the index's order, where
    # it would sort them.
    groups: dict[str, list[tuple[Any, Any, Any, bool, int]]] = {}
    for key, day in (
        ("acknowledgement", Case.acknowledged_on),
        ("threshold_decision", Case.decided_on),
    ):
        rows = session.execute(
            select(Case.received_on, day, Case.risk_level, func.count())
            .where(day.is_not(None), in_districts, cohort)
            .group_by(Case.received_on, day, Case.risk_level)
        )
        groups[key] = [(r, r, end, risk == "high", n) for r, end, risk, n in rows]
    # The meeting and its outcome letter from one reading of the first reviews.
    reviewed = (
        select(
            Case.received_on,
            Case.decided_on,
            Review.held_on,
            Review.outcome_letter_sent_on,
            high,
            func.count(),
        )
        .join(Review, first_review)
        .where(Review.held_on.is_not(None), in_districts, cohort)
    )
    reviews = session.execute(reviewed.group_by(*reviewed.selected_columns[:5])).all()
    groups["review_meeting"] = [
        (r, decided, held, bool(at_high), n)
        for r, decided, held, _sent, at_high, n in reviews
        if decided is not None
    ]
    groups["outcome_letter"] = [
        (r, held, sent, bool(at_high), n)
        for r, _decided, held, sent, at_high, n in reviews
        if sent is not None
    ]
    found = []
    for step in _STEPS:
        days = timescales[step.timescale]
        times = step_times(groups[step.key], days, shorter.get(step.timescale, days))
        found.append(
            StepTimes(
                key=step.key,
                name=step.name,
                timescale=f"{days} working days from {step.counted_from}",
                done=times[0],
                median_from_receipt=times[1],
                on_time=times[2],
            )
        )
    return tuple(found)


class _Calendar:
    """The working days from ``first`` to ``last``, numbered once, so that the working days
    between two days, and the day some working days after another, are looked up in lists
    rather than counted a day at a time for each group of cases (every year together has tens
    of thousands). Days outside it are counted as ``engine.core.workdays`` counts them."""

    def __init__(self, first: date, last: date) -> None:
        self.first = first.toordinal()
        self.workdays: list[date] = []
        # For each day from ``first``: how many working days fall on it or before it.
        self.counted: list[int] = []
        day = first
        while day <= last:
            if is_working_day(day):
                self.workdays.append(day)
            self.counted.append(len(self.workdays))
            day += timedelta(days=1)

    def _offset(self, day: date) -> int | None:
        offset = day.toordinal() - self.first
        return offset if 0 <= offset < len(self.counted) else None

    def between(self, start: date, end: date) -> int:
        """As ``working_days_between``: the working days after ``start`` up to ``end``."""
        first, last = self._offset(start), self._offset(end)
        if first is None or last is None:
            return working_days_between(start, end)
        return self.counted[last] - self.counted[first]

    def after(self, start: date, days: int) -> date:
        """As ``add_working_days``: ``days`` working days after ``start``, or after the next
        working day when ``start`` is not one."""
        offset = self._offset(start)
        if offset is None or days < 0:
            return add_working_days(start, days)
        # The working days before ``start`` number the first on or after it.
        index = (self.counted[offset - 1] if offset else 0) + days
        if index >= len(self.workdays):
            return add_working_days(start, days)
        return self.workdays[index]


def step_times(
    groups: Iterable[tuple[date, date, date, bool, int]], days: int, high_risk_days: int
) -> tuple[int, float | None, int]:
    """From groups of (received, start, step, at high risk, how many): how many took the
    step, the median working days from receipt to it, and how many took it by the day due
    (``days`` working days from its start; ``high_risk_days`` for a case at high risk)."""
    rows = [
        (_as_date(received), _as_date(start), _as_date(end), at_high, count)
        for received, start, end, at_high, count in groups
    ]
    histogram: Counter[int] = Counter()
    on_time = 0
    if rows:
        # Reaching past the latest day by a year leaves room for any timescale's day due; a
        # day mistyped decades earlier is counted the slow way rather than make the list long.
        last = _moved(max(r[2] for r in rows), 366)
        first = max(min(min(r[0], r[1]) for r in rows), _moved(last, -366 * 30))
        calendar = _Calendar(first, last)
        due: dict[tuple[date, bool], date] = {}
        for received, start, end, at_high, count in rows:
            histogram[calendar.between(received, end)] += count
            key = (start, at_high)
            if key not in due:
                due[key] = calendar.after(start, high_risk_days if at_high else days)
            if end <= due[key]:
                on_time += count
    done = sum(histogram.values())
    return done, weighted_median(histogram), on_time


def _moved(day: date, days: int) -> date:
    """``days`` after ``day``, or the calendar's first or last day."""
    try:
        return day + timedelta(days=days)
    except OverflowError:
        return date.max if days > 0 else date.min


def _as_date(value: date | str) -> date:
    # SQLite hands back the text of date(); PostgreSQL a date.
    return value if isinstance(value, date) else date.fromisoformat(value)


def weighted_median(histogram: Counter[int]) -> float | None:
    """The median of values given with how often each occurs; None when there are none."""
    total = sum(histogram.values())
    if not total:
        return None
    middle = [(total - 1) // 2, total // 2]  # the positions of the middle one or two
    found: list[int] = []
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        while middle and middle[0] < seen:
            found.append(value)
            middle.pop(0)
    return sum(found) / 2


def _meeting_parts(session: Session, in_districts: Any, held: Any) -> tuple[tuple[str, int], ...]:
    counts = dict(
        session.execute(
            select(Review.applicant_took_part, func.count())
            .where(in_districts, held)
            .group_by(Review.applicant_took_part)
        ).all()
    )
    parts = [(words, counts.pop(key, 0)) for key, words in TOOK_PART.items()]
    # Meetings recorded before the service asked how the applicant took part.
    parts.append(("Not recorded", sum(counts.values())))
    return tuple(parts)


def _recommendations(
    session: Session, in_districts: Any, held: Any, today: date
) -> Recommendations:
    done = Recommendation.completed_on.is_not(None)
    made, completed, on_time, overdue = session.execute(
        select(
            func.count(),
            func.sum(case((done, 1), else_=0)),
            func.sum(
                case(
                    (and_(done, Recommendation.completed_on <= Recommendation.due_date), 1), else_=0
                )
            ),
            func.sum(
                case(
                    (and_(Recommendation.status == "open", Recommendation.due_date < today), 1),
                    else_=0,
                )
            ),
        )
        .join(Review, Review.id == Recommendation.review_id)
        .where(in_districts, held)
    ).one()
    return Recommendations(made, completed or 0, on_time or 0, overdue or 0)


def _appeals(session: Session, in_districts: Any, received: Any) -> Appeals:
    total, upheld, not_upheld = session.execute(
        select(
            func.count(),
            func.sum(case((Appeal.outcome == "upheld", 1), else_=0)),
            func.sum(case((Appeal.outcome == "not_upheld", 1), else_=0)),
        ).where(in_districts, received)
    ).one()
    upheld, not_upheld = upheld or 0, not_upheld or 0
    return Appeals(total, upheld, not_upheld, total - upheld - not_upheld)


def _follow_ups(session: Session, in_districts: Any, year: int | None) -> FollowUps:
    answered: ColumnElement[bool] = CheckIn.answered_at.is_not(None)
    if year is not None:
        # Answers are kept as moments in UTC; the year runs from midnight to midnight.
        first, last = financial_year_bounds(year)
        start = datetime.combine(first, time(), tzinfo=UTC)
        end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
        answered = and_(CheckIn.answered_at >= start, CheckIn.answered_at < end)
    total, stopped, going_on = session.execute(
        select(
            func.count(),
            func.sum(case((CheckIn.still_happening.is_(False), 1), else_=0)),
            func.sum(case((CheckIn.still_happening.is_(True), 1), else_=0)),
        ).where(in_districts, answered)
    ).one()
    return FollowUps(total, stopped or 0, going_on or 0)


def percent(share: float | None) -> str:
    """A share as a whole percentage, or a dash when there is nothing to share."""
    return "–" if share is None else f"{round(share * 100)}%"


def days_text(median: float | None) -> str:
    if median is None:
        return "–"
    return f"{median:g}"


def csv_rows(figures: Oversight) -> list[list[str]]:
    """Every figure of the view as (section, measure, district or year, value) rows."""
    scope = year_label(figures.year) if figures.year is not None else "All years"
    rows = [["Section", "Measure", "District or year", "Value"]]
    for d in figures.districts:
        rows += [
            ["Applications", "Applications received", d.name, str(d.applications)],
            ["Threshold", "Threshold met", d.name, str(d.threshold_met)],
            ["Threshold", "Threshold not met", d.name, str(d.threshold_not_met)],
        ]
    for y in figures.years:
        rows += [
            ["By year", "Applications received", y.label, str(y.applications)],
            ["By year", "Threshold met", y.label, str(y.threshold_met)],
            ["By year", "Threshold not met", y.label, str(y.threshold_not_met)],
        ]
    for s in figures.steps:
        rows += [
            ["Timeliness", f"{s.name}: taken", scope, str(s.done)],
            [
                "Timeliness",
                f"{s.name}: median working days from receipt",
                scope,
                days_text(s.median_from_receipt),
            ],
            ["Timeliness", f"{s.name}: on time ({s.timescale})", scope, str(s.on_time)],
            ["Timeliness", f"{s.name}: share on time", scope, percent(s.share_on_time)],
        ]
    rows += [
        ["Applicant's part in the meeting", words, scope, str(n)]
        for words, n in figures.meeting_parts
    ]
    r, a, f = figures.recommendations, figures.appeals, figures.follow_ups
    rows += [
        ["Recommendations", "Made", scope, str(r.made)],
        ["Recommendations", "Done", scope, str(r.done)],
        ["Recommendations", "Done by their due date", scope, str(r.done_on_time)],
        ["Recommendations", "Open and past their due date", scope, str(r.open_past_due)],
        ["Appeals", "Received", scope, str(a.received)],
        ["Appeals", "Upheld", scope, str(a.upheld)],
        ["Appeals", "Not upheld", scope, str(a.not_upheld)],
        ["Appeals", "Not yet decided", scope, str(a.undecided)],
        ["Follow-up answers", "Answers", scope, str(f.answers)],
        ["Follow-up answers", "Behaviour had stopped", scope, str(f.stopped)],
        ["Follow-up answers", "Behaviour still happening", scope, str(f.still_happening)],
    ]
    return rows


def render_csv(figures: Oversight) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(csv_rows(figures))
    return buffer.getvalue()
