"""The Flask web service: routes turn a request into one engine call and render the answer."""

from __future__ import annotations

import gc
import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask, Response, abort, current_app, g, jsonify, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from sqlalchemy.exc import DataError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from engine.core import clock, workdays
from engine.core.config import PROJECT_ROOT, Settings, load_settings
from engine.core.db import Database, connect
from engine.core.models import MAX_ROW_ID
from engine.work.inbox import working_days_left
from web import security
from web.json_provider import ServiceJSONProvider
from web.schema_forms import humanise

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, database: Database | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=None,
    )
    app.json = ServiceJSONProvider(app)
    app.url_value_preprocessor(_refuse_ids_beyond_the_database)
    app.config.update(
        SECRET_KEY=settings.secret_key or _secret_key_file(settings.instance_dir),
        # Flask re-signs a permanent session on every request and refuses one older than
        # this, so it is how long a signed-in browser may sit idle.
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_minutes),
        WTF_CSRF_TIME_LIMIT=None,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
    )
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                }
            ),
        ]
    )
    if settings.clock_start and not isinstance(clock.get_clock(), clock.StartedClock):
        clock.set_clock(clock.clock_from_environment(settings.clock_start))
    workdays.learn_bank_holidays(clock.today())
    app.extensions["casereview.settings"] = settings
    app.extensions["casereview.db"] = database or connect(settings.database_url)
    csrf.init_app(app)
    security.init_app(app, settings)

    from web import (
        access_tokens,
        assets,
        audit,
        auth,
        case_list,
        cases,
        check_ins,
        documents,
        inbox,
        information_requests,
        organisation_sign_in,
        oversight,
        passwords,
        public,
        published_figures,
        report_marks,
        statements,
        step_timings,
        tasks,
        team,
        users,
        waiting_people,
        your_case,
        your_part,
    )
    from web.context import current_applicant, current_user

    app.register_blueprint(assets.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(organisation_sign_in.blueprint)
    organisation_sign_in.oauth.init_app(app)
    app.register_blueprint(waiting_people.blueprint)
    app.register_blueprint(passwords.blueprint)
    app.register_blueprint(inbox.blueprint)
    from web.notifications import blueprint as notifications_blueprint

    app.register_blueprint(notifications_blueprint)
    app.register_blueprint(public.blueprint)
    app.register_blueprint(published_figures.blueprint)
    app.register_blueprint(oversight.blueprint)
    app.register_blueprint(statements.blueprint)
    app.register_blueprint(your_case.blueprint)
    app.register_blueprint(your_part.blueprint)
    app.register_blueprint(check_ins.blueprint)
    app.register_blueprint(information_requests.blueprint)
    app.register_blueprint(tasks.blueprint)
    app.register_blueprint(case_list.blueprint)
    app.register_blueprint(team.blueprint)
    app.register_blueprint(cases.blueprint)
    app.register_blueprint(report_marks.blueprint)
    app.register_blueprint(documents.blueprint)
    app.register_blueprint(users.blueprint)
    app.register_blueprint(access_tokens.blueprint)
    app.register_blueprint(audit.blueprint)
    from web.procedure import blueprint as procedure_blueprint

    app.register_blueprint(procedure_blueprint)
    app.register_blueprint(step_timings.blueprint)
    from web.letter_templates import blueprint as letter_templates_blueprint

    app.register_blueprint(letter_templates_blueprint)
    from web.api import blueprint as api_blueprint

    app.register_blueprint(api_blueprint)
    csrf.exempt(api_blueprint)  # bearer tokens only, never the session cookie
    app.add_template_global(current_user)
    app.add_template_global(current_applicant)
    app.add_template_global(lambda: set(app.view_functions), "nav_endpoints")
    app.add_template_global(working_days_left)
    app.add_template_global(case_list.finds_cases)
    app.add_template_global(statements.page_look)
    app.add_template_filter(statements.long_date)
    app.add_template_filter(humanise)
    app.register_error_handler(HTTPException, _http_error)
    for lost in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(lost, _database_unavailable)
    app.register_error_handler(DataError, _data_refused)
    _settle_garbage_collection()
    return app


# A request allocates tens of thousands of objects (a workflow is loaded, run and dumped for
# each completion), so Python's default of a collection every 700 allocations ran the young
# generation's collection dozens of times a request, and the whole heap's now and then.
YOUNG_GENERATION_THRESHOLD = 10_000
_settled = False


def _settle_garbage_collection() -> None:
    """Once a process: what start-up made (modules, the app, the specs) is collected and set
    aside for good (``gc.freeze``), so later collections do not walk it again, and the young
    generation is collected less often. A worker forked after this shares the set-aside
    objects' pages with its parent, as collections no longer write to them."""
    global _settled
    if _settled:
        return
    _settled = True
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_GENERATION_THRESHOLD, middle, oldest)


