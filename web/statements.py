"""The pages every visitor may read without signing in and every page's footer links to:
the privacy notice, the accessibility statement, cookies and contact; and the stylesheet
that gives the header the area's colour."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, Response, current_app, g, render_template
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from engine.core.area import current_settings
from engine.core.brand import brand_stylesheet, page_brand, page_statements
from web.context import db

blueprint = Blueprint("statements", __name__)


def page_look() -> dict[str, Any]:
    """The area's brand and statements for this request's page. The error page for a lost
    database is branded too, with Derbyshire's defaults, rather than failing again."""
    if "look" not in g:
        try:
            with db().read() as s:
                settings = current_settings(s)
        except (OperationalError, InterfaceError, PoolTimeout):
            settings = {}
        g.look = {"brand": page_brand(settings), "statements": page_statements(settings)}
    return g.look


def long_date(iso: str) -> str:
    """2026-12-01 as "1 December 2026", the GOV.UK style."""
    day = date.fromisoformat(iso)
    return f"{day.day} {day:%B %Y}"


def _statement(template: str, **extra: Any) -> str:
    look = page_look()
    return render_template(
        f"statements/{template}.html",
        brand=look["brand"],
        statements=look["statements"],
        **extra,
    )


@blueprint.get("/privacy")
def privacy() -> str:
    with db().read() as s:
        retention_years = current_settings(s).get("retention_years", 6)
    return _statement("privacy", retention_years=retention_years)


@blueprint.get("/accessibility")
def accessibility() -> str:
    return _statement("accessibility")


@blueprint.get("/cookies")
def cookies() -> str:
    lifetime = current_app.config["PERMANENT_SESSION_LIFETIME"]
    return _statement(
        "cookies",
        session_cookie=current_app.config["SESSION_COOKIE_NAME"],
        session_minutes=int(lifetime.total_seconds() // 60),
    )


@blueprint.get("/contact")
def contact() -> str:
    return _statement("contact")


@blueprint.get("/brand.css")
def stylesheet() -> Response:
    response = Response(brand_stylesheet(page_look()["brand"]), mimetype="text/css")
    # The area file changes only when it is loaded again; a short cache keeps pages quick.
    response.cache_control.max_age = 300
    response.cache_control.public = True
    return response
