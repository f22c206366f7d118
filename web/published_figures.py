"""The published figures as open data at stable addresses (CSV and JSON, a year each), and
each district's notes on its year, written by its council."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.cases.statistics import (
    FIRST_YEAR,
    YEARS,
    YearFigures,
    as_json,
    figures_for_year,
    financial_year_of,
    render_csv,
    year_label,
)
from engine.cases.statistics_notes import (
    LONGEST_NOTE,
    district_of,
    may_write_notes,
    note_of,
    save_note,
)
from engine.core import clock
from engine.core.errors import InvalidData, NotFound
from web.context import db, sign_in_required, signed_in_user

blueprint = Blueprint("published_figures", __name__)


def _figures(year: int) -> YearFigures:
    if year not in YEARS:
        abort(404)
    with db().read() as s:
        return figures_for_year(s, year)


@blueprint.get("/statistics/<int:year>.csv")
def figures_csv(year: int) -> Response:
    figures = _figures(year)
    return _open_data(render_csv(figures), "text/csv; charset=utf-8", figures.label, "csv")


@blueprint.get("/statistics/<int:year>.json")
def figures_json(year: int) -> Response:
    figures = _figures(year)
    body = json.dumps(as_json(figures), indent=2, ensure_ascii=False)
    return _open_data(body, "application/json", figures.label, "json")


def _open_data(body: str, media_type: str, label: str, suffix: str) -> Response:
    response = Response(body, mimetype=media_type.split(";")[0])
    response.headers["Content-Type"] = media_type
    name = f"asb-case-review-figures-{label.replace('/', '-')}.{suffix}"
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    # Public figures, which change as cases are decided: any cache asks again.
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.route("/statistics/<int:year>/notes/<district_key>", methods=["GET", "POST"])
@sign_in_required
def notes(year: int, district_key: str) -> str | Response | tuple[str, int]:
    """A district's council writes what its figures for the year need said."""
    user = signed_in_user()
    if not FIRST_YEAR <= year <= financial_year_of(clock.today()):
        abort(404)
    error = ""
    text = request.form.get("note", "")
    with db().transaction() as s:
        try:
            district = district_of(s, district_key)
        except NotFound:
            abort(404)
        if not may_write_notes(user, district):
            abort(403)
        if request.method == "POST":
            try:
                save_note(s, user, district, year, text)
            except InvalidData as refused:
                error = refused.fields["note"]
            else:
                flash(f"The note on {district.name}'s figures for {year_label(year)} is saved")
                return redirect(url_for("public.statistics", year=year) + "#notes")
        else:
            text = note_of(s, district, year)
        page = render_template(
            "statistics_note.html",
            district=district.name,
            label=year_label(year),
            year=year,
            text=text,
            error=error,
            longest=LONGEST_NOTE,
        )
    return (page, 400) if error else page
