"""The page where the council's staff say what one report counts for in the threshold."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.work.case_sections import incidents
from engine.work.report_marks import COUNTS, LONGEST_REASON, mark_report, report_to_mark
from web.context import db, sentence, sign_in_required, signed_in_user

blueprint = Blueprint("report_marks", __name__)

FIELDS = ("mark", "duplicate_of", "why")


@blueprint.get("/cases/<reference>/reports/<int:incident_id>")
@sign_in_required
def show(reference: str, incident_id: int) -> str | Response:
    return _page(reference, incident_id, None, {})


@blueprint.post("/cases/<reference>/reports/<int:incident_id>")
@sign_in_required
def mark(reference: str, incident_id: int) -> str | Response | tuple[str | Response, int]:
    answers = {field: request.form.get(field, "") for field in FIELDS}
    try:
        with db().transaction() as s:
            mark_report(s, signed_in_user(), reference, incident_id, answers)
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except Conflict as refused:
        flash(sentence(refused), "error")
        return redirect(url_for("cases.show", reference=reference, _anchor="incidents"))
    except InvalidData as refused:
        return _page(reference, incident_id, answers, refused.fields), 400
    flash("What the report counts for is recorded, and the threshold count follows it")
    return redirect(url_for("cases.show", reference=reference, _anchor="incidents"))


def _page(
    reference: str,
    incident_id: int,
    answers: Mapping[str, str] | None,
    errors: Mapping[str, str],
) -> str | Response:
    with db().transaction() as s:
        try:
            report = report_to_mark(s, signed_in_user(), reference, incident_id)
        except NotFound:
            abort(404)
        except NotAllowed:
            abort(403)
        except Conflict as refused:
            flash(sentence(refused), "error")
            return redirect(url_for("cases.show", reference=reference, _anchor="incidents"))
        rows = incidents(s, report.case)
        shown = next(row for row in rows if row["id"] == report.id)
        others = [row for row in rows if row["id"] != report.id and row["mark"] != "unrelated"]
        given = answers or {
            "mark": report.mark or COUNTS,
            "duplicate_of": str(report.duplicate_of_id or ""),
            "why": report.mark_reason,
        }
    return render_template(
        "report_mark.html",
        reference=reference,
        incident_id=incident_id,
        report=shown,
        others=others,
        answers=given,
        errors=errors,
        error_list=[
            {"text": errors[field], "href": f"#{field}"} for field in FIELDS if field in errors
        ],
        longest_reason=LONGEST_REASON,
    )
