"""The follow-up after a case closes: when its applicant is asked "Is the anti-social
behaviour still happening?".

A case closed at the end of its review is given its check-ins at once, at the months after
the closure the area sets then (``follow_up_months``), so a later change to the area file
does not move the dates of cases already closed. A fresh review (after an upheld appeal)
closes the case again: the check-ins not yet sent start over from the new closure.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.cases.threshold import add_months
from engine.core import audit
from engine.core.area import follow_up_months
from engine.core.models import Case, CheckIn

QUESTION = "Is the anti-social behaviour still happening?"


def schedule_check_ins(session: Session, case: Case) -> list[CheckIn]:
    """Give a case that has just closed its check-ins; none when the area asks for none."""
    if case.closed_on is None:
        return []
    session.execute(delete(CheckIn).where(CheckIn.case_id == case.id, CheckIn.sent_at.is_(None)))
    kept = set(
        session.execute(
            select(CheckIn.due_on, CheckIn.months).where(CheckIn.case_id == case.id)
        ).all()
    )
    rows = [
        CheckIn(
            case_id=case.id,
            months=months,
            due_on=add_months(case.closed_on, months),
            comment="",
            answered_by="",
        )
        for months in follow_up_months(session)
    ]
    rows = [row for row in rows if (row.due_on, row.months) not in kept]
    if not rows:
        return []
    session.add_all(rows)
    audit.record(
        session,
        "check_ins.scheduled",
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"due_on": [row.due_on.isoformat() for row in rows]},
    )
    return rows
