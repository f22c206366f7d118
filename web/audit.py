"""The audit trail for administrators: choose a date range and download it (CSV or JSON)."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, Response, render_template, request

from engine.core.audit import export_events, render_csv
from web.context import db, sign_in_required, signed_in_administrator

blueprint = Blueprint("audit", __name__)
FORMATS = {"csv": "text/csv; charset=utf-8", "json": "application/json"}


def _day(name: str, label: str, errors: dict[str, str]) -> date | None:
    text = request.args.get(name, "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        errors[name] = f"Enter the {label} as a date, like 2026-03-31"
        return None


@blueprint.get("/audit")
@sign_in_required
def page() -> tuple[str, int]:
    signed_in_administrator()
    return render_template("audit.html", values={}, errors={}), 200


@blueprint.get("/audit/export")
@sign_in_required
def export() -> Response | tuple[str, int]:
    user = signed_in_administrator()
    errors: dict[str, str] = {}
    first = _day("from", "first day", errors)
    last = _day("to", "last day", errors)
    output = request.args.get("format", "csv")
    if output not in FORMATS:
        errors["format"] = "Choose CSV or JSON"
    if first and last and last < first:
        errors["to"] = "The last day must be the same as or after the first day"
    if errors or first is None or last is None:
        return render_template("audit.html", values=request.args, errors=errors), 400
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
