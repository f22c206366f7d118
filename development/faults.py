"""A pause point for fault tests, and only for them: it lets a test kill a process at a known
moment in the middle of a transaction, to prove that nothing half-done survives.

When ``CASEREVIEW_TEST_PAUSE_BEFORE_COMMIT`` names a file as ``casereview serve`` starts, a
task completion that has done all its work, with every change sent to the database but not
committed, writes that file and waits until the file is removed. Never set it in a
deployment: every completion would wait.
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from engine.core.db import WORK, Database

PAUSE_BEFORE_COMMIT = "CASEREVIEW_TEST_PAUSE_BEFORE_COMMIT"
PAUSED_WORK = "task completion"


def pause_before_commit(db: Database, marker: Path) -> None:
    """Make every task completion on ``db`` wait, flushed but not committed, while
    ``marker`` exists (it writes the file itself)."""

    def pause(session: Session) -> None:
        if session.info.get(WORK) != PAUSED_WORK:
            return
        session.flush()
        marker.write_text(f"{os.getpid()} {PAUSED_WORK}\n")
        while marker.exists():
            time.sleep(0.05)

    db.before_commit(pause)


def install_from_environment(db: Database, environ: Mapping[str, str] = os.environ) -> bool:
    """The pause, if the environment asks for it; read once, when the service starts."""
    marker = environ.get(PAUSE_BEFORE_COMMIT)
    if marker:
        pause_before_commit(db, Path(marker))
    return bool(marker)
