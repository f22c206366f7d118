"""How the procedure runs, for process owners and managers: a process's diagram coloured by how
late each step runs, with the same figures in a table (``engine.work.step_timings``).

The table is the page; the drawing (bpmn-js, ``static/step_timings.js``) repeats it on the
diagram, so nothing depends on the script.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, abort, render_template, request

from engine.core.errors import NotFound
from engine.core.form_wording import date_problem
from engine.core.forms import iso_date
from engine.work.step_timings import BANDS, StepTimings, may_see_step_timings, step_timings
from web.context import current_user, db, sign_in_required
from web.dates import boxes_in_error, date_answer

blueprint = Blueprint("step_timings", __name__)
DAYS = (("from", "first day"), ("to", "last day"))


def _day(name: str, label: str, values: dict[str, str], errors: dict[str, str]) -> date | None:
    """The day typed in the three boxes of ``name`` (or given whole in the address), if any."""
    text = values[name] = date_answer(request.args, name)
    if not text:
        return None
    day = iso_date(text)
    if day is None:
        errors[name] = f"The {label} {date_problem(text)[0]}"
    return day


def _marks(timings: StepTimings) -> list[dict[str, Any]]:
    """Each step's band and figures, for the script to draw on the diagram."""
    return [
        {
            "id": step.element_id,
            "band": step.band.key,
            "label": step.band.name,
            "on_time": step.on_time_percent,
            "median": step.median_days,
            "waiting": step.waiting,
            "overdue": step.overdue,
        }
        for step in timings.steps
        if not step.elsewhere
    ]


@blueprint.get("/step-timings")
@sign_in_required
def page() -> tuple[str, int]:
    user = current_user()
    if not may_see_step_timings(user):
        # The procedure's figures name no case: refusing them discloses nothing.
        abort(403)
    values: dict[str, str] = {}
    errors: dict[str, str] = {}
    first = _day("from", "first day", values, errors)
    last = _day("to", "last day", values, errors)
    key = request.args.get("process") or None
    version = request.args.get("version", type=int)
    try:
        with db().read() as s:
            # With a date that is not one, the form is shown again with the error, and the
            # figures of no period.
            timings = step_timings(
                s,
                user,
                key,
                version=version,
                first_day=None if errors else first,
                last_day=None if errors else last,
            )
    except NotFound:
        abort(404)
    if timings is not None and not errors:
        values["from"] = values["from"] or timings.first_day.isoformat()
        values["to"] = values["to"] or timings.last_day.isoformat()
    date_errors = {
        name: boxes_in_error(values.get(name)) for name, _label in DAYS if name in errors
    }
    return render_template(
        "step_timings.html",
        timings=timings,
        figures=timings is not None and not errors,
        marks=_marks(timings) if timings else [],
        bands=BANDS,
        values=values,
        errors=errors,
        date_errors=date_errors,
    ), (400 if errors else 200)
