"""Bearer tokens: exchange an email address and password for a token."""

from __future__ import annotations

from flask import Response
from werkzeug.exceptions import Unauthorized

from engine.accounts import authenticate
from engine.errors import InvalidData
from engine.tokens import TOKEN_LIFETIME, issue_token
from web.api import blueprint
from web.api.common import answer, json_body
from web.context import db


@blueprint.post("/auth/token")
def issue() -> Response:
    body = json_body()
    email, password = body.get("email"), body.get("password")
    problems = {
        name: "Enter this - it is required"
        for name, value in (("email", email), ("password", password))
        if not isinstance(value, str) or not value
    }
    if problems:
        raise InvalidData("Send your email address and password", problems)
    with db().transaction() as s:
        user = authenticate(s, email, password)
        token = issue_token(s, user) if user is not None else None
    if token is None:
        raise Unauthorized("The email address or password is not right")
    return answer(
        {
            "token": token,
            "token_type": "Bearer",
            "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        }
    )
