"""The one place that talks to APScheduler: runs the sweep it is given every interval, in one
process. What the sweep does (the procedure's timers, chasing, mail) is the caller's: see
``engine.procedure.sweeps``.

Every scheduler process (the thread inside ``casereview serve``, or ``casereview scheduler``)
tries to lead at each heartbeat (``engine.chasing.leader``). Only the leader runs APScheduler, whose
job store is the ``apscheduler_jobs`` table in the application database: APScheduler must not
share a job store between running schedulers, and leadership makes sure it never does. The
store keeps when the sweep runs next, so a leader that restarts or takes over after a death
runs a missed sweep once (coalesced), never skips it and never runs it many times over.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from engine.chasing import leader
from engine.core.db import Database
from engine.core.models import APSCHEDULER_JOBS_TABLE

log = logging.getLogger(__name__)
JOB_ID = "casereview-run-due"
# One run of every sweep: what each did, by name.
Sweep = Callable[[], Mapping[str, int]]


class SweepFailed(RuntimeError):
    """One or more sweeps failed; the others ran. ``done`` counts what was done."""

    def __init__(self, done: dict[str, int], failures: dict[str, str]) -> None:
        self.done = done
        self.failures = failures
        listed = "; ".join(f"{name}: {reason}" for name, reason in failures.items())
        super().__init__(f"some sweeps failed: {listed}")


# The sweep job runs in this process's service; APScheduler stores only a reference to the
# function below, never the database or its password.
_service: SchedulerService | None = None


def sweep_job() -> None:
    service = _service
    if service is not None:
        service.sweep()


def create_job_table(db: Database) -> None:
    """Create APScheduler's table as its job store does on start, e.g. for a schema check."""
    SQLAlchemyJobStore(engine=db.writer, tablename=APSCHEDULER_JOBS_TABLE).jobs_t.create(
        db.writer, checkfirst=True
    )


class SchedulerService:
    """Leads or stands by; while leading, runs the sweeps every interval with APScheduler."""

    def __init__(
        self,
        db: Database,
        interval_seconds: int,
        sweep: Sweep,
        *,
        leadership: leader.Leadership | None = None,
    ) -> None:
        self.db = db
        self.interval = max(int(interval_seconds), 1)
        self._sweep = sweep
        # Take over within a few seconds of a leader's death, without hammering the database.
        self.heartbeat = float(min(self.interval, 5))
        self.leadership = leadership or leader.leadership(
            db, ttl=timedelta(seconds=self.heartbeat * 4)
        )
        self._stop = threading.Event()
        self._scheduler: BackgroundScheduler | None = None
        self._thread: threading.Thread | None = None
        self._said: str | None = None

    @property
    def leading(self) -> bool:
        return self._scheduler is not None

    def sweep(self) -> Mapping[str, int]:
        try:
            done = self._sweep()
        except SweepFailed as failed:
            log.error("sweep: %s; what could be done was: %s", failed, failed.done)
            return failed.done
        except Exception:  # noqa: BLE001 - one failed sweep must not stop the next one
            log.exception("the sweep failed; it will run again at the next interval")
            return {}
        if any(done.values()):
            log.info("sweep: %s", done)
        return done

    def _say(self, message: str) -> None:
        if message != self._said:
            log.info("scheduler %s %s", self.leadership.holder, message)
            self._said = message

    def step(self) -> bool:
        """One heartbeat: lead (starting the jobs) or stand by (stopping them)."""
        try:
            leads = self.leadership.hold()
        except Exception:  # noqa: BLE001 - a database outage: stand by and try again
            log.exception("cannot reach the database to hold the scheduler's leadership")
            leads = False
        if leads and self._scheduler is None:
            try:
                self._start_jobs()
            except Exception:  # noqa: BLE001 - e.g. the job store unreachable: try again later
                log.exception("could not start the sweeps; trying again at the next heartbeat")
                return False
            self._say(f"leads: sweeps every {self.interval} seconds")
        elif not leads:
            self._stop_jobs()
            self._say("stands by while another process leads")
        return leads

    def _start_jobs(self) -> None:
        global _service
        _service = self
        store = SQLAlchemyJobStore(engine=self.db.writer, tablename=APSCHEDULER_JOBS_TABLE)
        scheduler = BackgroundScheduler(
            timezone=UTC,
            jobstores={"default": store},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
        )
        scheduler.start()
        try:
            job = scheduler.get_job(JOB_ID)
            interval = timedelta(seconds=self.interval)
            # A job kept from an earlier leader keeps its next run (at once if that has passed).
            if job is None or getattr(job.trigger, "interval", None) != interval:
                scheduler.add_job(
                    sweep_job,
                    "interval",
                    seconds=self.interval,
                    id=JOB_ID,
                    replace_existing=True,
                    next_run_time=datetime.now(UTC),
                )
        except Exception:
            scheduler.shutdown(wait=False)
            raise
        self._scheduler = scheduler

    def _stop_jobs(self) -> None:
        scheduler, self._scheduler = self._scheduler, None
        if scheduler is not None:
            scheduler.shutdown(wait=True)

    def run(self) -> None:
        """Lead or stand by until stopped; then stop the jobs and give up the leadership."""
        logging.getLogger("apscheduler").setLevel(logging.WARNING)
        try:
            while not self._stop.is_set():
                self.step()
                self._stop.wait(self.heartbeat)
        finally:
            self._stop_jobs()
            try:
                self.leadership.release()
            except Exception:  # noqa: BLE001 - the lease then simply expires
                log.exception("could not release the scheduler's leadership")

    def start(self) -> SchedulerService:
        """Run on a thread beside the web server."""
        self._thread = threading.Thread(target=self.run, name="casereview-scheduler", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float | None = 30) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout)


def start_in_background(db: Database, interval_seconds: int, sweep: Sweep) -> SchedulerService:
    """For ``casereview serve``: the scheduler runs on a thread beside the web server."""
    return SchedulerService(db, interval_seconds, sweep).start()


def run_forever(db: Database, interval_seconds: int, sweep: Sweep) -> None:
    """For ``casereview scheduler``: the process does nothing but lead or stand by, until
    SIGTERM or Ctrl+C, when it finishes the sweep under way and hands over at once."""
    service = SchedulerService(db, interval_seconds, sweep)

    def stop(_signal: int, _frame: Any) -> None:
        service.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    service.run()
