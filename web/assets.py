"""GOV.UK Frontend, served from the installed npm package at our own address."""

from __future__ import annotations

from flask import Blueprint, Response, send_from_directory

from engine.config import PROJECT_ROOT

GOVUK = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
blueprint = Blueprint("assets", __name__)


@blueprint.get("/assets/govuk/<path:filename>")
def govuk(filename: str) -> Response:
    response = send_from_directory(GOVUK, filename, max_age=3600)
    return response


@blueprint.get("/assets/<path:filename>")
def govuk_assets(filename: str) -> Response:
    # GOV.UK Frontend's stylesheet asks for its fonts and images under /assets/.
    return send_from_directory(GOVUK / "assets", filename, max_age=3600)
