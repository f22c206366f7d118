"""Settings from the environment (``CASEREVIEW_*``); nothing secret lives in the code."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATABASE_URL = "sqlite:///instance/casereview.db"
DEFAULT_AREA_FILE = PROJECT_ROOT / "workflows" / "areas" / "derbyshire.toml"


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    area_file: Path = DEFAULT_AREA_FILE
    workflows_dir: Path = PROJECT_ROOT / "workflows"
    instance_dir: Path = PROJECT_ROOT / "instance"
    clock_start: str | None = None
    secret_key: str | None = None
    session_minutes: int = 30
    # However busy, a signed-in session ends this long after signing in.
    session_hours: int = 12
    scheduler_interval_seconds: int = 60
    # Where mail goes, e.g. smtp://mail.example.gov.uk:587?starttls=1&from=asb@example.gov.uk;
    # unset, messages wait in the outbox page for administrators.
    smtp_url: str | None = None
    # Failed sign-ins to one account before it is locked for a while (an address gets ten
    # times as many, across accounts); shared by every web worker through the database.
    sign_in_attempts: int = 5
    sign_in_lockout_minutes: int = 15
    # Applications and appeals the public may send from one network address in an hour.
    public_submissions_per_hour: int = 10
    # How many proxies in front of the service to believe about the client's address and
    # scheme (X-Forwarded-For, X-Forwarded-Proto); 0 believes none.
    trusted_proxies: int = 0
    # Mark cookies Secure even when the request reaching us is plain HTTP (TLS ends earlier).
    secure_cookies: bool = False
    # LibreOffice makes the OpenDocument and PDF copies of documents: its program, the Python
    # that has its ``uno`` module (Debian's python3-uno is the system Python's), and how long
    # one conversion may take before it is stopped.
    soffice: str = "soffice"
    uno_python: str = "/usr/bin/python3"
    conversion_seconds: float = 30.0
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def forms_dir(self) -> Path:
        return self.workflows_dir / "forms"


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    env = os.environ if environ is None else environ
    instance_dir = Path(env.get("CASEREVIEW_INSTANCE_DIR", PROJECT_ROOT / "instance"))
    return Settings(
        database_url=resolve_database_url(env.get("CASEREVIEW_DATABASE_URL"), instance_dir),
        area_file=Path(env.get("CASEREVIEW_AREA_FILE", DEFAULT_AREA_FILE)),
        workflows_dir=Path(env.get("CASEREVIEW_WORKFLOWS_DIR", PROJECT_ROOT / "workflows")),
        instance_dir=instance_dir,
        clock_start=env.get("CASEREVIEW_CLOCK_START") or None,
        secret_key=env.get("CASEREVIEW_SECRET_KEY") or None,
        session_minutes=int(env.get("CASEREVIEW_SESSION_MINUTES", "30")),
        session_hours=int(env.get("CASEREVIEW_SESSION_HOURS", "12")),
        scheduler_interval_seconds=int(env.get("CASEREVIEW_SCHEDULER_INTERVAL", "60")),
        smtp_url=env.get("CASEREVIEW_SMTP_URL") or None,
        sign_in_attempts=int(env.get("CASEREVIEW_SIGN_IN_ATTEMPTS", "5")),
        sign_in_lockout_minutes=int(env.get("CASEREVIEW_SIGN_IN_LOCKOUT_MINUTES", "15")),
        public_submissions_per_hour=int(env.get("CASEREVIEW_PUBLIC_SUBMISSIONS_PER_HOUR", "10")),
        trusted_proxies=int(env.get("CASEREVIEW_TRUSTED_PROXIES", "0")),
        secure_cookies=env.get("CASEREVIEW_SECURE_COOKIES", "").lower() in ("1", "true", "yes"),
        soffice=env.get("CASEREVIEW_SOFFICE") or "soffice",
        uno_python=env.get("CASEREVIEW_UNO_PYTHON") or "/usr/bin/python3",
        conversion_seconds=float(env.get("CASEREVIEW_CONVERSION_SECONDS", "30")),
    )


def resolve_database_url(url: str | None, instance_dir: Path) -> str:
    """The default SQLite file lives in ``instance/`` wherever the command is run from."""
    if not url:
        return f"sqlite:///{instance_dir / 'casereview.db'}"
    return url
