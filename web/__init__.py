"""The Flask web service: routes turn a request into one engine call and render the answer."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect

from engine import clock
from engine.config import PROJECT_ROOT, Settings, load_settings
from engine.db import Database, connect

csrf = CSRFProtect()


def create_app(settings: Settings | None = None, database: Database | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=None,
    )
    app.config.update(
        SECRET_KEY=settings.secret_key or _secret_key_file(settings.instance_dir),
        PERMANENT_SESSION_LIFETIME=timedelta(minutes=settings.session_minutes),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    if settings.clock_start and not isinstance(clock.get_clock(), clock.StartedClock):
        clock.set_clock(clock.clock_from_environment(settings.clock_start))
    app.extensions["casereview.settings"] = settings
    app.extensions["casereview.db"] = database or connect(settings.database_url)
    csrf.init_app(app)

    from web import assets, auth, inbox

    app.register_blueprint(assets.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(inbox.blueprint)
    return app


def _secret_key_file(instance_dir: Path) -> str:
    """A key generated once per installation, readable only by the service's own user."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()
