"""Signing in and out."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine.chasing.account_warnings import warn_of_guessing
from engine.core.errors import TooManyAttempts
from engine.people.provider_sign_in import organisations_with_providers
from engine.people.sign_in import PasswordNotAllowed, SignInPolicy
from engine.people.sign_in import sign_in as check_sign_in
from engine.people.sign_in import sign_out as end_every_session
from web.context import current_user, db, settings, start_staff_session

blueprint = Blueprint("auth", __name__)


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a page of this service, read as a browser reads an
    address (dropping tabs and new lines, taking a backslash for a slash), else the inbox."""
    cleaned = re.sub(r"[\t\n\r]", "", target or "").replace("\\", "/")
    parts = urlsplit(cleaned)
    if (
        cleaned.startswith("/")
        and not cleaned.startswith("//")
        and not parts.scheme
        and not parts.netloc
        and all(character.isprintable() for character in cleaned)
    ):
        return cleaned
    return url_for("inbox.index")


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response | tuple[str, int, dict[str, str]]:
    error = None
    # The answer the error is about: each missing one is named beside it.
    errors: dict[str, str] = {}
    email = ""
    headers: dict[str, str] = {}
    status = 400
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        if not email:
            errors["email"] = "Enter your email address"
        if not password:
            errors["password"] = "Enter your password"
        if errors:
            error = next(iter(errors.values()))
        else:
            try:
                user = check_sign_in(
                    db(),
                    email,
                    password,
                    address=request.remote_addr or "",
                    policy=SignInPolicy.from_settings(settings()),
                    via="web",
                    warn=warn_of_guessing,
                )
            except TooManyAttempts as refused:
                user, error, status = None, str(refused), 429
                headers["Retry-After"] = str(refused.retry_after)
            except PasswordNotAllowed as refused:
                user, error, status = None, str(refused), 403
            else:
                if user is None:
                    error = "The email address or password is not right"
            if user is not None:
                start_staff_session(user)
                if user.must_change_password:
                    return redirect(url_for("passwords.change"))
                return redirect(safe_next(request.args.get("next")))
    if error is None:
        status = 200
    elif not errors:
        errors["email"] = error
    with db().read() as s:
        organisation_accounts = bool(organisations_with_providers(s))
    page = render_template(
        "sign_in.html",
        error=error,
        errors=errors,
        email=email,
        organisation_accounts=organisation_accounts,
        next=request.args.get("next", ""),
    )
    return page, status, headers


@blueprint.get("/sign-out")
def sign_out_page() -> str | Response:
    """Signing out changes state, so the link leads to a button that posts the form."""
    if current_user() is None:
        return redirect(url_for("auth.sign_in"))
    return render_template("sign_out.html")


@blueprint.post("/sign-out")
def sign_out() -> Response:
    """Sign out here and on every other browser."""
    user = current_user()
    if user is not None:
        end_every_session(db(), user)
    session.clear()
    return redirect(url_for("auth.sign_in"))
