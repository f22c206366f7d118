"""The one place that talks to APScheduler: runs the sweeps every interval."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from engine.db import Database
from engine.sweeps import run_due

log = logging.getLogger(__name__)
JOB_ID = "casereview-run-due"


def _sweep(db: Database) -> None:
    try:
        done = run_due(db)
    except Exception:  # noqa: BLE001 - one failed sweep must not stop the next one
        log.exception("the sweep failed; it will run again at the next interval")
        return
    if any(done.values()):
        log.info("sweep: %s", done)


def _add_sweep(
    scheduler: BackgroundScheduler | BlockingScheduler, db: Database, seconds: int
) -> None:
    scheduler.add_job(
        _sweep,
        "interval",
        args=[db],
        seconds=seconds,
        id=JOB_ID,
        max_instances=1,
        coalesce=True,
        replace_existing=True,
    )


def start_in_background(db: Database, interval_seconds: int) -> BackgroundScheduler:
    """For ``casereview serve``: sweeps run on a thread beside the web server."""
    scheduler = BackgroundScheduler(timezone="Europe/London")
    _add_sweep(scheduler, db, interval_seconds)
    scheduler.start()
    return scheduler


def run_forever(db: Database, interval_seconds: int) -> None:
    """For ``casereview scheduler``: the process does nothing but sweep."""
    scheduler = BlockingScheduler(timezone="Europe/London")
    _add_sweep(scheduler, db, interval_seconds)
    _sweep(db)
    scheduler.start()
