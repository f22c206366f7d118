"""Applications (anyone may send one), appeals lodged for the applicant, and the figures."""

from __future__ import annotations

from typing import Any

from flask import Response, request
from sqlalchemy.orm import Session

from engine.applicant.appeals import appeal_from_applicant
from engine.cases.statistics import FIRST_YEAR, as_json, figures_for_year, financial_year_of
from engine.core import clock
from engine.core.errors import InvalidData
from engine.core.models import Appeal, Case
from engine.intake.appeals import lodge_for_applicant
from engine.intake.applications import check_application, submit_application
from engine.intake.submission_limit import count_submission
from web.api import blueprint
from web.api.common import answer, json_body, optional_user, signed_in
from web.context import api_applicant, db, settings, whole_number

# How the API names the ways letters reach an applicant, and the application form's names.
CONTACT_PREFERENCES = {"email": "email", "post": "letter"}


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
        if user is None:
            count_submission(s, request.remote_addr or "", settings())
        if problems:
            # Say everything that needs correcting at once, as the engine does.
            problems = {**check_application(s, payload, settings(), user), **problems}
            raise InvalidData("The application needs correcting", problems)
        case = submit_application(s, payload, settings(), user=user)
        reference, status = case.reference, case.status
    return answer({"reference": reference, "status": status}, 201)


@blueprint.post("/appeals")
def appeal() -> Response:
    """The applicant's appeal, with their token; or one lodged for them by the council managing
    their review. A case the caller does not reach answers 404, as one that does not exist."""
    applicant = api_applicant()
    if applicant is None:
        user = signed_in()
        with db().transaction() as s:
            return _lodged(s, lodge_for_applicant(s, json_body(), settings(), user=user))
    body = json_body()
    reference = body.get("case_reference")
    answers = _applicant_appeal(body)
    with db().transaction() as s:
        count_submission(s, request.remote_addr or "", settings())
        reference = reference if isinstance(reference, str) else ""
        return _lodged(s, appeal_from_applicant(s, applicant, reference, answers, settings()))


def _lodged(session: Session, appeal: Appeal) -> Response:
    case = session.get_one(Case, appeal.case_id)
    return answer({"reference": case.reference, "status": case.status}, 201)


def _applicant_appeal(body: dict[str, Any]) -> dict[str, Any]:
    """The applicant's grounds and details; the letter is their latest with an appeal route,
    so they name no date."""
    grounds, details = body.get("grounds", []), body.get("details", "")
    problems = {}
    if not isinstance(grounds, list) or not all(isinstance(g, str) for g in grounds):
        problems["grounds"] = "Send the grounds as a list of their names"
    if not isinstance(details, str):
        problems["details"] = "Send the details as text"
    extra = sorted(set(body) - {"case_reference", "grounds", "details"})
    for name in extra:
        problems[name] = "An applicant's appeal is against their latest letter: leave this out"
    if problems:
        raise InvalidData("The appeal needs correcting", problems)
    return {"grounds": grounds, "details": details}


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
