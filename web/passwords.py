"""Passwords: changing your own (at once, after signing in with a temporary one), and a link
by email to choose a new one when it is forgotten."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.chasing.password_mail import send_reset_link, tell_password_changed
from engine.core.errors import TooManySubmissions
from engine.core.form_wording import EMAIL_MESSAGE
from engine.core.forms import is_email_address
from engine.people.accounts import MIN_PASSWORD_LENGTH
from engine.people.passwords import (
    LinkRefused,
    LinkState,
    PasswordProblems,
    change_password,
    reset_link_state,
    use_reset_link,
)
from web.context import (
    current_user,
    db,
    is_api_request,
    sign_in_required,
    signed_in_user,
    start_staff_session,
)

blueprint = Blueprint("passwords", __name__)

Page = str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]

# What someone who must change a temporary password can still reach: this page, signing out,
# and what pages are drawn with.
_ALLOWED_BEFORE_CHANGING = frozenset({"passwords.change", "auth.sign_out_page", "auth.sign_out"})
_FIELDS = {
    "current_password": "Current password",
    "new_password": "New password",
    "confirm_password": "Confirm new password",
}


@blueprint.before_app_request
def _temporary_password_first() -> Response | None:
    """A user who signed in with a temporary password reaches nothing else until they have
    chosen their own. (The API issues no token to them, so it has nothing to refuse here.)"""
    endpoint = request.endpoint or ""
    if is_api_request() or endpoint in _ALLOWED_BEFORE_CHANGING or endpoint.startswith("assets."):
        return None
    user = current_user()
    if user is not None and user.must_change_password:
        return redirect(url_for("passwords.change"))
    return None


def _error_list(problems: dict[str, str]) -> list[dict[str, str]]:
    return [{"text": message, "href": f"#{field}"} for field, message in problems.items()]


@blueprint.route("/account/password", methods=["GET", "POST"])
@sign_in_required
def change() -> Page:
    user = signed_in_user()
    if user.password_hash is None:
        # They sign in only with their organisation's own account: no password to change.
        return render_template("passwords/none.html", organisation=user.organisation.name)
    forced = user.must_change_password
    if request.method == "GET":
        return _change_page(forced, {})
    form = request.form
    try:
        with db().transaction() as s:
            changed = change_password(
                s,
                user.id,
                form.get("current_password", ""),
                form.get("new_password", ""),
                form.get("confirm_password", ""),
            )
            tell_password_changed(s, changed)
            s.flush()
            # Every other session has ended; this browser carries on in a new one.
            start_staff_session(changed)
    except PasswordProblems as refused:
        return _change_page(forced, refused.problems), 400
    return render_template("passwords/changed.html", forced=forced)


def _change_page(forced: bool, problems: dict[str, str]) -> str:
    return render_template(
        "passwords/change.html",
        forced=forced,
        problems=problems,
        error_list=_error_list(problems),
        fields=_FIELDS,
        shortest=MIN_PASSWORD_LENGTH,
    )


@blueprint.route("/sign-in/forgotten", methods=["GET", "POST"])
def forgotten() -> Page:
    """Ask for a link to choose a new password: the answer is the same whether or not the
    address has an account."""
    if request.method == "GET":
        return render_template("passwords/forgotten.html", email="", problems={})
    email = request.form.get("email", "").strip()
    if not email or not is_email_address(email):
        problems = {"email": EMAIL_MESSAGE if email else "Enter your email address"}
        page = render_template(
            "passwords/forgotten.html",
            email=email,
            problems=problems,
            error_list=_error_list(problems),
        )
        return page, 400
    try:
        with db().transaction() as s:
            send_reset_link(s, email, address=request.remote_addr or "")
    except TooManySubmissions as refused:
        problems = {"email": str(refused)}
        page = render_template(
            "passwords/forgotten.html",
            email=email,
            problems=problems,
            error_list=_error_list(problems),
        )
        return page, 429, {"Retry-After": str(refused.retry_after)}
    return render_template("passwords/forgotten_sent.html", email=email)


@blueprint.get("/sign-in/reset/<token>")
def reset(token: str) -> Page:
    """The emailed link shows the form; opening it uses nothing (a mail scanner may open it)."""
    with db().read() as s:
        state = reset_link_state(s, token)
    if state is not LinkState.USABLE:
        # Opened from an email, the page that explains is what was asked for.
        return _refused(state)[0]
    return _reset_page(token, {})


@blueprint.post("/sign-in/reset/<token>")
def use_reset(token: str) -> Page:
    form = request.form
    try:
        with db().transaction() as s:
            user = use_reset_link(
                s, token, form.get("new_password", ""), form.get("confirm_password", "")
            )
            tell_password_changed(s, user)
    except LinkRefused as refused:
        return _refused(refused.state)
    except PasswordProblems as refused:
        return _reset_page(token, refused.problems), 400
    return render_template("passwords/reset_done.html")


def _reset_page(token: str, problems: dict[str, str]) -> str:
    return render_template(
        "passwords/reset.html",
        token=token,
        problems=problems,
        error_list=_error_list(problems),
        fields={k: v for k, v in _FIELDS.items() if k != "current_password"},
        shortest=MIN_PASSWORD_LENGTH,
    )


# Each way a link can fail, said to the person holding it; each page offers a new link.
_WHY = {
    LinkState.USED: "This link has already been used to choose a password",
    LinkState.EXPIRED: "This link has expired: links work for 1 hour",
    LinkState.SUPERSEDED: "A newer link has been sent since this one: use the latest email",
    LinkState.UNKNOWN: "This link is not right",
}


def _refused(state: LinkState) -> tuple[str, int]:
    # Gone when it once worked; a link that never did is a bad request, not a missing page.
    status = 400 if state is LinkState.UNKNOWN else 410
    return render_template("passwords/reset_refused.html", why=_WHY[state]), status
