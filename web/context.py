"""What every route needs: the database, the settings, and who is signed in: a member of
staff, or an applicant following their own case."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import abort, current_app, g, redirect, request, session, url_for

from engine.core.config import Settings
from engine.core.db import Database
from engine.core.models import User
from engine.people.accounts import get_user
from engine.people.applicant_codes import ApplicantAccess
from engine.people.applicant_tokens import applicant_for_token
from engine.people.tokens import HeldToken, held_token


def whole_number(text: str | None, digits: int = 9) -> int | None:
    """``text`` as a non-negative number when it is a few plain digits 0 to 9, else None
    (``str.isdigit`` also accepts "²", which ``int`` then refuses)."""
    text = (text or "").strip()
    if 0 < len(text) <= digits and text.isascii() and text.isdigit():
        return int(text)
    return None


def sentence(error: Exception) -> str:
    """An engine refusal (written as a clause) as a sentence for a page."""
    text = str(error)
    return text[:1].upper() + text[1:]


def kept(refused: Exception) -> str:
    """A refusal of what was sent, on a page that keeps what was typed."""
    return f"{refused} Your answers are below: send them again then, or contact your council."


def db() -> Database:
    return current_app.extensions["casereview.db"]


def settings() -> Settings:
    return current_app.extensions["casereview.settings"]


def is_api_request() -> bool:
    return request.path.startswith("/api/")


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_user() -> User | None:
    """The user of this request: from an API bearer token, or from the signed-in session.

    The JSON API reads only bearer tokens, never the session cookie, which is why it can be
    exempt from CSRF protection. The API holds a personal access token to its scope
    (``web.api.scopes``); the pages take none.
    """
    if "user" not in g:
        g.user = None
        token = bearer_token()
        if token is not None:
            with db().read() as s:
                held = held_token(s, token)
            # A personal access token is for the API alone, never the pages.
            if held is not None and (is_api_request() or not held.personal):
                g.user, g.held_token = held.user, held
        elif session.get("user_id") is not None and not is_api_request():
            with db().read() as s:
                user = get_user(s, session["user_id"])
            if user is not None and _is_current(user):
                g.user = user
            else:
                # Ended elsewhere (signed out, a new password, other roles) or too old.
                session.clear()
    return g.user


def staff_token() -> HeldToken | None:
    """The staff token this request came with, when it works: with its scope, for the API to
    hold the request to."""
    current_user()
    return g.get("held_token")


def start_staff_session(user: User) -> None:
    """A new session for ``user``, so a cookie planted before signing in is worth nothing. It
    carries the user's session number, which signing out anywhere raises, and when it began."""
    session.clear()
    session.permanent = True
    session["user_id"] = user.id
    session["generation"] = user.session_generation
    session["since"] = time.time()


def _is_current(user: User) -> bool:
    return session.get("generation") == user.session_generation and _within_lifetime()


def _within_lifetime() -> bool:
    """Whether this session began less than the configured lifetime ago, however busy. Real
    time, as Flask measures the idle time by, not the service's clock, which demonstrations
    and tests move through the days of a case."""
    since = session.get("since")
    if not isinstance(since, int | float):
        return False
    lifetime = timedelta(hours=settings().session_hours).total_seconds()
    return 0 <= time.time() - since < lifetime


# The session's list of the case ids an applicant's codes opened, and their references.
APPLICANT_CASES = "applicant_cases"
APPLICANT_REFERENCES = "applicant_references"


def current_applicant() -> ApplicantAccess | None:
    """The applicant of this request: the cases their codes opened in this browser; None for
    anyone else. A staff session is never an applicant's (each kind of signing in starts a new
    session), and the JSON API knows no applicants."""
    if is_api_request() or session.get("user_id") is not None:
        return None
    case_ids = session.get(APPLICANT_CASES)
    if not case_ids or not _within_lifetime():
        return None
    return ApplicantAccess(frozenset(int(case_id) for case_id in case_ids))


def api_applicant() -> ApplicantAccess | None:
    """The applicant calling the JSON API with a token got for their code; None for anyone
    else. Their token is no staff token: ``current_user`` never takes it."""
    if "api_applicant" not in g:
        g.api_applicant = None
        token = bearer_token()
        if token is not None and is_api_request():
            with db().read() as s:
                g.api_applicant = applicant_for_token(s, token)
    return g.api_applicant


def signed_in_user() -> User:
    """The signed-in user, in a view behind ``sign_in_required``, where there always is one."""
    user = current_user()
    if user is None:
        raise RuntimeError("signed_in_user() outside a view that requires signing in")
    return user


def sign_in_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.sign_in", next=request.path))
        return view(*args, **kwargs)

    return wrapped


def signed_in_administrator() -> User:
    """The signed-in user when they are an administrator; 403 for anyone else.

    Administrators' pages hold no case, so refusing them discloses nothing: 403, not 404.
    """
    user = current_user()
    if user is None or not user.has_role("administrator"):
        abort(403)
    return user
