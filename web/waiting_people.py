"""People waiting for roles after their first sign-in through their organisation's account,
for the managers of that organisation and for administrators to answer."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.core.errors import NotFound
from engine.core.models import User
from engine.people.accounts import ROLE_NAMES, AccountError
from engine.people.provider_sign_in import organisations_with_providers
from engine.people.waiting_people import (
    give_roles,
    may_admit,
    roles_to_give,
    turn_away,
    waiting_users,
)
from web.context import db, sentence, sign_in_required, signed_in_user

blueprint = Blueprint("waiting_people", __name__)


def _admitting_user() -> User:
    user = signed_in_user()
    if not may_admit(user):
        abort(403)
    return user


@blueprint.get("/people/waiting")
@sign_in_required
def index() -> str:
    return _page(_admitting_user())[0]


@blueprint.post("/people/waiting/<int:user_id>")
@sign_in_required
def answer(user_id: int) -> Response | tuple[str, int]:
    actor = _admitting_user()
    roles = request.form.getlist("roles")
    try:
        with db().transaction() as s:
            if request.form.get("decision") == "turn_away":
                person = turn_away(s, actor, user_id)
                flash(f"{person.name} has been turned away")
            else:
                person = give_roles(s, actor, user_id, roles)
                flash(f"{person.name} can now sign in and work")
    except NotFound:
        abort(404)
    except AccountError as refused:
        return _page(actor, error=sentence(refused), about=user_id, chosen=roles)
    return redirect(url_for("waiting_people.index"))


def _page(
    actor: User, *, error: str = "", about: int = 0, chosen: list[str] | None = None
) -> tuple[str, int]:
    with db().read() as s:
        follow_groups = {
            provider.organisation_key
            for provider in organisations_with_providers(s)
            if provider.roles_follow_groups
        }
        page = render_template(
            "waiting_people/index.html",
            people=waiting_users(s, actor),
            follow_groups=follow_groups,
            roles=[(role, ROLE_NAMES[role]) for role in roles_to_give(actor)],
            error=error,
            about=about,
            chosen=chosen or [],
        )
    return page, 400 if error else 200
