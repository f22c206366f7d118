"""GOV.UK Frontend, served from the installed npm package at our own address."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from engine.core.config import PROJECT_ROOT

GOVUK = PROJECT_ROOT / "node_modules" / "govuk-frontend" / "dist" / "govuk"
BPMN_JS = PROJECT_ROOT / "node_modules" / "bpmn-js" / "dist"
OWN = Path(__file__).parent / "static"
blueprint = Blueprint("assets", __name__)


@blueprint.get("/assets/govuk/<path:filename>")
def govuk(filename: str) -> Response:
    response = send_from_directory(GOVUK, filename, max_age=3600)
    return response


@blueprint.get("/assets/bpmn-js/<path:filename>")
def bpmn_js(filename: str) -> Response:
    return send_from_directory(BPMN_JS, filename, max_age=3600)


@blueprint.get("/static/<path:filename>")
def own(filename: str) -> Response:
    return send_from_directory(OWN, filename, max_age=300)


@blueprint.get("/assets/<path:filename>")
def govuk_assets(filename: str) -> Response:
    # GOV.UK Frontend's stylesheet asks for its fonts and images under /assets/.
    return send_from_directory(GOVUK / "assets", filename, max_age=3600)
