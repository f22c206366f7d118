"""Personal access tokens for the API: each person's own (listed, made, revoked), and every
user's for administrators, who may revoke any (``engine.people.personal_tokens``)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.core import clock
from engine.core.errors import InvalidData, NotFound
from engine.core.models import User
from engine.people.personal_tokens import (
    LONGEST_NAME,
    SCOPES,
    TokenAnswers,
    default_expiry,
    every_token,
    latest_expiry,
    make_token,
    revoke_token,
    tokens_of,
)
from web.api import blueprint as api_blueprint
from web.api.openapi.document import document
from web.api.scopes import scoped_routes
from web.context import db, sign_in_required, signed_in_administrator, signed_in_user
from web.dates import boxes_in_error, typed_date

blueprint = Blueprint("access_tokens", __name__)

Page = str | tuple[str, int] | tuple[str, int, dict[str, str]]


@blueprint.route("/account/tokens", methods=["GET", "POST"])
@sign_in_required
def mine() -> Page:
    """The signed-in user's tokens, and the form to make another (shown once when made)."""
    user = signed_in_user()
    if request.method == "GET":
        return _page(user, TokenAnswers(expires_on=default_expiry(clock.today()).isoformat()), {})
    form = request.form
    answers = TokenAnswers(
        name=form.get("name", ""),
        expires_on=typed_date(form, "expires_on") or "",
        scope=form.get("scope", ""),
        routes=tuple(form.getlist("routes")),
    )
    try:
        with db().transaction() as s:
            made = make_token(s, user, answers, scoped_routes())
    except InvalidData as refused:
        return _page(user, answers, refused.fields), 400
    # The token is on this page alone: no browser or proxy keeps it.
    return render_template("tokens/made.html", made=made), 200, {"Cache-Control": "no-store"}


def _page(user: User, answers: TokenAnswers, problems: dict[str, str]) -> str:
    with db().read() as s:
        rows = tokens_of(s, user)
    date_parts = boxes_in_error(answers.expires_on) if "expires_on" in problems else ()
    anchors = {"expires_on": f"expires_on-{date_parts[0]}" if date_parts else "expires_on-day"}
    return render_template(
        "tokens/mine.html",
        rows=rows,
        answers=answers,
        problems=problems,
        date_parts=date_parts,
        error_list=[
            {"text": text, "href": f"#{anchors.get(name, name)}"} for name, text in problems.items()
        ],
        routes=_route_choices(),
        scopes=SCOPES,
        longest_name=LONGEST_NAME,
        latest=latest_expiry(clock.today()),
    )


def _route_choices() -> list[tuple[str, str]]:
    """Each route a scope may name, with what it does as the API's description says."""
    paths = document()["paths"]
    prefix = api_blueprint.url_prefix or ""
    choices = []
    for route in scoped_routes():
        method, address = route.split(" ", 1)
        operation = paths.get(address.removeprefix(prefix), {}).get(method.lower(), {})
        choices.append((route, operation.get("summary", "")))
    return choices


@blueprint.post("/account/tokens/<int:token_id>/revoke")
@sign_in_required
def revoke(token_id: int) -> Response:
    _revoked(token_id)
    return redirect(url_for("access_tokens.mine"))


@blueprint.get("/tokens")
@sign_in_required
def every() -> str:
    """Every user's personal access tokens, for administrators."""
    signed_in_administrator()
    with db().read() as s:
        return render_template("tokens/every.html", rows=every_token(s))


@blueprint.post("/tokens/<int:token_id>/revoke")
@sign_in_required
def revoke_any(token_id: int) -> Response:
    signed_in_administrator()
    _revoked(token_id)
    return redirect(url_for("access_tokens.every"))


def _revoked(token_id: int) -> None:
    """Revoke the token, as its owner or an administrator; 404 for anyone else."""
    try:
        with db().transaction() as s:
            row = revoke_token(s, signed_in_user(), token_id)
    except NotFound:
        abort(404)
    flash(f"The token '{row.name}' is revoked: it no longer works.")
