"""The audit trail for administrators: choose a date range and download it (CSV or JSON)."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, render_template, request

from engine.core.audit import export_events, render_csv
from engine.core.form_wording import date_problem
from engine.core.forms import iso_date
from web.context import db, sign_in_required, signed_in_administrator
from web.dates import boxes_in_error, date_answer

blueprint = Blueprint("audit", __name__)
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
DAYS = ("from", "to")


def _day(name: str, label: str, values: dict[str, str], errors: dict[str, str]) -> date | None:
    """The day typed in the three boxes of ``name`` (or given whole in the address)."""
    text = values[name] = date_answer(request.args, name)
    if not text:
        errors[name] = f"Enter the {label}"
        return None
    day = iso_date(text)
    if day is None:
        errors[name] = f"The {label} {date_problem(text)[0]}"
    return day


def _page(values: dict[str, str], errors: dict[str, str]) -> str:
    date_errors = {name: boxes_in_error(values.get(name)) for name in DAYS if name in errors}
    return render_template("audit.html", values=values, errors=errors, date_errors=date_errors)


@blueprint.get("/audit")
@sign_in_required
def page() -> tuple[str, int]:
    signed_in_administrator()
    return _page({}, {}), 200


@blueprint.get("/audit/export")
@sign_in_required
def export() -> Response | tuple[str, int]:
    user = signed_in_administrator()
    errors: dict[str, str] = {}
    values = dict(request.args.items())
    first = _day("from", "first day", values, errors)
    last = _day("to", "last day", values, errors)
    output = request.args.get("format", "csv")
    if output not in FORMATS:
        errors["format"] = "Select CSV or JSON"
    if first and last and last < first:
        errors["to"] = "The last day must be the same as or after the first day"
    if errors or first is None or last is None:
        return _page(values, errors), 400
    with db().transaction() as session:
        events = export_events(session, first, last, user=user, channel="audit page")
    body = (
        render_csv(events) if output == "csv" else json.dumps(events, indent=2, ensure_ascii=False)
    )
    response = Response(body, mimetype=FORMATS[output])
    name = f"audit-trail-{first.isoformat()}-to-{last.isoformat()}.{output}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    # Who looked at what: never kept by a browser or proxy cache.
    response.headers["Cache-Control"] = "no-store"
    return response
