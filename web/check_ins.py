"""The check-in after a case closed, answered from the email's one-time link without
signing in. Opening the link shows the question and nothing of the case (mail scanners follow
links, and a link may be forwarded); only the answer posted from the page uses it."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Blueprint, render_template, request

from engine.applicant.check_ins import LINK_NOT_RIGHT, answer_check_in
from engine.cases.follow_up import QUESTION
from engine.core.errors import InvalidData, TooManyAttempts
from engine.people.sign_in import SignInPolicy
from web.context import db, settings

blueprint = Blueprint("check_ins", __name__)

FIELDS = ("still_happening", "comment")

Page = str | tuple[str, int] | tuple[str, int, dict[str, str]]


def _question(
    token: str, answers: Mapping[str, str], errors: Mapping[str, str], status: int = 200
) -> tuple[str, int]:
    error_list = [
        {"text": errors[field], "href": f"#{field}"} for field in FIELDS if field in errors
    ]
    page = render_template(
        "your_case/check_in.html",
        token=token,
        question=QUESTION,
        answers=answers,
        errors=errors,
        error_list=error_list,
    )
    return page, status


@blueprint.get("/your-case/check-in/<token>")
def question(token: str) -> Page:
    return _question(token, {}, {})


@blueprint.post("/your-case/check-in/<token>")
def answer(token: str) -> Page:
    answers = {field: request.form.get(field, "") for field in FIELDS}
    try:
        answered = answer_check_in(
            db(),
            token,
            answers,
            address=request.remote_addr or "",
            policy=SignInPolicy.from_settings(settings()),
        )
    except TooManyAttempts as refused:
        page = render_template("your_case/check_in_refused.html", error=str(refused), locked=True)
        return page, 429, {"Retry-After": str(refused.retry_after)}
    except InvalidData as refused:
        if "link" in refused.fields:
            return render_template("your_case/check_in_refused.html", error=LINK_NOT_RIGHT), 400
        return _question(token, answers, refused.fields, 400)
    return render_template("your_case/check_in_answered.html", answered=answered)
