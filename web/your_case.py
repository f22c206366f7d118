"""The applicant's own pages, with no password: signing in with the code on a letter or the
link in an email, their case as they may see it, its letters, and their appeal.

Signing in with a code starts a new session holding only the ids of the cases the applicant's
codes opened, as staff sign-in starts a new one holding only the user's id, so the two never
mix. A case the applicant did not open answers 404, like one that does not exist, and every
refusal of a code reads the same, so no page tells whether a case, an email address or a
postcode exists.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.wrappers import Response

from engine import documents
from engine.applicant.appeals import appeal_from_applicant
from engine.applicant.links import ask_for_link
from engine.applicant.your_case import YourCase, appeal_files, applicant_letter, your_case
from engine.core.errors import (
    InvalidData,
    NotFound,
    ProcessFailed,
    TooManyAttempts,
    TooManySubmissions,
)
from engine.core.form_wording import EMAIL_MESSAGE
from engine.core.forms import is_email_address
from engine.core.models import ApplicantCode, Case
from engine.intake.submission_limit import count_submission
from engine.people.applicant_codes import NOT_RIGHT, redeem_email_link, redeem_letter_code
from engine.people.sign_in import SignInPolicy
from engine.records.attachments import MOST_APPEAL_FILES, Upload
from engine.records.file_types import MAX_BYTES
from engine.review.appeal_rules import ground_sentence
from web.context import (
    APPLICANT_CASES,
    APPLICANT_REFERENCES,
    current_applicant,
    db,
    kept,
    settings,
)
from web.documents import deliver, requested_format

blueprint = Blueprint("your_case", __name__)

Page = str | tuple[str, int] | tuple[str, int, dict[str, str]] | Response

# Each form's fields on the start page, by their ids (the page has two forms, so each id
# says which), with what to say when one is left empty.
CODE_FIELDS = {
    "code-reference": "Enter your case reference",
    "code": "Enter the access code from your letter",
    "postcode": "Enter your postcode",
}
LINK_FIELDS = {
    "link-reference": "Enter your case reference",
    "email": "Enter the email address you gave when you applied",
}
APPEAL_FIELDS = ("grounds", "details", "files")
# The appeal form carries up to MOST_APPEAL_FILES files of up to MAX_BYTES each, beside what
# was typed: more than the app's limit for a request, which is set for one file.
APPEAL_REQUEST_BYTES = MOST_APPEAL_FILES * MAX_BYTES + 1024 * 1024
CANNOT_TAKE_APPEAL = (
    "Sorry, the service cannot take your appeal at the moment, and nothing has been sent. "
    "Your answers are below: please try again later, or contact the council."
)


@blueprint.url_value_preprocessor
def _room_for_appeal_files(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Before any before_request function: the CSRF check reads the form, and with it the body.
    if endpoint == "your_case.appeal":
        request.max_content_length = APPEAL_REQUEST_BYTES


# Signing in


def _start_page(
    answers: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> tuple[str, int, dict[str, str]]:
    order = [*CODE_FIELDS, *LINK_FIELDS]
    error_list = [
        {"text": errors[field], "href": f"#{field}"} for field in order if field in errors
    ]
    page = render_template(
        "your_case/start.html",
        answers=answers,
        errors=errors,
        error_list=error_list,
        following=session.get(APPLICANT_REFERENCES, []) if current_applicant() else [],
    )
    return page, status, dict(headers or {})


def _answers(fields: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """What was typed in a form's fields, and a problem for each left empty."""
    answers = {field: request.form.get(field, "").strip() for field in fields}
    return answers, {field: message for field, message in fields.items() if not answers[field]}


def _policy() -> SignInPolicy:
    return SignInPolicy.from_settings(settings())


@blueprint.get("/your-case")
def start() -> Page:
    """Follow your case review: the two ways in, and the cases already followed."""
    return _start_page({}, {})


