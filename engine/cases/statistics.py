"""The yearly figures the relevant bodies publish, per district, for one financial year.

Section 104 asks for the number of applications, of times the threshold was not met, of
reviews carried out and of reviews that resulted in recommendations; Derbyshire also publishes
the appeals. Every figure is counted from the recorded facts (cases, reviews, recommendations,
appeals, the answers to the check-ins after closure) by one aggregate query per measure,
grouped by district: nothing is a running counter.

A case is followed up in a year when its applicant answered a check-in that year; it counts as
stopped when the last of that year's answers said the behaviour was no longer happening.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from engine.cases.statistics_notes import notes_for_year
from engine.core import clock
from engine.core.models import Appeal, Case, CheckIn, District, Recommendation, Review

# (field of DistrictFigures, row label as published), in the published order.
ROWS: tuple[tuple[str, str], ...] = (
    ("applications", "Number of ASB Case Review applications received"),
    ("threshold_not_met", "Number of times the threshold was not met"),
    ("reviews_held", "Number of ASB Case Reviews carried out"),
    ("reviews_with_recommendations", "Number of ASB Case Reviews that resulted in recommendations"),
    (
        "still_pending",
        "Number of this year's applications still waiting for a threshold decision or a review "
        "(at the year's end, or today while the year runs)",
    ),
    ("appeals_received", "Number of appeals received"),
    ("appeals_upheld", "Number of appeals upheld"),
    ("cases_followed_up", "Number of closed cases whose applicant answered a follow-up"),
    ("behaviour_stopped", "Number of those where the applicant said the behaviour had stopped"),
)
FIELDS: tuple[str, ...] = tuple(name for name, _label in ROWS)
# The first financial year with figures: the Act's case review provisions came into force in
# October 2014.
FIRST_YEAR = 2014
# The years an address may name for the figures: one the service holds nothing for is answered
# with empty figures, not an error; beyond these it is not a year at all.
YEARS = range(2000, 2101)


@dataclass(frozen=True)
class DistrictFigures:
    district_key: str
    district_name: str
    applications: int
    threshold_not_met: int
    reviews_held: int
    reviews_with_recommendations: int
    still_pending: int
    appeals_received: int
    appeals_upheld: int
    cases_followed_up: int
    behaviour_stopped: int


@dataclass(frozen=True)
class YearFigures:
    year: int
    label: str
    districts: tuple[DistrictFigures, ...]
    # The year has not ended: its figures are those so far, and will change.
    provisional: bool = False
    # What districts' councils say about the year: (district key, district name, note).
    notes: tuple[tuple[str, str, str], ...] = ()

    def total(self, field: str) -> int:
        if field not in FIELDS:
            raise ValueError(f"'{field}' is not a published figure; use one of {', '.join(FIELDS)}")
        return sum(getattr(district, field) for district in self.districts)


def financial_year_bounds(year: int) -> tuple[date, date]:
    """The first and last day (both included) of the financial year starting in ``year``."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def financial_year_of(day: date) -> int:
    """The financial year a day falls in, named by the year it starts in."""
    return day.year if day.month >= 4 else day.year - 1


def year_label(year: int) -> str:
    """How a financial year is written: 2021 -> "2021/22"."""
    return f"{year}/{(year + 1) % 100:02d}"


def _per_district(session: Session, query: Select[int, int]) -> dict[int, int]:
    return {district_id: count for district_id, count in session.execute(query)}


def figures_for_year(session: Session, year: int, today: date | None = None) -> YearFigures:
    """Count every published figure of one financial year, for every district of the area;
    provisional while ``today`` (the service's today by default) is within or before it."""
    first, last = financial_year_bounds(year)
    today = today or clock.today()
    counts: dict[str, Mapping[int, int]] = {}

    counts["applications"] = _per_district(
        session,
        select(Case.district_id, func.count(Case.id))
        .where(Case.received_on.between(first, last))
        .group_by(Case.district_id),
    )
    # A declined application counts as "threshold not met" (DOMAIN rule 4).
    counts["threshold_not_met"] = _per_district(
        session,
        select(Case.district_id, func.count(Case.id))
        .where(
            Case.decided_on.between(first, last),
            or_(Case.threshold_met.is_(False), Case.decision_basis == "declined"),
        )
        .group_by(Case.district_id),
    )
    reviews_held = (
        select(Case.district_id, func.count(Review.id))
        .join(Case, Case.id == Review.case_id)
        .where(Review.held_on.between(first, last))
        .group_by(Case.district_id)
    )
    counts["reviews_held"] = _per_district(session, reviews_held)
    counts["reviews_with_recommendations"] = _per_district(
        session,
        reviews_held.where(exists().where(Recommendation.review_id == Review.id)),
    )
    counts["appeals_received"] = _per_district(
        session,
        select(Case.district_id, func.count(Appeal.id))
        .join(Case, Case.id == Appeal.case_id)
        .where(Appeal.received_on.between(first, last))
        .group_by(Case.district_id),
    )
    counts["appeals_upheld"] = _per_district(
        session,
        select(Case.district_id, func.count(Appeal.id))
        .join(Case, Case.id == Appeal.case_id)
        .where(Appeal.outcome == "upheld", Appeal.decided_on.between(first, last))
        .group_by(Case.district_id),
    )

    counts["still_pending"] = _still_pending(session, first, last, min(today, last))
    counts.update(_follow_ups(session, first, last))

    districts = session.execute(
        select(District.id, District.key, District.name).order_by(District.position)
    ).all()
    notes = notes_for_year(session, year)
    return YearFigures(
        year=year,
        label=year_label(year),
        districts=tuple(
            DistrictFigures(
                district_key=key,
                district_name=name,
                **{field: counts[field].get(district_id, 0) for field in FIELDS},
            )
            for district_id, key, name in districts
        ),
        provisional=today <= last,
        notes=tuple(
            (key, name, notes[district_id])
            for district_id, key, name in districts
            if district_id in notes
        ),
    )


