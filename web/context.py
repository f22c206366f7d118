"""What every route needs: the database, the settings and the signed-in user."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, g, redirect, request, session, url_for

from engine.accounts import get_user
from engine.config import Settings
from engine.db import Database
from engine.models import User


def db() -> Database:
    return current_app.extensions["casereview.db"]


def settings() -> Settings:
    return current_app.extensions["casereview.settings"]


def current_user() -> User | None:
    if "user" not in g:
        user_id = session.get("user_id")
        g.user = None
        if user_id is not None:
            with db().read() as s:
                g.user = get_user(s, user_id)
    return g.user


def sign_in_required(view: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return redirect(url_for("auth.sign_in", next=request.path))
        return view(*args, **kwargs)

    return wrapped