@blueprint.post("/your-case/code")
def letter_code() -> Page:
    """Sign in with the reference, the code printed on a letter, and the postcode."""
    answers, errors = _answers(CODE_FIELDS)
    if errors:
        return _start_page(answers, errors, 400)
    try:
        used = redeem_letter_code(
            db(),
            answers["code-reference"],
            answers["code"],
            answers["postcode"],
            address=request.remote_addr or "",
            policy=_policy(),
        )
    except TooManyAttempts as refused:
        retry = {"Retry-After": str(refused.retry_after)}
        return _start_page(answers, {"code": str(refused)}, 429, retry)
    except InvalidData:
        return _start_page(answers, {"code": NOT_RIGHT}, 400)
    return _signed_in(used)


@blueprint.post("/your-case/link")
def new_link() -> Page:
    """Ask for a new sign-in link: the answer is the same whether or not anything matched."""
    answers, errors = _answers(LINK_FIELDS)
    if answers["email"] and not is_email_address(answers["email"]):
        errors["email"] = EMAIL_MESSAGE
    if errors:
        return _start_page(answers, errors, 400)
    with db().transaction() as s:
        ask_for_link(s, answers["link-reference"], answers["email"])
    return render_template("your_case/link_sent.html")


@blueprint.get("/your-case/sign-in/<token>")
def email_link(token: str) -> Page:
    """The link in the email leads to a button, so that a mail scanner opening the link
    does not use it up: only the button's form signs in."""
    return render_template("your_case/continue.html", token=token)


@blueprint.post("/your-case/sign-in/<token>")
def use_email_link(token: str) -> Page:
    try:
        used = redeem_email_link(db(), token, address=request.remote_addr or "", policy=_policy())
    except TooManyAttempts as refused:
        page = render_template(
            "your_case/continue.html", token=token, error=str(refused), locked=True
        )
        return page, 429, {"Retry-After": str(refused.retry_after)}
    except InvalidData:
        return render_template("your_case/continue.html", token=token, error=NOT_RIGHT), 400
    return _signed_in(used)


def _signed_in(used: ApplicantCode) -> Response:
    """A new session, so a cookie planted before signing in is worth nothing, holding the
    cases this browser's codes have opened: the one just opened, and any opened before."""
    with db().read() as s:
        reference = s.get_one(Case, used.case_id).reference
    before = current_applicant()
    case_ids = set(before.case_ids) if before else set()
    references = set(session.get(APPLICANT_REFERENCES, [])) if before else set()
    session.clear()
    session.permanent = True
    session[APPLICANT_CASES] = sorted(case_ids | {used.case_id})
    session[APPLICANT_REFERENCES] = sorted(references | {reference})
    session["since"] = time.time()
    return redirect(url_for("your_case.case_page", reference=reference))


@blueprint.post("/your-case/sign-out")
def sign_out() -> Response:
    """End the applicant's session; a member of staff's is theirs to end on its own page."""
    if current_applicant() is not None:
        session.clear()
        flash("You have signed out. To follow your case again, use a new link or code.")
    return redirect(url_for("your_case.start"))


# The case


def _case(reference: str) -> YourCase:
    """The applicant's case with this reference (an audited look); 404 for any other."""
    access = current_applicant()
    if access is None:
        abort(404)
    try:
        with db().transaction() as s:
            return your_case(s, access, reference)
    except NotFound:
        abort(404)


@blueprint.get("/your-case/<reference>")
def case_page(reference: str) -> Page:
    if current_applicant() is None:
        return redirect(url_for("your_case.start"))
    return render_template("your_case/case.html", case=_case(reference))


@blueprint.get("/your-case/<reference>/letters/<int:document_id>")
def letter(reference: str, document_id: int) -> Response | tuple[str, int]:
    """A letter sent to the applicant, to save and read again."""
    access = current_applicant()
    if access is None:
        return redirect(url_for("your_case.start"))
    # A PDF opens on any phone or computer; the page offers the Word file only when the PDF
    # cannot be made.
    to = requested_format(default=documents.PDF)
    return deliver(lambda s, _user: applicant_letter(s, access, reference, document_id), to)


