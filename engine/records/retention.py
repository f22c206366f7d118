"""Retention: once a case has been closed for the area's retention period (``retention_years``
in the area file, 6 by default), its personal data is erased.

What goes: the applicant's and victim's details and account, what the application says beside
its incidents (where the behaviour happens, who is believed responsible, witnesses, the
outcome wanted, communication needs and the format of letters), what each incident report says
and its reference, every task's answers and draft, the data inside the stored workflows, the
findings, recommendation wording and appeal reasons, how the applicant chose to take part in
the meeting and their views on the plan (with the reasons they were not invited and how
their views were considered), the free text about the review's chair (a manager's reason for
appointing a chair who is not independent, the details of the chair's declarations of
interest), the comments given with the check-ins after closure, what other public bodies
were asked and their answers, the attached files, the content of every document made for the
case and the text of its messages. What stays are the anonymous facts the published figures
are counted from (district, dates, the threshold decision and its basis, reviews held, that
recommendations were made and to whom, appeals and their outcomes, the check-ins' answers)
and the audit trail, which is the record of what was done with the data. Each erasure and
each review of what is due is written to the audit trail.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, update
from sqlalchemy.orm import Session

from engine import runtime
from engine.core import audit, clock
from engine.core.area import current_settings
from engine.core.db import Database
from engine.core.errors import NotFound
from engine.core.models import (
    Appeal,
    Attachment,
    Case,
    ChairDeclaration,
    CheckIn,
    District,
    Document,
    Incident,
    InformationRequest,
    MeetingPart,
    Notification,
    ProcessInstance,
    Recommendation,
    Review,
    Task,
    User,
)

DEFAULT_RETENTION_YEARS = 6
# A case is at rest in these states; one under appeal or being reviewed again is not.
AT_REST = ("closed", "appeal_decided")


@dataclass(frozen=True)
class Erasure:
    """One case whose personal data is (or was) due for erasure, and how much of it there is."""

    reference: str
    district: str
    closed_on: date
    due_on: date
    incidents: int
    tasks: int
    attachments: int
    documents: int
    messages: int

    def as_dict(self) -> dict[str, Any]:
        return {
            **asdict(self),
            "closed_on": self.closed_on.isoformat(),
            "due_on": self.due_on.isoformat(),
        }


def retention_years(session: Session) -> int:
    years = current_settings(session).get("retention_years", DEFAULT_RETENTION_YEARS)
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise ValueError("the area's retention_years must be a whole number of years, at least 1")
    return years


def years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February, in a year without one
        return day.replace(year=day.year + years, day=28)


def _count(session: Session, model: Any, case_id: int) -> int:
    return session.execute(
        select(func.count()).select_from(model).where(model.case_id == case_id)
    ).scalar_one()


def due_for_erasure(
    session: Session, today: date | None = None, *, reference: str | None = None
) -> list[Erasure]:
    """Cases at rest whose retention period, counted from their closing or from the decision
    on their latest appeal, whichever is later, has run out; oldest first (only the case
    with ``reference``, when given)."""
    today = today or clock.today()
    years = retention_years(session)
    latest_close = years_after(today, -years)
    later_appeal = exists().where(
        Appeal.case_id == Case.id,
        or_(
            Appeal.decided_on.is_(None),
            Appeal.decided_on > latest_close,
            Appeal.received_on > latest_close,
        ),
    )
    still_running = exists().where(
        ProcessInstance.case_id == Case.id, ProcessInstance.state == "running"
    )
    query = (
        select(Case, District.name)
        .join(District, District.id == Case.district_id)
        .where(
            Case.erased_on.is_(None),
            Case.status.in_(AT_REST),
            Case.closed_on <= latest_close,
            ~later_appeal,
            ~still_running,
        )
        .order_by(Case.closed_on, Case.id)
    )
    if reference is not None:
        query = query.where(Case.reference == reference)
    rows = session.execute(query).all()
    due = []
    for case, district in rows:
        if case.closed_on is None:  # never: only cases closed long enough ago were asked for
            continue
        last_appeal = session.scalar(
            select(func.max(Appeal.decided_on)).where(Appeal.case_id == case.id)
        )
        rest_from = max(case.closed_on, last_appeal or case.closed_on)
        due.append(
            Erasure(
                reference=case.reference,
                district=district,
                closed_on=rest_from,
                due_on=years_after(rest_from, years),
                incidents=_count(session, Incident, case.id),
                tasks=_count(session, Task, case.id),
                attachments=_count(session, Attachment, case.id),
                documents=_count(session, Document, case.id),
                messages=_count(session, Notification, case.id),
            )
        )
    return due


def review_due(session: Session, *, user: User | None = None, channel: str = "") -> list[Erasure]:
    """What would be erased today (a dry run), recorded in the audit trail."""
    due = due_for_erasure(session)
    audit.record(
        session,
        "retention.reviewed",
        user=user,
        object_type="retention",
        detail={
            "retention_years": retention_years(session),
            "due": [item.reference for item in due],
            **({"channel": channel} if channel else {}),
        },
    )
    return due


def erase_case(
    session: Session, reference: str, *, user: User | None = None, channel: str = ""
) -> Erasure:
    """Erase the personal data of one case that is due, keeping the facts; all or nothing."""
    # Locked first, so two runs at once erase it once and record it once.
    case = session.scalar(select(Case).where(Case.reference == reference).with_for_update())
    due = due_for_erasure(session, reference=reference)
    if case is None or not due:
        raise NotFound(f"case {reference} is not due for erasure")
    (item,) = due
    case.applicant = {}
    case.victim = None
    case.impact = ""
    case.details = {}
    case.hate_element_reason = None
    # The risk assessment's answers say how the victim lives and what they fear; its level
    # is a fact of the case, like the decision's basis, and stays.
    case.risk = None
    session.execute(
        update(Incident)
        .where(Incident.case_id == case.id)
        .values(description="", reference="", reported_to_other="", mark_reason="")
    )
    session.execute(update(Task).where(Task.case_id == case.id).values(data=None, draft=None))
    for instance in session.scalars(
        select(ProcessInstance).where(ProcessInstance.case_id == case.id)
    ):
        runtime.erase_instance_data(session, instance)
    reviews = select(Review.id).where(Review.case_id == case.id)
    session.execute(
        update(Review)
        .where(Review.case_id == case.id)
        .values(
            findings="",
            attendees=None,
            not_invited_reasons=None,
            applicant_views=None,
            views_considered=None,
            chair_reason=None,
        )
    )
    session.execute(
        update(ChairDeclaration).where(ChairDeclaration.review_id.in_(reviews)).values(details="")
    )
    session.execute(delete(MeetingPart).where(MeetingPart.case_id == case.id))
    session.execute(update(CheckIn).where(CheckIn.case_id == case.id).values(comment=""))
    session.execute(
        update(InformationRequest)
        .where(InformationRequest.case_id == case.id)
        .values(asked="", answer="")
    )
    session.execute(
        update(Recommendation)
        .where(Recommendation.review_id.in_(reviews))
        .values(action="", notes="")
    )
    session.execute(
        update(Appeal)
        .where(Appeal.case_id == case.id)
        .values(details="", eligibility_reasons="", outcome_reasons="")
    )
    session.execute(delete(Attachment).where(Attachment.case_id == case.id))
    session.execute(
        update(Document)
        .where(Document.case_id == case.id)
        .values(content=b"", detail={"erased": True})
    )
    session.execute(
        update(Notification).where(Notification.case_id == case.id).values(body="", email="")
    )
    case.erased_on = clock.today()
    audit.record(
        session,
        "case.erased",
        user=user,
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={
            "closed_on": item.closed_on.isoformat(),
            "retention_years": retention_years(session),
            "incidents": item.incidents,
            "tasks": item.tasks,
            "attachments": item.attachments,
            "documents": item.documents,
            "messages": item.messages,
            **({"channel": channel} if channel else {}),
        },
    )
    return item


def apply_retention(db: Database, *, user: User | None = None, channel: str = "") -> list[Erasure]:
    """Erase every case that is due, one transaction per case: what is erased stays erased
    should a later case fail, and a case another run erased meanwhile is passed over."""
    with db.read() as session:
        references = [item.reference for item in due_for_erasure(session)]
    erased = []
    for reference in references:
        try:
            with db.transaction() as session:
                erased.append(erase_case(session, reference, user=user, channel=channel))
        except NotFound:
            continue
    with db.transaction() as session:
        audit.record(
            session,
            "retention.applied",
            user=user,
            object_type="retention",
            detail={
                "erased": [item.reference for item in erased],
                **({"channel": channel} if channel else {}),
            },
        )
    return erased
