"""The oversight view: the OPCC's figures across the districts and financial years, and each
council's of its own district, with charts, their tables and a CSV of the same figures. No
personal data is on it."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from werkzeug.wrappers import Response

from engine.cases.statistics import YEARS, financial_year_of, year_label
from engine.core import clock
from engine.core.models import District
from engine.review.oversight import (
    Oversight,
    days_text,
    overseen_districts,
    oversight,
    percent,
    render_csv,
    years_held,
)
from web.charts import BarChart, bar_chart
from web.context import db, sign_in_required, signed_in_user

blueprint = Blueprint("oversight", __name__)
EVERY_YEAR = "all"


@dataclass(frozen=True)
class Chosen:
    """What the filters chose, once checked against what this person oversees."""

    districts: list[District]  # the districts counted
    district: str  # the district key chosen, "" for every district they oversee
    year: int | None  # None for every year
    problems: dict[str, str]  # filter (its field's id) -> why its value could not be used


def _choose(everyone: list[District]) -> Chosen:
    """Read the filters from the address; a value that cannot be used is set aside, said why,
    and the rest of the view shown."""
    problems: dict[str, str] = {}
    key = request.args.get("district", "").strip()
    districts = everyone
    if key:
        named = [d for d in everyone if d.key == key]
        if named:
            districts = named
        else:
            problems["district"] = (
                "Choose a district from the list: the one chosen is not one whose figures you "
                "can see"
            )
            key = ""
    # The year under way unless another is chosen, or every year ("all"): every year's
    # figures read every case, a year's only its own.
    year: int | None = financial_year_of(clock.today())
    text = request.args.get("year", "").strip()
    if text == EVERY_YEAR:
        year = None
    elif text:
        if text.isascii() and text.isdigit() and int(text) in YEARS:
            year = int(text)
        else:
            problems["year"] = f"Choose a financial year from the list: ‘{text[:20]}’ is not one"
    return Chosen(districts, key, year, problems)


def _figures() -> tuple[Chosen, Oversight, list[int], list[District]]:
    user = signed_in_user()
    with db().read() as s:
        everyone = overseen_districts(s, user)
        if not everyone:
            # The OPCC's and the councils' page, about no case: 403, not 404.
            abort(403)
        chosen = _choose(everyone)
        figures = oversight(s, chosen.districts, chosen.year)
        held = years_held(s)
    return chosen, figures, held, everyone


@blueprint.get("/oversight")
@sign_in_required
def page() -> str:
    chosen, figures, held, everyone = _figures()
    scope = year_label(chosen.year) if chosen.year is not None else "every year"
    where = chosen.districts[0].name if len(chosen.districts) == 1 else "every district you oversee"
    return render_template(
        "oversight.html",
        figures=figures,
        chosen=chosen,
        everyone=everyone,
        years=[(y, year_label(y)) for y in held],
        outside=chosen.year is not None and chosen.year not in held,
        latest=financial_year_of(clock.today()),
        every_year=EVERY_YEAR,
        scope=scope,
        where=where,
        charts=_charts(figures, scope),
        percent=percent,
        days_text=days_text,
    )


@blueprint.get("/oversight.csv")
@sign_in_required
def figures_csv() -> Response:
    chosen, figures, _held, _everyone = _figures()
    response = Response(render_csv(figures), mimetype="text/csv")
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    year = year_label(chosen.year).replace("/", "-") if chosen.year is not None else "all-years"
    name = f"asb-case-review-oversight-{chosen.district or 'all-districts'}-{year}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "no-store"
    return response


def _charts(figures: Oversight, scope: str) -> dict[str, BarChart]:
    return {
        "districts": bar_chart(
            "chart-districts",
            f"Applications received by district, {scope}",
            "A bar for each district, as long as its number of applications; the figures are "
            "in the table that follows.",
            [(d.name, d.applications, str(d.applications)) for d in figures.districts],
        ),
        "years": bar_chart(
            "chart-years",
            "Applications received by financial year",
            "A bar for each financial year, as long as its number of applications; the figures "
            "are in the table that follows.",
            [(y.label, y.applications, str(y.applications)) for y in figures.years],
        ),
        "on_time": bar_chart(
            "chart-on-time",
            f"Share of each step taken on time, {scope}",
            "A bar for each step, from none to all of them on time; the figures are in the "
            "table that follows.",
            [(s.name, s.share_on_time or 0, percent(s.share_on_time)) for s in figures.steps],
            top=1,
        ),
    }
