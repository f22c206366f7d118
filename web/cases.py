"""The case page: everything this agency may see about one case, and its process diagram."""

from __future__ import annotations

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, url_for

from engine.case_view import case_summary
from engine.diagrams import process_diagram
from engine.errors import NotFound
from web.context import current_user, db, sign_in_required

blueprint = Blueprint("cases", __name__)


@blueprint.get("/cases")
@sign_in_required
def find() -> Response:
    """Go straight to a case by its reference (the inbox's search box)."""
    reference = request.args.get("reference", "").strip().upper()
    if not reference:
        return redirect(url_for("inbox.index"))
    return redirect(url_for("cases.show", reference=reference))


@blueprint.get("/cases/<reference>")
@sign_in_required
def show(reference: str) -> str:
    with db().transaction() as s:
        try:
            case = case_summary(s, current_user(), reference, purpose="case page")
        except NotFound:
            abort(404)
    return render_template("case.html", case=case)


@blueprint.get("/cases/<reference>/processes/<int:instance_id>/diagram.json")
@sign_in_required
def diagram(reference: str, instance_id: int) -> Response:
    with db().read() as s:
        try:
            drawn = process_diagram(s, current_user(), reference, instance_id)
        except NotFound:
            abort(404)
    response = jsonify(
        name=drawn.name,
        version=drawn.version,
        xml=drawn.bpmn_xml,
        completed=drawn.completed,
        active=drawn.active,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
