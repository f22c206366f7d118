"""Work that falls due with time, run by the scheduler or on demand by ``casereview run-due``.

Each sweep reads only what is due (indexed queries on timer times, chase days and next mail
attempts) and makes each of its changes idempotently, in the same transaction as its record,
so running the sweeps twice, or in two processes at once, does each thing once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from engine.chasing.escalation import chase_due
from engine.chasing.mailer import MailResult, send_due
from engine.chasing.new_work import send_due_digests
from engine.chasing.scheduler import SweepFailed
from engine.core.db import Database
from engine.documents import Converter, PdfMaker
from engine.procedure import fire_due_timers
from engine.procedure.check_ins import send_due_check_ins
from engine.review.information_requests import chase_late_requests

log = logging.getLogger(__name__)
# Batches of mail a sweep sends at most, so a huge backlog cannot hold the sweep for hours.
MAX_MAIL_BATCHES = 100


def send_mail(db: Database, smtp_url: str, converter: Converter | None = None) -> MailResult:
    """Send every message whose attempt has come, batch by batch, stopping early when the
    mail server cannot be reached (the rest wait for the next sweep). An emailed letter's PDF
    is made by ``converter`` as its email goes; with none, letters go as Word files alone."""
    prepare = PdfMaker(converter) if converter is not None else None
    total = MailResult()
    for _ in range(MAX_MAIL_BATCHES):
        batch = send_due(db, smtp_url, prepare=prepare)
        total.sent += batch.sent
        total.retrying += batch.retrying
        total.failed += batch.failed
        if batch.sent == 0:
            break
    return total


def sweep_for(
    db: Database, smtp_url: str | None, converter: Converter | None = None
) -> Callable[[], dict[str, int]]:
    """What the scheduler runs every interval: every sweep once, at the time it runs."""
    return lambda: run_due(db, smtp_url=smtp_url, converter=converter)


def run_due(
    db: Database, *, smtp_url: str | None = None, converter: Converter | None = None
) -> dict[str, int]:
    """Run every sweep once at the clock's current time; each counts what it did.

    Timers first (they may make new tasks), then the check-ins after closure, then reminders
    and escalations and late requests for information, then the daily summaries of new work
    (all of which write the outbox), then mail. A sweep that fails does not stop the ones after
    it; SweepFailed is raised at the end, carrying the counts. Mail makes emailed letters'
    PDFs with ``converter`` (the process's LibreOffice for the service's settings).
    """
    done: dict[str, int] = {}
    failures: dict[str, str] = {}

    def attempt(name: str, sweep: Callable[[], None]) -> None:
        try:
            sweep()
        except Exception as error:  # noqa: BLE001 - one sweep's fault must not stop the rest
            log.exception("the %s sweep failed", name)
            failures[name] = str(error) or type(error).__name__

    def timers() -> None:
        done["timers_fired"] = fire_due_timers(db)

    def check_ins() -> None:
        done["check_ins_sent"] = send_due_check_ins(db)

    def chasing() -> None:
        chased = chase_due(db)
        done["tasks_reminded"] = chased.reminded
        done["tasks_escalated"] = chased.escalated

    def late_requests() -> None:
        done["information_requests_chased"] = chase_late_requests(db)

    def digests() -> None:
        done["digests_sent"] = send_due_digests(db)

    def mail() -> None:
        sent = send_mail(db, smtp_url or "", converter)
        done["mails_sent"] = sent.sent
        done["mails_to_retry"] = sent.retrying
        done["mails_failed"] = sent.failed

    done.update(
        timers_fired=0,
        check_ins_sent=0,
        tasks_reminded=0,
        tasks_escalated=0,
        information_requests_chased=0,
        digests_sent=0,
    )
    attempt("timers", timers)
    attempt("check-ins", check_ins)
    attempt("reminders and escalations", chasing)
    attempt("late requests for information", late_requests)
    attempt("daily summaries of new work", digests)
    if smtp_url:
        done.update(mails_sent=0, mails_to_retry=0, mails_failed=0)
        attempt("mail", mail)
    if failures:
        raise SweepFailed(done, failures)
    return done
