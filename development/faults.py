"""A pause point for fault tests, and only for them: it lets a test kill a process at a known
moment in the middle of a transaction, to prove that nothing half-done survives.

When ``CASEREVIEW_TEST_PAUSE_BEFORE_COMMIT`` names a file, a task completion that has done all
its work, with every change sent to the database but not committed, writes that file and
waits until the file is removed. Never set it in a deployment: every completion would wait.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from sqlalchemy.orm import Session

PAUSE_BEFORE_COMMIT = "CASEREVIEW_TEST_PAUSE_BEFORE_COMMIT"


def pause_before_commit(session: Session, step: str) -> None:
    marker = os.environ.get(PAUSE_BEFORE_COMMIT)
    if not marker:
        return
    session.flush()
    path = Path(marker)
    path.write_text(f"{os.getpid()} {step}\n")
    while path.exists():
        time.sleep(0.05)
