"""The applicant's part in their review, on their own pages: how they want to take part in
the meeting, and their views on the draft action plan. Each answer that needs correcting is
listed at the top of the page with what they typed kept; another case is "Page not found"."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.applicant.your_part import (
    PART_FIELDS,
    YourPart,
    choose_part,
    give_views,
    your_part,
)
from engine.core.errors import InvalidData, NotFound
from engine.review.applicant_part import CHOICES
from web.context import current_applicant, db

blueprint = Blueprint("your_part", __name__)

Page = str | tuple[str, int] | Response


def _part(reference: str, purpose: str) -> YourPart:
    access = current_applicant()
    if access is None:
        abort(404)
    try:
        with db().transaction() as s:
            return your_part(s, access, reference, purpose=purpose)
    except NotFound:
        abort(404)


def _errors(errors: Mapping[str, str], fields: tuple[str, ...], whole: str) -> list[dict]:
    return [
        {"text": message, "href": f"#{field if field in fields else whole}"}
        for field, message in errors.items()
    ]


def _meeting_page(
    part: YourPart, answers: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "your_case/meeting.html",
        part=part,
        choices=CHOICES,
        answers=answers,
        errors=errors,
        error_list=_errors(errors, PART_FIELDS, "choice"),
    )
    return page, status


@blueprint.route("/your-case/<reference>/meeting", methods=["GET", "POST"])
def meeting(reference: str) -> Page:
    """How the applicant wants to take part in the review meeting."""
    access = current_applicant()
    if access is None:
        return redirect(url_for("your_case.start"))
    if request.method == "GET":
        part = _part(reference, "their part")
        chosen = part.part
        answers = {
            "choice": chosen.choice,
            "advocate_name": chosen.advocate_name,
            "advocate_relationship": chosen.advocate_relationship,
            "statement": chosen.statement,
            "needs": chosen.needs,
        }
        return _meeting_page(part, answers, {})
    answers = {field: request.form.get(field, "") for field in PART_FIELDS}
    try:
        with db().transaction() as s:
            choose_part(s, access, reference, answers)
    except NotFound:
        abort(404)
    except InvalidData as refused:
        return _meeting_page(_part(reference, "their part"), answers, refused.fields, 400)
    flash("Thank you: we have told the chair of your review how you want to take part.")
    return redirect(url_for("your_case.case_page", reference=reference))


@blueprint.route("/your-case/<reference>/draft-plan", methods=["GET", "POST"])
def draft_plan(reference: str) -> Page:
    """The draft action plan, and the applicant's views on it while it waits for them."""
    access = current_applicant()
    if access is None:
        return redirect(url_for("your_case.start"))
    if request.method == "GET":
        return _plan_page(_part(reference, "the draft plan"), {}, {})
    answers = {"views": request.form.get("views", "")}
    try:
        with db().transaction() as s:
            give_views(s, access, reference, answers["views"])
    except NotFound:
        abort(404)
    except InvalidData as refused:
        return _plan_page(_part(reference, "the draft plan"), answers, refused.fields, 400)
    flash("Thank you: your views have gone to the chair of your review.")
    return redirect(url_for("your_case.case_page", reference=reference))


def _plan_page(
    part: YourPart, answers: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> tuple[str, int]:
    page = render_template(
        "your_case/draft_plan.html",
        part=part,
        answers=answers,
        errors=errors,
        error_list=_errors(errors, ("views",), "plan-closed"),
    )
    return page, status
