"""How much the public may send from one network address: applications and appeals create
work in several agencies' inboxes, so a script sending many must not reach them."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from engine.core import clock
from engine.core.config import Settings
from engine.core.counters import forget_before, within_allowance

WINDOW = timedelta(hours=1)
KEY = "submissions:"


def count_submission(session: Session, address: str, settings: Settings) -> None:
    """Count one submission from ``address`` in the caller's transaction, which is to store
    what was sent; ``TooManySubmissions`` (and nothing counted, once the transaction rolls
    back) when the hour's allowance is used up. Counted in the database, so the limit holds
    across every worker and host."""
    now = clock.now()
    forget_before(session, KEY, now - WINDOW)
    within_allowance(
        session,
        f"{KEY}{(address or 'unknown')[:64]}",
        settings.public_submissions_per_hour,
        now,
        WINDOW,
    )