# The appeal


def _appeal_page(
    case: YourCase,
    answers: Mapping[str, Any],
    errors: Mapping[str, str],
    status: int = 200,
    *,
    files_chosen: bool = False,
) -> tuple[str, int]:
    # A refusal for no field of the form (the time to appeal is over, say) links to where
    # the page tells it; each file refused (files, files:2, ...) links to the file field.
    whole = "grounds" if case.appeal.open else "appeal-closed"
    # In the page's order, as the summary lists them.
    ordered = sorted(errors.items(), key=lambda item: _page_order(item[0], APPEAL_FIELDS))
    error_list = [
        {"text": message, "href": f"#{_field_of(field, whole)}"} for field, message in ordered
    ]
    page = render_template(
        "your_case/appeal.html",
        case=case,
        grounds=[(ground, ground_sentence(ground)) for ground in case.appeal.grounds],
        answers=answers,
        errors=errors,
        file_errors=[message for field, message in errors.items() if field.startswith("files")],
        files_chosen=files_chosen,
        most_files=MOST_APPEAL_FILES,
        error_list=error_list,
    )
    return page, status


def _page_order(field: str, fields: tuple[str, ...]) -> int:
    name = field.split(":")[0]
    return fields.index(name) if name in fields else len(fields)


def _field_of(field: str, whole: str) -> str:
    name = field.split(":")[0]
    return name if name in APPEAL_FIELDS else whole


def _uploads() -> list[Upload]:
    """The files chosen; a browser sends an empty part when none is."""
    return [
        Upload(upload.filename or "", upload.read())
        for upload in request.files.getlist("files")
        if upload.filename
    ]


@blueprint.route("/your-case/<reference>/appeal", methods=["GET", "POST"])
def appeal(reference: str) -> Page:
    """The applicant's appeal to the OPCC against their latest letter with an appeal route."""
    access = current_applicant()
    if access is None:
        return redirect(url_for("your_case.start"))
    if request.method == "GET":
        return _appeal_page(_case(reference), {}, {})
    answers = {
        "grounds": request.form.getlist("grounds"),
        "details": request.form.get("details", ""),
    }
    files = _uploads()
    # A browser cannot be given back the files it sent: a page shown again says so.
    chosen = bool(files)
    try:
        with db().transaction() as s:
            count_submission(s, request.remote_addr or "", settings())
            lodged = appeal_from_applicant(s, access, reference, answers, settings(), files)
            received_on = lodged.received_on
            reference = s.get_one(Case, lodged.case_id).reference
            sent_files = list(appeal_files(s, lodged.case_id))
    except NotFound:
        abort(404)
    except InvalidData as refused:
        return _appeal_page(_case(reference), answers, refused.fields, 400, files_chosen=chosen)
    except TooManySubmissions as refused:
        page = _appeal_page(
            _case(reference), answers, {"": kept(refused)}, 429, files_chosen=chosen
        )
        return page[0], 429, {"Retry-After": str(refused.retry_after)}
    except ProcessFailed as failed:
        current_app.logger.error("an applicant's appeal could not start its process: %s", failed)
        return _appeal_page(
            _case(reference), answers, {"": CANNOT_TAKE_APPEAL}, 503, files_chosen=chosen
        )
    session["submitted"] = {
        "kind": "appeal",
        "reference": reference,
        "received_on": received_on.isoformat(),
        "files": sent_files,
    }
    return redirect(url_for("your_case.appeal_sent", reference=reference))


@blueprint.get("/your-case/<reference>/appeal/sent")
def appeal_sent(reference: str) -> Page:
    """The confirmation, read from the session, so a refresh does not send the appeal again;
    there is none for an appeal this browser did not send."""
    if current_applicant() is None:
        return redirect(url_for("your_case.start"))
    confirmation = session.get("submitted")
    if not confirmation or confirmation.get("reference") != reference:
        abort(404)
    return render_template("submitted.html", confirmation=confirmation)
