"""The queries of the cases list: which cases match, in which order, and the page's ids.

Need-to-know is the rule of ``access.visible_cases``: the cases the user's organisation takes
part in, or every case for an administrator who gave a reason.

A search with text starts from the database's text search index (``models.matching_words``):
the cases with those words, narrowed by the other criteria, are set apart first (a
materialised common table expression, which both databases keep as a fence), and only those
are checked for need-to-know and sorted. Left to itself, PostgreSQL may prefer to walk the
cases newest first and work out each one's words as it goes, which costs far more for a
common surname. A list with no text walks the indexes on ``cases`` (received date; status
and received date) and stops at the page.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, select, union_all
from sqlalchemy.orm import Session

from engine.core.models import CASE_STATUSES, Case, District, User, matching_words
from engine.core.search_text import search_words
from engine.people.access import visible_cases
from engine.work.case_list.criteria import PAGE_SIZE, CaseSearch

# A list is counted up to this many cases; beyond, it says "more than".
COUNTED = 1000


def order(sort: str, cases: Any) -> tuple[Any, ...]:
    """The order of ``sort`` over ``cases``: the cases table, or the columns of a set of
    them (``.id``, ``.received_on``, ``.reference``, ``.status``)."""
    if sort == "received-oldest":
        return (cases.received_on, cases.id)
    if sort == "reference":
        return (cases.reference,)
    newest = (cases.received_on.desc(), cases.id.desc())
    if sort == "status":
        stage = case(
            {status: position for position, status in enumerate(CASE_STATUSES)},
            value=cases.status,
            else_=len(CASE_STATUSES),
        )
        return (stage, *newest)
    return newest


def rows() -> Select:
    """What a row of the list shows, with the case's id."""
    return select(
        Case.id,
        Case.reference,
        Case.status,
        District.key,
        District.name,
        Case.received_on,
        Case.closed_on,
        Case.erased_on,
        Case.applicant,
        Case.victim,
    ).join(District, District.id == Case.district_id)


def matching(session: Session, user: User, search: CaseSearch, reason: str | None) -> Select:
    """Every case the user may see that matches the search, in its order, as rows."""
    conditions = [visible_cases(user, reason=reason), *narrowing(session, search)]
    return rows().where(*conditions).order_by(*order(search.sort, Case))


def narrowing(session: Session, search: CaseSearch) -> list[ColumnElement[bool]]:
    """The search's conditions on a case, need-to-know aside."""
    conditions: list[ColumnElement[bool]] = []
    if search.text:
        # A text of no letters or digits (only "%", say) has no word a case could match.
        dialect = session.get_bind().dialect.name
        conditions.append(matching_words(dialect, search_words(search.text)))
    if search.district:
        district = select(District.id).where(District.key == search.district)
        conditions.append(Case.district_id == district.scalar_subquery())
    if search.status:
        conditions.append(Case.status == search.status)
    if search.received_from:
        conditions.append(Case.received_on >= search.received_from)
    if search.received_to:
        conditions.append(Case.received_on <= search.received_to)
    return conditions


def page_ids(
    session: Session, user: User, search: CaseSearch, reason: str | None
) -> tuple[list[int], int]:
    """The ids of the page's cases in order, and of the case after them if there is one; and
    how many cases match, counted up to ``COUNTED + 1``."""
    offset = (search.page - 1) * PAGE_SIZE
    if search.text:
        return _found_by_text(session, user, search, reason, offset)
    conditions = [visible_cases(user, reason=reason), *narrowing(session, search)]
    counted = select(Case.id).where(*conditions).limit(COUNTED + 1).subquery()
    total = session.scalar(select(func.count()).select_from(counted)) or 0
    if search.sort == "status":
        return _by_status(session, conditions, offset), total
    ordered = select(Case.id).where(*conditions).order_by(*order(search.sort, Case))
    return list(session.scalars(ordered.offset(offset).limit(PAGE_SIZE + 1))), total


def _found_by_text(
    session: Session, user: User, search: CaseSearch, reason: str | None, offset: int
) -> tuple[list[int], int]:
    found = (
        select(Case.id, Case.received_on, Case.reference, Case.status)
        .where(*narrowing(session, search))
        .cte("found")
        .prefix_with("MATERIALIZED")
    )
    wanted = max(COUNTED + 1, offset + PAGE_SIZE + 1)
    ordered = (
        select(found.c.id)
        .where(visible_cases(user, reason=reason, case_id=found.c.id, one_by_one=True))
        .order_by(*order(search.sort, found.c))
        .limit(wanted)
    )
    ids = list(session.scalars(ordered))
    return ids[offset : offset + PAGE_SIZE + 1], min(len(ids), COUNTED + 1)


def _by_status(session: Session, conditions: list[ColumnElement[bool]], offset: int) -> list[int]:
    """By status with no text: each status's cases, newest first, are one range of the index
    on (status, received_on); the page comes from the first cases of each range, rather than
    from sorting every case the user may see. A status is always one of ``CASE_STATUSES``
    (``cases.status.set_status``)."""
    parts = []
    for position, status in enumerate(CASE_STATUSES):
        first = (
            select(Case.id, literal(position).label("position"), Case.received_on)
            .where(*conditions, Case.status == status)
            .order_by(Case.received_on.desc(), Case.id.desc())
            .limit(offset + PAGE_SIZE + 1)
            .subquery()
        )
        # Wrapped, because SQLite allows no ORDER BY or LIMIT on the parts of a UNION.
        parts.append(select(first.c.id, first.c.position, first.c.received_on))
    merged = union_all(*parts).subquery()
    ordered = select(merged.c.id).order_by(
        merged.c.position, merged.c.received_on.desc(), merged.c.id.desc()
    )
    return list(session.scalars(ordered.offset(offset).limit(PAGE_SIZE + 1)))
