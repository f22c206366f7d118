"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session, url_for
from werkzeug.wrappers import Response

from engine import audit
from engine.accounts import authenticate
from web.context import current_user, db

blueprint = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("inbox.index")


@blueprint.route("/sign-in", methods=["GET", "POST"])
def sign_in() -> str | Response:
    error = None
    email = ""
    if request.method == "POST":
        email = request.form.get("email", "").strip()
        password = request.form.get("password", "")
        if not email or not password:
            error = "Enter your email address and password"
        else:
            with db().transaction() as s:
                user = authenticate(s, email, password)
                if user is not None:
                    audit.record(
                        s, "user.signed_in", user=user, object_type="user", object_id=user.id
                    )
            if user is None:
                error = "The email address or password is not right"
            else:
                session.clear()
                session.permanent = True
                session["user_id"] = user.id
                return redirect(_safe_next(request.args.get("next")))
    status = 200 if error is None else 400
    return render_template("sign_in.html", error=error, email=email), status


@blueprint.get("/sign-out")
def sign_out_page() -> str | Response:
    """Signing out changes state, so the link leads to a button that posts the form."""
    if current_user() is None:
        return redirect(url_for("auth.sign_in"))
    return render_template("sign_out.html")


@blueprint.post("/sign-out")
def sign_out() -> Response:
    session.clear()
    return redirect(url_for("auth.sign_in"))
