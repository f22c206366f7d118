"""Pages anyone can use without signing in: apply, where to appeal, and the published
figures."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response

from engine.cases.statistics import (
    FIRST_YEAR,
    figures_for_year,
    financial_year_bounds,
    financial_year_of,
    table_rows,
    year_label,
)
from engine.cases.statistics_notes import may_write_notes
from engine.core import clock
from engine.core.area import current_settings
from engine.core.errors import InvalidData, ProcessFailed, TooManySubmissions
from engine.core.forms import load_form
from engine.core.models import District
from engine.intake.applications import submit_application, who_reports_can_go_to
from engine.intake.submission_limit import count_submission
from engine.review.oversight import overseen_districts
from web.context import current_user, db, kept, settings
from web.form_lists import apply_list_action, list_focus
from web.schema_forms import SchemaForm, error_summary

blueprint = Blueprint("public", __name__)
CANNOT_TAKE = (
    "Sorry, the service cannot take this at the moment, and nothing has been sent. Your answers "
    "are below: please try again later, or contact your council."
)


def _application_form() -> SchemaForm:
    with db().read() as s:
        districts = [(d.key, d.name) for d in s.scalars(select(District).order_by(District.name))]
        told = who_reports_can_go_to(s)
    return SchemaForm(
        load_form(settings().forms_dir, "application"),
        choices={
            "district": districts,
            "incidents[].reported_to": told,
            "contact_preference": [
                ("email", "By email"),
                ("phone", "By phone"),
                ("letter", "By letter"),
            ],
        },
        omit=frozenset({"received_on"}),
    )


def _form_page(
    template: str,
    form: SchemaForm,
    data: dict[str, Any],
    errors: dict[str, str],
    status: int,
    focus: str = "",
) -> tuple[str, int]:
    fields = form.fields(data, errors)
    return (
        render_template(
            template,
            form=form,
            fields=fields,
            error_list=error_summary(fields, errors),
            focus=focus,
        ),
        status,
    )


def too_many(page: tuple[str, int], refused: TooManySubmissions) -> tuple[str, int, dict[str, str]]:
    """A page refusing what was sent for now, saying when it may be sent again."""
    return (*page, {"Retry-After": str(refused.retry_after)})


def _cannot_take(
    template: str, form: SchemaForm, data: dict[str, Any], failed: ProcessFailed
) -> tuple[str, int]:
    """The service cannot start what was sent (its processes are not set up): nothing is
    stored, and the answers stay on the page for the person to send again later."""
    current_app.logger.error("a public submission could not start its process: %s", failed)
    return _form_page(template, form, data, {"": CANNOT_TAKE}, 503)


@blueprint.route("/apply", methods=["GET", "POST"])
def apply() -> tuple[str, int] | tuple[str, int, dict[str, str]] | Response:
    form = _application_form()
    if request.method == "GET":
        return _form_page("apply.html", form, {}, {}, 200)
    data = form.read(request.form)
    action = request.form.get("action", "submit")
    if apply_list_action(data, action):
        return _form_page("apply.html", form, data, {}, 200, focus=list_focus(form, data, action))
    data.setdefault("on_behalf", False)
    try:
        with db().transaction() as s:
            count_submission(s, request.remote_addr or "", settings())
            case = submit_application(s, data, settings(), user=None)
            submitted = {
                "kind": "application",
                "reference": case.reference,
                "status": case.status,
                # What the confirmation says next depends on these.
                "on_behalf": case.on_behalf,
                "victim_consent": case.victim_consent,
                "hate_element": case.hate_element,
            }
    except InvalidData as refused:
        return _form_page("apply.html", form, data, refused.fields, 400)
    except TooManySubmissions as refused:
        return too_many(_form_page("apply.html", form, data, {"": kept(refused)}, 429), refused)
    except ProcessFailed as failed:
        return _cannot_take("apply.html", form, data, failed)
    session["submitted"] = submitted
    return redirect(url_for("public.submitted"))


@blueprint.route("/appeal", methods=["GET", "POST"])
def appeal() -> str:
    """Appeals are made from the applicant's own pages, against the letter they were sent,
    so this page says where: a form posted here from before lodges nothing."""
    return render_template("appeal.html")


@blueprint.get("/submitted")
def submitted() -> str | Response:
    """The confirmation, read once from the session so a refresh does not submit again."""
    confirmation = session.get("submitted")
    if not confirmation:
        return redirect(url_for("public.apply"))
    with db().read() as s:
        timescales = current_settings(s)["timescales"]
    return render_template("submitted.html", confirmation=confirmation, timescales=timescales)


@blueprint.get("/statistics")
def statistics() -> str:
    latest = financial_year_of(clock.today())
    try:
        year = int(request.args.get("year", latest))
    except ValueError:
        year = latest
    year = min(max(year, FIRST_YEAR), latest)
    user = current_user()
    with db().read() as s:
        figures = figures_for_year(s, year)
        districts = s.scalars(select(District).order_by(District.position)).all()
        # The districts whose notes this person writes: their council's, if they work there.
        writes_for = [
            (d.key, d.name) for d in districts if user is not None and may_write_notes(user, d)
        ]
        oversees = user is not None and bool(overseen_districts(s, user))
    rows = table_rows(figures)
    return render_template(
        "statistics.html",
        figures=figures,
        header=rows[0],
        rows=rows[1:],
        years=[(y, year_label(y)) for y in range(latest, FIRST_YEAR - 1, -1)],
        year=year,
        signed_in=user is not None,
        writes_for=writes_for,
        oversees=oversees,
        year_ends=financial_year_bounds(year)[1].isoformat(),
    )
