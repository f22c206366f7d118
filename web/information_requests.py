"""Information from other public bodies: the council asks one for information on a case, the
body answers from its emailed single-use link (no sign-in) or, when its staff use the
service, signed in; administrators keep the list of bodies."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.core.errors import Conflict, InvalidData, NotAllowed, NotFound
from engine.records.answer_files import (
    MOST_ANSWER_FILES,
    answer_as_body_with_files,
    answer_by_link_with_files,
)
from engine.records.attachments import Upload
from engine.records.file_types import MAX_BYTES
from engine.review.information_requests import (
    DEFAULT_LEGAL_BASIS,
    bodies_to_ask,
    default_days,
    information_on_case,
    request_for_link,
    request_for_my_body,
    requests_for_my_body,
    send_information_request,
)
from engine.review.public_bodies import add_public_body, public_bodies
from web.context import db, sign_in_required, signed_in_administrator, signed_in_user

blueprint = Blueprint("information_requests", __name__)

REQUEST_FIELDS = ("body", "asked", "legal_basis", "days")
BODY_FIELDS = ("name", "email", "phone")

Page = str | tuple[str, int]


# An answer carries up to MOST_ANSWER_FILES files of up to MAX_BYTES each, beside what was
# typed: more than the app's limit for a request, which is set for one file.
ANSWER_REQUEST_BYTES = MOST_ANSWER_FILES * MAX_BYTES + 1024 * 1024
ANSWERS = ("information_requests.answer_link", "information_requests.answer_mine")


@blueprint.url_value_preprocessor
def _room_for_answer_files(endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Before any before_request function: the CSRF check reads the form, and with it the body.
    if endpoint in ANSWERS:
        request.max_content_length = ANSWER_REQUEST_BYTES


def _errors(fields: tuple[str, ...], errors: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"text": errors[f], "href": f"#{f}"} for f in fields if f in errors]


def _answer_errors(errors: Mapping[str, str]) -> list[dict[str, str]]:
    """The answer's problems, then each file's (files, files:2, ...), all linking to the file
    field."""
    listed = _errors(("answer",), errors)
    return listed + [
        {"text": text, "href": "#files"} for field, text in errors.items() if field != "answer"
    ]


def _uploads() -> list[Upload]:
    """The files chosen; a browser sends an empty part when none is."""
    return [
        Upload(upload.filename or "", upload.read())
        for upload in request.files.getlist("files")
        if upload.filename
    ]


def _answer_page(
    shown: Any,
    action: str,
    answers: Mapping[str, str],
    errors: Mapping[str, str],
    status: int,
    files_chosen: bool,
) -> Page:
    page = render_template(
        "information_requests/answer.html",
        shown=shown,
        action=action,
        answers=answers,
        errors=errors,
        error_list=_answer_errors(errors),
        file_errors=[text for field, text in errors.items() if field.startswith("files")],
        files_chosen=files_chosen,
        most_files=MOST_ANSWER_FILES,
    )
    return page, status


# The council asks a body


def _ask_page(
    reference: str, answers: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> Page:
    user = signed_in_user()
    with db().read() as s:
        try:
            shown = information_on_case(s, user, reference)
        except NotFound:
            abort(404)
        if not shown["may_ask"]:
            abort(403)
        bodies = bodies_to_ask(s)
        days = default_days(s)
    page = render_template(
        "information_requests/ask.html",
        reference=reference,
        bodies=bodies,
        answers={"legal_basis": DEFAULT_LEGAL_BASIS, "days": str(days), **answers},
        errors=errors,
        error_list=_errors(REQUEST_FIELDS, errors),
    )
    return page, status


@blueprint.get("/cases/<reference>/information-requests/new")
@sign_in_required
def ask(reference: str) -> Page:
    return _ask_page(reference, {}, {})


@blueprint.post("/cases/<reference>/information-requests/new")
@sign_in_required
def send(reference: str) -> Page | Response:
    answers = {field: request.form.get(field, "") for field in REQUEST_FIELDS}
    try:
        with db().transaction() as s:
            sent = send_information_request(s, signed_in_user(), reference, answers)
            body = sent.public_body.name
    except NotFound:
        abort(404)
    except NotAllowed:
        abort(403)
    except InvalidData as refused:
        return _ask_page(reference, answers, refused.fields, 400)
    flash(f"We have sent the request for information to {body}")
    return redirect(url_for("cases.show", reference=reference, _anchor="information-requests"))


# The body answers through its single-use link


def _link_page(
    token: str,
    answers: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
    files_chosen: bool = False,
) -> Page:
    try:
        shown = request_for_link(db(), token)
    except InvalidData as refused:
        return _refused(str(refused))
    action = url_for("information_requests.answer_link", token=token)
    return _answer_page(shown, action, answers, errors, status, files_chosen)


def _refused(error: str) -> tuple[str, int]:
    return render_template("information_requests/refused.html", error=error), 400


@blueprint.get("/information-request/<token>")
def open_link(token: str) -> Page:
    return _link_page(token, {}, {})


@blueprint.post("/information-request/<token>")
def answer_link(token: str) -> Page:
    answers = {"answer": request.form.get("answer", "")}
    files = _uploads()
    try:
        shown = answer_by_link_with_files(db(), token, answers, files)
    except InvalidData as refused:
        if "link" in refused.fields:
            return _refused(refused.fields["link"])
        # A browser cannot be given back the files it sent: the page says so.
        return _link_page(token, answers, refused.fields, 400, files_chosen=bool(files))
    return render_template("information_requests/answered.html", shown=shown)


# The body's own users, signed in


@blueprint.get("/information-requests")
@sign_in_required
def mine() -> str:
    with db().read() as s:
        shown = requests_for_my_body(s, signed_in_user())
    return render_template("information_requests/mine.html", requests=shown)


def _mine_page(
    request_id: int,
    answers: Mapping[str, str],
    errors: Mapping[str, str],
    status: int = 200,
    files_chosen: bool = False,
) -> Page:
    with db().read() as s:
        try:
            shown = request_for_my_body(s, signed_in_user(), request_id)
        except NotFound:
            abort(404)
    action = url_for("information_requests.answer_mine", request_id=request_id)
    return _answer_page(shown, action, answers, errors, status, files_chosen)


@blueprint.get("/information-requests/<int:request_id>")
@sign_in_required
def one_of_mine(request_id: int) -> Page:
    return _mine_page(request_id, {}, {})


@blueprint.post("/information-requests/<int:request_id>")
@sign_in_required
def answer_mine(request_id: int) -> Page | Response:
    answers = {"answer": request.form.get("answer", "")}
    files = _uploads()
    try:
        with db().transaction() as s:
            answer_as_body_with_files(s, signed_in_user(), request_id, answers, files)
    except NotFound:
        abort(404)
    except Conflict:
        return _mine_page(request_id, {}, {})
    except InvalidData as refused:
        return _mine_page(request_id, answers, refused.fields, 400, files_chosen=bool(files))
    flash("We have sent your answer to the council")
    return redirect(url_for("information_requests.mine"))


# Administrators keep the list of bodies


def _bodies_page(answers: Mapping[str, str], errors: Mapping[str, str], status: int = 200) -> Page:
    with db().read() as s:
        bodies = [
            {
                "name": b.name,
                "email": b.email,
                "phone": b.phone,
                "source": b.source,
                "organisation": b.organisation.name if b.organisation is not None else "",
            }
            for b in public_bodies(s)
        ]
    page = render_template(
        "information_requests/bodies.html",
        bodies=bodies,
        answers=answers,
        errors=errors,
        error_list=_errors(BODY_FIELDS, errors),
    )
    return page, status


@blueprint.get("/public-bodies")
@sign_in_required
def bodies() -> Page:
    signed_in_administrator()
    return _bodies_page({}, {})


@blueprint.post("/public-bodies")
@sign_in_required
def add_body() -> Page | Response:
    user = signed_in_administrator()
    answers = {field: request.form.get(field, "") for field in BODY_FIELDS}
    try:
        with db().transaction() as s:
            added = add_public_body(s, user, answers).name
    except InvalidData as refused:
        return _bodies_page(answers, refused.fields, 400)
    flash(f"{added} has been added")
    return redirect(url_for("information_requests.bodies"))
