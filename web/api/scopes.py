"""The routes a personal access token's scope may name, and every API request held to the
scope of the staff token it came with (a 403 when outside it), its use noted on the way.

A scope names a route by its method and address, the parts of the address in braces as the
OpenAPI document writes them: ``GET /api/v1/cases/{reference}``. The routes are the API's own,
from the app's url map, but for those that never read a staff token.
"""

from __future__ import annotations

import re

from flask import current_app, request
from werkzeug.exceptions import Forbidden

from engine.core import clock
from engine.people.personal_tokens import note_use
from web.api import blueprint
from web.context import bearer_token, db, staff_token

# Routes that never read a staff token: getting one with a password, the public figures and
# the API's description, and the applicant's own routes. A scope cannot name them, and they
# are not held to one.
TAKES_NO_STAFF_TOKEN = frozenset(
    {
        "POST /api/v1/auth/token",
        "GET /api/v1/statistics",
        "GET /api/v1/openapi.json",
        "POST /api/v1/applicant/token",
        "GET /api/v1/applicant/case",
    }
)
_PART = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")
_METHOD_ORDER = {"GET": 0, "PUT": 1, "POST": 2, "DELETE": 3}


def route_address(rule: str) -> str:
    """A Flask rule's address as a scope names it: ``/api/v1/tasks/<int:task_id>`` is
    ``/api/v1/tasks/{task_id}``."""
    return _PART.sub(r"{\1}", rule)


def scoped_routes() -> list[str]:
    """Every route a token's scope may name, by address, each as ``METHOD /address``."""
    found = {
        f"{method} {route_address(rule.rule)}"
        for rule in current_app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{blueprint.name}.")
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    } - TAKES_NO_STAFF_TOKEN
    return sorted(
        found,
        key=lambda route: (route.split(" ")[1], _METHOD_ORDER.get(route.split(" ")[0], 9)),
    )


@blueprint.before_request
def _within_the_token_s_scope() -> None:
    rule = request.url_rule
    # OPTIONS answers only which methods an address takes.
    if rule is None or request.method == "OPTIONS" or bearer_token() is None:
        return
    address = route_address(rule.rule)
    method = "GET" if request.method == "HEAD" else request.method
    if f"{method} {address}" in TAKES_NO_STAFF_TOKEN:
        return
    held = staff_token()
    if held is None:
        return
    now = clock.now()
    if held.use_to_note(now):
        with db().transaction() as session:
            note_use(session, held.token_id, now)
    if not held.scope.allows(method, address):
        raise Forbidden(f"The token's scope does not include {method} {address}")