def _still_pending(session: Session, first: date, last: date, cutoff: date) -> dict[int, int]:
    """Applications received in the year that, at ``cutoff``, were open with neither a
    decision that the threshold was not met nor a review held: why a district's applications
    can exceed its not met and its reviews."""
    # Written so that a case with no decision yet (NULLs) is not left out by SQL's NULLs.
    not_met_by_then = and_(
        Case.decided_on.is_not(None),
        Case.decided_on <= cutoff,
        or_(Case.threshold_met.is_(False), func.coalesce(Case.decision_basis, "") == "declined"),
    )
    reviewed_by_then = exists().where(Review.case_id == Case.id, Review.held_on <= cutoff)
    return _per_district(
        session,
        select(Case.district_id, func.count(Case.id))
        .where(
            Case.received_on.between(first, last),
            Case.received_on <= cutoff,
            or_(Case.closed_on.is_(None), Case.closed_on > cutoff),
            ~not_met_by_then,
            ~reviewed_by_then,
        )
        .group_by(Case.district_id),
    )


def _follow_ups(session: Session, first: date, last: date) -> dict[str, Mapping[int, int]]:
    # Answers are kept as moments in UTC; the year runs from midnight to midnight.
    start = datetime.combine(first, time(), tzinfo=UTC)
    end = datetime.combine(last + timedelta(days=1), time(), tzinfo=UTC)
    answered = (
        select(Case.district_id, func.count(func.distinct(CheckIn.case_id)))
        .join(Case, Case.id == CheckIn.case_id)
        .where(CheckIn.answered_at >= start, CheckIn.answered_at < end)
        .group_by(Case.district_id)
    )
    later = aliased(CheckIn)
    stopped = answered.where(
        CheckIn.still_happening.is_(False),
        ~exists().where(
            later.case_id == CheckIn.case_id,
            later.answered_at > CheckIn.answered_at,
            later.answered_at < end,
        ),
    )
    return {
        "cases_followed_up": _per_district(session, answered),
        "behaviour_stopped": _per_district(session, stopped),
    }


def table_rows(figures: YearFigures) -> list[list[str]]:
    """The published layout: a header row, then one row per measure, districts as columns."""
    header = ["Measure", *(d.district_name for d in figures.districts), "Total"]
    body = [
        [label, *(str(getattr(d, field)) for d in figures.districts), str(figures.total(field))]
        for field, label in ROWS
    ]
    return [header, *body]


def render_table(figures: YearFigures) -> str:
    """A plain text table: measures left-aligned, numbers right-aligned under their district."""
    rows = table_rows(figures)
    widths = [max(len(row[column]) for row in rows) for column in range(len(rows[0]))]
    lines = []
    for index, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
        lines.append("  ".join(cells).rstrip())
        if index == 0:
            lines.append("  ".join("-" * width for width in widths))
    return "\n".join(lines) + "\n"


def render_csv(figures: YearFigures) -> str:
    """The same layout as CSV, header row first."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(table_rows(figures))
    return buffer.getvalue()


def as_json(figures: YearFigures) -> dict[str, Any]:
    return {
        "year": figures.year,
        "label": figures.label,
        "provisional": figures.provisional,
        "districts": [
            {
                "key": d.district_key,
                "name": d.district_name,
                **{field: getattr(d, field) for field in FIELDS},
            }
            for d in figures.districts
        ],
        "totals": {field: figures.total(field) for field in FIELDS},
        "notes": [{"key": key, "name": name, "note": note} for key, name, note in figures.notes],
    }
