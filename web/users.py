"""Managing users: an administrator adds people, changes their roles and stops their access."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from engine.core.models import User
from engine.people.accounts import (
    ROLE_NAMES,
    AccountError,
    add_user,
    change_user,
    list_users,
    organisation_choices,
    reset_password,
    temporary_password,
)
from web.context import db, sentence, sign_in_required, signed_in_administrator

blueprint = Blueprint("users", __name__)


@blueprint.get("/users")
@sign_in_required
def index() -> str:
    signed_in_administrator()
    with db().read() as s:
        return render_template("users/index.html", users=list_users(s), role_names=ROLE_NAMES)


@blueprint.route("/users/new", methods=["GET", "POST"])
@sign_in_required
def new() -> str | tuple[str, int]:
    actor = signed_in_administrator()
    form = request.form
    if request.method == "GET":
        return _new_page(form, error=None)
    password = temporary_password()
    try:
        with db().transaction() as s:
            created = add_user(
                s,
                email=form.get("email", ""),
                name=form.get("name", ""),
                organisation_key=form.get("organisation", ""),
                roles=form.getlist("roles"),
                password=password,
                actor=actor,
                temporary=True,
            )
            name, email = created.name, created.email
    except AccountError as refused:
        return _new_page(form, error=sentence(refused), field=refused.field or "name"), 400
    return render_template("users/password.html", name=name, email=email, password=password)


def _new_page(form: dict, error: str | None, field: str = "") -> str:
    with db().read() as s:
        choices = organisation_choices(s)
    return render_template(
        "users/new.html",
        form=form,
        organisations=choices,
        role_names=ROLE_NAMES,
        error=error,
        field=field,
    )


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
@sign_in_required
def edit(user_id: int) -> str | tuple[str, int] | Response:
    actor = signed_in_administrator()
    error, field, chosen = None, "", None
    if request.method == "POST":
        roles = request.form.getlist("roles")
        active = request.form.get("active") == "yes"
        # Kept to show again if refused: what the administrator chose, not what is stored.
        chosen = {"roles": roles, "active": active}
        try:
            with db().transaction() as s:
                changed = change_user(s, actor, user_id, roles=roles, active=active)
                flash(f"{changed.name}'s access is changed")
            return redirect(url_for("users.index"))
        except AccountError as refused:
            error, field = sentence(refused), refused.field or "roles"
    with db().read() as s:
        user = s.get(User, user_id)
        if user is None:
            abort(404)
        chosen = chosen or {"roles": user.roles, "active": user.active}
        page = render_template(
            "users/edit.html",
            user=user,
            chosen=chosen,
            role_names=ROLE_NAMES,
            error=error,
            field=field,
        )
    return (page, 400) if error else page


@blueprint.post("/users/<int:user_id>/password")
@sign_in_required
def new_password(user_id: int) -> str:
    actor = signed_in_administrator()
    try:
        with db().transaction() as s:
            password = reset_password(s, actor, user_id)
            # reset_password has refused a user who does not exist.
            user = s.get_one(User, user_id)
            name, email = user.name, user.email
    except AccountError:
        abort(404)
    return render_template("users/password.html", name=name, email=email, password=password)
