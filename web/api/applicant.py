"""The applicant's side of the API: a short-lived token for one of their one-time codes, and
their case as their own pages show it. The token reaches their one case; every other route
answers it as it answers someone with no token. Every refusal of a code reads the same, so
none tells whether a case, a postcode or a link exists."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, request
from werkzeug.exceptions import Unauthorized

from engine.applicant.your_case import your_case
from engine.core.errors import InvalidData
from engine.core.models import ApplicantCode, Case
from engine.people.applicant_codes import (
    NOT_RIGHT,
    ApplicantAccess,
    redeem_email_link,
    redeem_letter_code,
)
from engine.people.applicant_tokens import APPLICANT_TOKEN_LIFETIME, issue_applicant_token
from engine.people.sign_in import SignInPolicy
from web.api import blueprint
from web.api.common import answer, json_body
from web.context import api_applicant, db, settings

SEND_A_CODE = "Send the link from your email, or the reference, code and postcode from a letter"
# An unknown token on an applicant's route is told how to get one.
NO_APPLICANT_TOKEN = (
    "Send a valid token: Authorization: Bearer <token> from POST /api/v1/applicant/token"
)


@blueprint.post("/applicant/token")
def applicant_token() -> Response:
    """A token for the applicant's case, for a one-time code (then used up)."""
    used = _redeemed(json_body())
    with db().transaction() as s:
        token, reference = issue_applicant_token(s, used)
    return answer(
        {
            "token": token,
            "token_type": "Bearer",
            "expires_in": int(APPLICANT_TOKEN_LIFETIME.total_seconds()),
            "reference": reference,
        }
    )


def _redeemed(body: dict[str, Any]) -> ApplicantCode:
    link = _text(body.get("link"))
    letter = {name: _text(body.get(name)) for name in ("reference", "code", "postcode")}
    address = request.remote_addr or ""
    policy = SignInPolicy.from_settings(settings())
    try:
        if link:
            # The whole link as emailed, or the part after /your-case/sign-in/.
            token = link.split("/your-case/sign-in/")[-1].strip("/ ")
            return redeem_email_link(db(), token, address=address, policy=policy)
        if all(letter.values()):
            return redeem_letter_code(
                db(),
                letter["reference"],
                letter["code"],
                letter["postcode"],
                address=address,
                policy=policy,
            )
    except InvalidData:
        raise Unauthorized(NOT_RIGHT) from None
    problems = {"link": SEND_A_CODE} | {
        name: SEND_A_CODE for name, text in letter.items() if not text
    }
    raise InvalidData(SEND_A_CODE, problems)


def signed_in_applicant() -> ApplicantAccess:
    """The applicant calling, from their token; 401 without a valid one."""
    access = api_applicant()
    if access is None:
        raise Unauthorized(NO_APPLICANT_TOKEN)
    return access


@blueprint.get("/applicant/case")
def applicant_case() -> Response:
    """The applicant's case as their own pages show it (each look in its audit trail)."""
    access = signed_in_applicant()
    with db().transaction() as s:
        (case_id,) = access.case_ids
        summary = your_case(s, access, s.get_one(Case, case_id).reference)
    return answer(asdict(summary))


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""
