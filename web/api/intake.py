"""Applications (anyone may send one), appeals lodged for the applicant, and the figures."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from engine.cases.statistics import as_json, figures_for_year, financial_year_of
from engine.core import clock
from engine.core.errors import InvalidData
from engine.core.models import Case
from engine.intake.appeals import lodge_for_applicant
from engine.intake.applications import check_application, submit_application
from web.api import blueprint
from web.api.common import answer, json_body, optional_user, signed_in
from web.context import db, settings, whole_number

# How the API names the ways letters reach an applicant, and the application form's names.
CONTACT_PREFERENCES = {"email": "email", "post": "letter"}
FIRST_YEAR = 2014  # the Act's case review provisions came into force in October 2014


def _application(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The API's application as the engine's form has it: the applicant's contact preference
    travels inside ``applicant`` here, beside the rest of their contact details."""
    payload = dict(body)
    applicant = payload.get("applicant")
    if not isinstance(applicant, dict) or "contact_preference" not in applicant:
        return payload, {}
    applicant = dict(applicant)
    preference = applicant.pop("contact_preference")
    payload["applicant"] = applicant
    if not isinstance(preference, str) or preference not in CONTACT_PREFERENCES:
        return payload, {"applicant.contact_preference": "Choose one of: email, post"}
    payload["contact_preference"] = CONTACT_PREFERENCES[preference]
    return payload, {}


@blueprint.post("/applications")
def apply() -> Response:
    """A public application; a council caseworker's token may add ``received_on`` (paper)."""
    user = optional_user()
    payload, problems = _application(json_body())
    with db().transaction() as s:
        if problems:
            # Say everything that needs correcting at once, as the engine does.
            problems = {**check_application(s, payload, settings(), user), **problems}
            raise InvalidData("The application needs correcting", problems)
        case = submit_application(s, payload, settings(), user=user)
        reference, status = case.reference, case.status
    return answer({"reference": reference, "status": status}, 201)


@blueprint.post("/appeals")
def appeal() -> Response:
    """An appeal lodged for the applicant by the council managing their review (applicants
    appeal from their own pages)."""
    user = signed_in()
    with db().transaction() as s:
        lodged = lodge_for_applicant(s, json_body(), settings(), user=user)
        case = s.get_one(Case, lodged.case_id)
        reference, status = case.reference, case.status
    return answer({"reference": reference, "status": status}, 201)


@blueprint.get("/statistics")
def statistics() -> Response:
    latest = financial_year_of(clock.today())
    text = request.args.get("year", str(latest))
    year = whole_number(text, digits=4)
    if year is None or not FIRST_YEAR <= year <= latest:
        raise InvalidData(
            "Ask for a financial year the figures exist for",
            {"year": f"Give the year a financial year starts in, from {FIRST_YEAR} to {latest}"},
        )
    with db().read() as s:
        return answer(as_json(figures_for_year(s, year)))
