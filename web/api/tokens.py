"""Bearer tokens: exchange an email address and password for a token."""

from __future__ import annotations

from flask import Response, request
from werkzeug.exceptions import Forbidden, Unauthorized

from engine.chasing.account_warnings import warn_of_guessing
from engine.core.errors import InvalidData
from engine.people.sign_in import SignInPolicy, sign_in
from engine.people.tokens import TOKEN_LIFETIME, issue_token
from web.api import blueprint
from web.api.common import answer, json_body
from web.context import db, settings


@blueprint.post("/auth/token")
def issue() -> Response:
    body = json_body()
    email, password = _text(body.get("email")), _text(body.get("password"))
    problems = {
        name: "Enter this - it is required"
        for name, value in (("email", email), ("password", password))
        if not value
    }
    if problems:
        raise InvalidData("Send your email address and password", problems)
    user = sign_in(
        db(),
        email,
        password,
        address=request.remote_addr or "",
        policy=SignInPolicy.from_settings(settings()),
        via="api",
        warn=warn_of_guessing,
    )
    if user is None:
        raise Unauthorized("The email address or password is not right")
    if user.must_change_password:
        # A temporary password is for reaching the page that replaces it, nothing else.
        raise Forbidden(
            "This password is a temporary one: sign in to the service's pages and choose your "
            "own password, then ask for a token with it"
        )
    with db().transaction() as s:
        token = issue_token(s, user)
    return answer(
        {
            "token": token,
            "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        }
    )


def _text(value: object) -> str:
    """A text answer, or nothing when the answer is not text."""
    return value if isinstance(value, str) else ""