def _refuse_ids_beyond_the_database(_endpoint: str | None, values: dict | None) -> None:
    """An id in an address larger than the database can hold names nothing: 404, rather
    than an error from PostgreSQL."""
    if values and any(isinstance(v, int) and v > MAX_ROW_ID for v in values.values()):
        abort(404)


# Attachments are limited to 10 MB; the request carries the form fields too.
MAX_REQUEST_BYTES = 11 * 1024 * 1024

_PLAIN_MESSAGES = {
    400: "The request could not be understood.",
    403: "You do not have permission to do this.",
    404: "Page not found. If you typed the web address, check it is correct.",
    405: "This page does not accept that kind of request.",
    413: "The file is too large: files must be smaller than 10 MB.",
}
API_NOT_FOUND = "There is nothing at this address in the API; see /api/v1/openapi.json."
DATABASE_UNAVAILABLE = (
    "The service cannot reach its database just now. Try again in a few minutes; "
    "if you were sending a form, check whether it was saved before sending it again."
)


def _http_error(error: HTTPException) -> tuple[str | Response, int]:
    """A GOV.UK error page, or JSON ``{"error"}`` on the API: never a bare server page."""
    from web.context import is_api_request

    status = error.code or 500
    if is_api_request():
        from web.api.errors import http_error, json_error

        if status == 404:
            return json_error(404, API_NOT_FOUND), 404
        # In the API's own words, as its routes' errors are.
        return http_error(error), status
    if isinstance(error, CSRFError):
        message = "The form had expired or was sent from another site. Go back and try again."
    else:
        message = _PLAIN_MESSAGES.get(status, error.description or "Something went wrong.")
    return render_template("error.html", status=status, message=message), status


def _database_unavailable(error: Exception) -> tuple[str | Response, int, dict[str, str]]:
    """The database is down or restarting: a plain 503, never a traceback. The connection
    pool checks connections before use, so the next request after it is back succeeds."""
    from web.context import is_api_request

    current_app.logger.error("database unavailable: %s", str(error).splitlines()[0])
    g.user = None  # the error page must not ask the database who is signed in
    headers = {"Retry-After": "30"}
    if is_api_request():
        return jsonify(error=DATABASE_UNAVAILABLE), 503, headers
    page = render_template("error.html", status=503, message=DATABASE_UNAVAILABLE)
    return page, 503, headers


def _data_refused(error: DataError) -> tuple[str | Response, int]:
    """The last line of defence: a value the database cannot hold (too long, out of range)
    that no check before it caught is the sender's mistake, and nothing was stored."""
    from web.context import is_api_request

    current_app.logger.warning("refused by the database: %s", str(error).splitlines()[0])
    message = "A value sent is too long or out of range. Check it and try again."
    if is_api_request():
        return jsonify(error=message), 400
    return render_template("error.html", status=400, message=message), 400


class SecretKeyError(RuntimeError):
    """The generated secret key file cannot be trusted."""


def _secret_key_file(instance_dir: Path) -> str:
    """A key generated once per installation, readable only by the service's own user."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    if path.stat().st_mode & 0o077:
        raise SecretKeyError(
            f"{path} can be read by other users of this machine: "
            "make it readable only by the service's user (chmod 600), or set "
            "CASEREVIEW_SECRET_KEY"
        )
    key = path.read_text().strip()
    if len(key) < 32:
        raise SecretKeyError(f"{path} holds no usable key: delete it to have a new one made")
    return key
