"""The yearly published figures, counted from the recorded facts per district and financial year."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import fields
from datetime import date

import pytest
from sqlalchemy import select

from engine.cases.statistics import (
    ROWS,
    DistrictFigures,
    YearFigures,
    as_json,
    figures_for_year,
    financial_year_bounds,
    financial_year_of,
    render_csv,
    render_table,
    year_label,
)
from engine.core.db import Database
from engine.core.models import District
from tests.support.figures import FIELDS, PUBLISHED_ORDER, zeros


def _figures(db: Database, year: int) -> YearFigures:
    with db.read() as session:
        return figures_for_year(session, year)


def _of(figures: YearFigures, key: str) -> dict[str, int]:
    district = next(d for d in figures.districts if d.district_key == key)
    return {field: getattr(district, field) for field in FIELDS}


# --- financial years ------------------------------------------------------------------------


def test_financial_year_bounds_and_membership() -> None:
    assert financial_year_bounds(2021) == (date(2021, 4, 1), date(2022, 3, 31))
    assert financial_year_bounds(2023) == (date(2023, 4, 1), date(2024, 3, 31))
    assert financial_year_of(date(2022, 3, 31)) == 2021
    assert financial_year_of(date(2022, 4, 1)) == 2022
    assert financial_year_of(date(2022, 1, 1)) == 2021
    assert financial_year_of(date(2021, 12, 31)) == 2021


@pytest.mark.parametrize(
    "year, label",
    [(2021, "2021/22"), (1999, "1999/00"), (2009, "2009/10"), (2099, "2099/00"), (2000, "2000/01")],
)
def test_year_label(year: int, label: str) -> None:
    assert year_label(year) == label


def test_rows_follow_the_figures_in_published_order() -> None:
    assert [f.name for f in fields(DistrictFigures)][2:] == FIELDS
    assert ROWS[0] == ("applications", "Number of ASB Case Review applications received")
    assert ROWS[6] == ("appeals_upheld", "Number of appeals upheld")
    assert ROWS[-1] == (
        "behaviour_stopped",
        "Number of those where the applicant said the behaviour had stopped",
    )


# --- the figures ----------------------------------------------------------------------------


def test_figures_for_2021_22(facts: Database) -> None:
    figures = _figures(facts, 2021)
    assert (figures.year, figures.label) == (2021, "2021/22")
    assert _of(figures, "derbyshire-dales") == {
        "applications": 3,  # 1 April 2021, 1 June 2021, 31 March 2022
        "threshold_not_met": 1,  # the decline; the other "not met" was decided in 2022/23
        "reviews_held": 2,  # one for a case received in 2020/21
        "reviews_with_recommendations": 1,
        "still_pending": 1,  # received 31 March 2022, decided after the year's end
        "appeals_received": 3,
        "appeals_upheld": 1,  # the other upheld appeal was decided in 2022/23
        "cases_followed_up": 0,
        "behaviour_stopped": 0,
    }
    assert _of(figures, "erewash") == {
        "applications": 4,
        "threshold_not_met": 1,
        "reviews_held": 1,
        "reviews_with_recommendations": 1,
        "still_pending": 2,  # one never decided; one met, its review not held
        "appeals_received": 2,
        "appeals_upheld": 1,
        "cases_followed_up": 0,
        "behaviour_stopped": 0,
    }
    for key in ("amber-valley", "bolsover", "high-peak", "south-derbyshire"):
        assert _of(figures, key) == zeros()
    assert {field: figures.total(field) for field in FIELDS} == {
        "applications": 7,
        "threshold_not_met": 2,
        "reviews_held": 3,
        "reviews_with_recommendations": 2,
        "still_pending": 3,
        "appeals_received": 5,
        "appeals_upheld": 2,
        "cases_followed_up": 0,
        "behaviour_stopped": 0,
    }


def test_figures_for_the_neighbouring_years(facts: Database) -> None:
    later = _figures(facts, 2022)
    assert later.label == "2022/23"
    assert _of(later, "derbyshire-dales") == {
        "applications": 1,  # received 1 April 2022
        "threshold_not_met": 1,  # received 31 March 2022, decided 5 April 2022
        "reviews_held": 1,  # the fresh review after the upheld appeal; the planned one is not held
        "reviews_with_recommendations": 0,
        "still_pending": 1,  # received 1 April 2022, its meeting never held
        "appeals_received": 0,
        "appeals_upheld": 1,  # received in 2021/22, decided 2 April 2022
        "cases_followed_up": 0,
        "behaviour_stopped": 0,
    }
    assert _of(later, "erewash") == zeros()

    earlier = _figures(facts, 2020)
    # Received 20 March 2021 and decided as met, its review held only in the next year.
    assert _of(earlier, "derbyshire-dales") == {**zeros(), "applications": 1, "still_pending": 1}
    assert earlier.total("applications") == 1
    assert sum(earlier.total(field) for field in FIELDS) == 2


def test_every_district_in_published_order_even_when_empty(db: Database) -> None:
    figures = _figures(db, 2021)
    assert [d.district_name for d in figures.districts] == PUBLISHED_ORDER
    assert figures.districts[0].district_key == "amber-valley"
    assert figures.districts[-1].district_key == "south-derbyshire"
    assert all(_of(figures, d.district_key) == zeros() for d in figures.districts)
    assert all(figures.total(field) == 0 for field in FIELDS)


def test_the_order_is_district_position_not_name(db: Database) -> None:
    with db.transaction() as session:
        first = session.scalar(select(District).where(District.key == "amber-valley"))
        last = session.scalar(select(District).where(District.key == "south-derbyshire"))
        first.position, last.position = last.position, first.position
    keys = [d.district_key for d in _figures(db, 2021).districts]
    assert keys[0] == "south-derbyshire" and keys[-1] == "amber-valley"


def test_total_of_an_unknown_field_is_refused(db: Database) -> None:
    with pytest.raises(ValueError, match="not a published figure"):
        _figures(db, 2021).total("district_name")


# --- rendering ------------------------------------------------------------------------------


def test_render_table(facts: Database) -> None:
    text = render_table(_figures(facts, 2021))
    lines = text.splitlines()
    header = lines[0]
    assert header.startswith("Measure")
    assert header.rstrip().endswith("Total")
    positions = [header.index(name) for name in PUBLISHED_ORDER]
    assert positions == sorted(positions)
    assert set(lines[1]) <= {"-", " "}
    body = lines[2:]
    assert [line.split("  ")[0].strip() for line in body] == [label for _f, label in ROWS]
    applications = body[0].split()
    # Amber Valley .. South Derbyshire, then the total
    assert applications[-10:] == ["0", "0", "0", "0", "3", "4", "0", "0", "0", "7"]


def test_render_csv(facts: Database) -> None:
    rows = list(csv.reader(io.StringIO(render_csv(_figures(facts, 2021)))))
    assert rows[0] == ["Measure", *PUBLISHED_ORDER, "Total"]
    assert [row[0] for row in rows[1:]] == [label for _f, label in ROWS]
    by_label = {row[0]: row[1:] for row in rows[1:]}
    assert by_label["Number of appeals received"] == [
        "0",
        "0",
        "0",
        "0",
        "3",
        "2",
        "0",
        "0",
        "0",
        "5",
    ]


def test_as_json(facts: Database) -> None:
    data = as_json(_figures(facts, 2021))
    assert json.loads(json.dumps(data)) == data
    assert (data["year"], data["label"]) == (2021, "2021/22")
    assert [d["name"] for d in data["districts"]] == PUBLISHED_ORDER
    dales = data["districts"][4]
    assert dales["key"] == "derbyshire-dales"
    assert set(dales) == {"key", "name", *FIELDS}
    assert data["provisional"] is False
    assert dales["reviews_held"] == 2
    assert data["totals"]["appeals_received"] == 5


def test_the_year_under_way_is_provisional_and_counts_what_waits_today(facts: Database) -> None:
    with facts.read() as session:
        under_way = figures_for_year(session, 2021, today=date(2021, 9, 1))
        ended = figures_for_year(session, 2021, today=date(2022, 4, 1))
    assert under_way.provisional and not ended.provisional
    # On 1 September 2021 the Erewash cases of May and August were waiting (the one of July
    # was decided as not met, the one of October not yet received).
    assert _of(under_way, "erewash")["still_pending"] == 2
    # In Derbyshire Dales, the case of June was met and waited for its review (held in March);
    # at the year's end only the case received on its last day waits.
    assert _of(under_way, "derbyshire-dales")["still_pending"] == 1
    assert _of(ended, "derbyshire-dales")["still_pending"] == 1
