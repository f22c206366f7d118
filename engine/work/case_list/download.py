"""The cases found by a search, every one of them, as CSV for a spreadsheet: for managers."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from engine.core import clock
from engine.core.audit.sentences import words
from engine.core.db import Database
from engine.core.errors import NotAllowed
from engine.core.models import User
from engine.core.spreadsheets import inert
from engine.work.case_list.criteria import CaseSearch
from engine.work.case_list.listing import CaseRow, as_row, record_search
from engine.work.case_list.query import matching

COLUMNS = (
    "Reference",
    "Date received",
    "District",
    "Status",
    "Applicant",
    "Address",
    "Postcode",
    "Victim",
    "Date closed",
)


@dataclass(frozen=True)
class CasesDownload:
    filename: str
    text: str
    rows: int


def may_download(user: User) -> bool:
    return user.active and user.has_role("manager")


def cases_csv(db: Database, user: User, search: CaseSearch) -> CasesDownload:
    """Every case ``user`` may see that matches ``search`` (its page aside), in its order,
    as CSV with a header row; recorded in the audit trail. ``NotAllowed`` for anyone but a
    manager. A cell starting like a formula is kept as text (``spreadsheets.inert``)."""
    if not may_download(user):
        raise NotAllowed("only a manager can download the list of cases")
    with db.read() as session:
        rows = [as_row(found) for found in session.execute(matching(session, user, search, None))]
    with db.transaction() as session:
        record_search(session, user, search, channel="download", reason=None, found=len(rows))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writer.writerows([inert(cell) for cell in _cells(row)] for row in rows)
    return CasesDownload(f"cases-{clock.today().isoformat()}.csv", buffer.getvalue(), len(rows))


def _cells(row: CaseRow) -> list[str]:
    return [
        row.reference,
        row.received_on.isoformat(),
        row.district_name,
        words(row.status),
        row.applicant_name,
        row.applicant_address,
        row.postcode,
        row.victim_name,
        row.closed_on.isoformat() if row.closed_on else "",
    ]
