"""The cases a user may see that match a search, a page at a time, each search recorded.

Which cases, in which order, is ``query``'s. A list shows names and addresses, so each search
is written to the audit trail: who looked for what, how many were found and which cases were
shown.

The list is read first and the search recorded after, in a short write transaction of its
own, so a long read never holds SQLite's write lock; nothing is shown before it is recorded.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core import audit
from engine.core.db import Database
from engine.core.models import Case, User
from engine.core.postcodes import written_postcode
from engine.people.access import visible_cases
from engine.work.case_list.criteria import PAGE_SIZE, CaseSearch
from engine.work.case_list.query import COUNTED, page_ids, rows

_REFERENCE = re.compile(r"^[A-Z]+-\d{4}-\d+$")


@dataclass(frozen=True)
class CaseRow:
    """One case as a list shows it. An erased case has no applicant or victim any more."""

    reference: str
    status: str
    district_key: str
    district_name: str
    received_on: date
    closed_on: date | None
    erased: bool
    applicant_name: str
    applicant_address: str
    postcode: str
    victim_name: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class CasePage:
    """One page of the cases found: ``total`` counted up to ``COUNTED`` (``total_is_exact``
    false beyond), whether a page follows, and ``exact``: the reference searched for, when it
    is the whole of the search and a case the user may see has it."""

    search: CaseSearch
    rows: list[CaseRow]
    total: int
    total_is_exact: bool
    has_next: bool
    exact: str | None = None

    @property
    def first(self) -> int:
        return (self.search.page - 1) * PAGE_SIZE + 1

    @property
    def last(self) -> int:
        return self.first + len(self.rows) - 1

    @property
    def pages(self) -> int | None:
        """How many pages there are, when the count is exact."""
        return -(-self.total // PAGE_SIZE) if self.total_is_exact else None


def find_cases(
    db: Database,
    user: User,
    search: CaseSearch,
    *,
    reason: str | None = None,
    channel: str = "cases page",
) -> CasePage:
    """One page of the cases ``user`` may see that match ``search``, recorded in the audit
    trail with ``reason`` (an administrator's) and ``channel`` (where it was asked)."""
    with db.read() as session:
        found = _page(session, user, search, reason)
    with db.transaction() as session:
        record_search(
            session,
            user,
            search,
            channel=channel,
            reason=reason,
            found=found.total,
            found_more=not found.total_is_exact,
            shown=[row.reference for row in found.rows],
        )
    return found


def record_search(
    session: Session,
    user: User,
    search: CaseSearch,
    *,
    channel: str,
    reason: str | None,
    found: int,
    found_more: bool = False,
    shown: Sequence[str] | None = None,
) -> None:
    """A search in the audit trail: what was looked for, how many were found (``found_more``
    when more than that were, beyond what is counted) and the references shown (a download
    shows them all, so lists none)."""
    detail: dict[str, Any] = {
        "looked_for": search.looked_for(),
        "sort": search.sort,
        "found": found,
        "channel": channel,
    }
    if found_more:
        detail["found_more"] = True
    if shown is not None:
        detail.update(page=search.page, shown=list(shown))
    audit.record(
        session,
        "cases.searched",
        user=user,
        object_type="cases",
        detail=detail,
        justification=(reason or "").strip() or None,
    )


def as_row(found: Any) -> CaseRow:
    applicant = found.applicant or {}
    return CaseRow(
        reference=found.reference,
        status=found.status,
        district_key=found.key,
        district_name=found.name,
        received_on=found.received_on,
        closed_on=found.closed_on,
        erased=found.erased_on is not None,
        applicant_name=str(applicant.get("name") or ""),
        applicant_address=str(applicant.get("address") or ""),
        postcode=written_postcode(applicant),
        victim_name=str((found.victim or {}).get("name") or ""),
    )


def _page(session: Session, user: User, search: CaseSearch, reason: str | None) -> CasePage:
    ids, total = page_ids(session, user, search, reason)
    shown = ids[:PAGE_SIZE]
    # The page's rows read by id: the cases skipped to reach it are read in the indexes alone.
    found = {row.id: row for row in session.execute(rows().where(Case.id.in_(shown)))}
    return CasePage(
        search=search,
        rows=[as_row(found[case_id]) for case_id in shown if case_id in found],
        total=min(total, COUNTED),
        total_is_exact=total <= COUNTED,
        has_next=len(ids) > PAGE_SIZE,
        exact=_exact(session, user, search, reason),
    )


def _exact(session: Session, user: User, search: CaseSearch, reason: str | None) -> str | None:
    reference = search.text.strip().upper()
    if search.narrowed or not _REFERENCE.match(reference):
        return None
    return session.scalar(
        select(Case.reference).where(
            Case.reference == reference, visible_cases(user, reason=reason)
        )
    )
