"""The applicant's own case, as they may see it: nothing about other people, nothing from the
agencies' returns. Each look is written to the case's audit trail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from engine.cases.details import details_of
from engine.core import audit, clock
from engine.core.errors import NotFound
from engine.core.models import (
    LIVE_TASK_STATES,
    Appeal,
    Attachment,
    Case,
    Document,
    Organisation,
    Recommendation,
    Review,
    Task,
)
from engine.core.workdays import as_date
from engine.documents import DOCX_MEDIA_TYPE, LETTER_KINDS, Download
from engine.documents.letters.shared import case_contact
from engine.intake.appeals import APPEAL_PROCESS
from engine.people.access import record_disclosure
from engine.people.applicant_codes import ApplicantAccess
from engine.review.appeal_rules import NOT_DELIVERED, undelivered_window_closes
from engine.review.applicant_part import applicant_part
from engine.review.reviews import current_review
from engine.runtime import running_instances

# Each status as the applicant reads it: where the review stands, and what happens next.
STAGES: dict[str, tuple[str, str]] = {
    "received": (
        "We have your application",
        "We will acknowledge it and check what kind of review it needs.",
    ),
    "screening": (
        "We are checking your application",
        "Next we ask the police, the housing providers, health services and the council what "
        "they know about the behaviour.",
    ),
    "awaiting_information": (
        "We are asking each agency what it knows",
        "Next we decide whether the threshold for a case review is met, and write to you.",
    ),
    "threshold_decision": (
        "We are deciding whether the threshold for a case review is met",
        "We will write to you with the decision and our reasons.",
    ),
    "review_being_arranged": (
        "The threshold is met: we are arranging the case review meeting",
        "A senior officer will chair a meeting of the agencies to look at how they have "
        "responded and agree what should be done.",
    ),
    "review_held": (
        "The case review meeting has been held",
        "We will write to you with the outcome and the actions agreed.",
    ),
    "action_plan": (
        "The agencies are carrying out the actions agreed",
        "Each agency does its actions by their dates; you can see how each stands below.",
    ),
    "appeal_lodged": (
        "Your appeal is with the Office of the Police and Crime Commissioner",
        "They will decide whether to uphold it and write to you.",
    ),
    "appeal_decided": (
        "The Office of the Police and Crime Commissioner has decided your appeal",
        "Their letter to you says what happens next.",
    ),
    "closed": (
        "Your case review is closed",
        "If the behaviour goes on, report each incident (to the police on 101, or 999 in an "
        "emergency) and contact us: you can apply for a new case review.",
    ),
}


@dataclass(frozen=True)
class Contact:
    name: str
    organisation: str
    phone: str
    email: str


@dataclass(frozen=True)
class SentLetter:
    id: int
    title: str
    letter_date: date


@dataclass(frozen=True)
class Action:
    organisation: str
    action: str
    due_date: date
    done: bool


@dataclass(frozen=True)
class AppealChance:
    """Whether the applicant may appeal now: against which letter, by when, on which
    grounds; or why not (``reason``)."""

    open: bool
    letter_title: str = ""
    letter_date: date | None = None
    closes_on: date | None = None
    grounds: tuple[str, ...] = ()
    reason: str = ""


@dataclass(frozen=True)
class Told:
    """What their application said about them: where the behaviour happens, what they would
    like to happen, what they need and the format of their letters ('' where it said nothing).
    Who they named as responsible or as witnesses is about other people, and is not shown."""

    place: str = ""
    outcome: str = ""
    communication_needs: str = ""
    letters_in: str = ""


@dataclass(frozen=True)
class YourCase:
    reference: str
    district: str
    received_on: date
    status: str
    stage: str
    next_step: str
    next_by: date | None
    closed_on: date | None
    contact: Contact
    letters: list[SentLetter]
    actions: list[Action]
    appeal: AppealChance
    # Their part in the review: whether they may say (or change) how they take part in the
    # meeting, what they chose, and the date the draft plan is open to their views until.
    part_offered: bool = False
    part_chosen: str = ""
    views_open_until: date | None = None
    # The names of the files they sent with their latest appeal.
    appeal_files: tuple[str, ...] = ()
    told: Told = Told()


def applicant_case(
    session: Session, access: ApplicantAccess, reference: str, *, purpose: str = "your case"
) -> Case:
    """The case with this reference when the applicant's codes opened it; ``NotFound``
    otherwise, the same as for a case that does not exist. The look is audited."""
    case = session.scalar(
        select(Case)
        .where(Case.reference == (reference or "").strip().upper())
        .options(joinedload(Case.district))
    )
    if case is None or not access.reaches(case.id) or case.erased_on is not None:
        raise NotFound("there is no such case")
    audit.record(
        session,
        "case.viewed",
        case_id=case.id,
        object_type="case",
        object_id=case.reference,
        detail={"by": "applicant", "purpose": purpose},
    )
    return case


def your_case(session: Session, access: ApplicantAccess, reference: str) -> YourCase:
    """Everything the applicant's case page shows."""
    case = applicant_case(session, access, reference)
    stage, next_step = STAGES.get(case.status, (case.status.replace("_", " ").capitalize(), ""))
    contact = case_contact(session, case)
    return YourCase(
        reference=case.reference,
        district=case.district.name,
        received_on=case.received_on,
        status=case.status,
        stage=stage,
        next_step=next_step,
        next_by=None if case.status == "closed" else _next_due(session, case),
        closed_on=case.closed_on,
        contact=Contact(contact.person or contact.name, contact.name, contact.phone, contact.email),
        letters=letters_sent(session, case),
        actions=_actions(session, case),
        appeal=appeal_chance(session, case),
        **_part(session, case),
        appeal_files=appeal_files(session, case.id),
        told=_told(case),
    )


def _told(case: Case) -> Told:
    said = details_of(case.details)
    return Told(said.place, said.outcome, said.communication_needs, said.letters_in)


def appeal_files(session: Session, case_id: int) -> tuple[str, ...]:
    """The names of the files sent with the case's latest appeal, as they are kept."""
    latest = (
        select(Appeal.id)
        .where(Appeal.case_id == case_id)
        .order_by(Appeal.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return tuple(
        session.scalars(
            select(Attachment.filename)
            .where(Attachment.appeal_id == latest)
            .order_by(Attachment.id)
        )
    )


def _part(session: Session, case: Case) -> dict[str, Any]:
    review = current_review(session, case)
    part = applicant_part(session, case, review)
    held = review is not None and review.held_on is not None
    waiting = session.scalar(
        select(Task.id).where(
            Task.case_id == case.id,
            Task.form == "applicant_views",
            Task.state.in_(LIVE_TASK_STATES),
        )
    )
    return {
        "part_offered": bool(case.threshold_met) and case.status != "closed" and not held,
        "part_chosen": part.choice_text if part.choice else "",
        "views_open_until": part.views_due_on if waiting is not None else None,
    }


def _next_due(session: Session, case: Case) -> date | None:
    """The soonest date a waiting step of the case is due by."""
    return session.scalar(
        select(func.min(Task.due_on)).where(
            Task.case_id == case.id, Task.state.in_(LIVE_TASK_STATES)
        )
    )


def letters_sent(session: Session, case: Case) -> list[SentLetter]:
    """The letters written to the applicant, oldest first."""
    rows = session.scalars(
        select(Document)
        .where(Document.case_id == case.id, Document.kind.in_(LETTER_KINDS))
        .order_by(Document.created_at, Document.id)
    )
    return [_sent(row) for row in rows]


def _sent(row: Document) -> SentLetter:
    detail: dict[str, Any] = row.detail or {}
    when = detail.get("letter_date")
    return SentLetter(
        id=row.id,
        title=str(detail.get("title") or row.kind.replace("_", " ").capitalize()),
        letter_date=as_date(when) if when else row.created_at.date(),
    )


def _actions(session: Session, case: Case) -> list[Action]:
    """The actions agreed at the latest review held."""
    review_id = session.scalar(
        select(Review.id)
        .where(Review.case_id == case.id, Review.held_on.is_not(None))
        .order_by(Review.number.desc())
        .limit(1)
    )
    if review_id is None:
        return []
    rows = session.execute(
        select(Organisation.name, Recommendation.action, Recommendation.due_date, Recommendation)
        .join(Organisation, Organisation.id == Recommendation.organisation_id)
        .where(Recommendation.review_id == review_id)
        .order_by(Recommendation.due_date, Recommendation.id)
    ).all()
    return [
        Action(name, action, due, recommendation.completed_on is not None)
        for name, action, due, recommendation in rows
    ]


def appeal_chance(session: Session, case: Case) -> AppealChance:
    """Whether the applicant may appeal now: against the latest letter that gave them an
    appeal route, until its deadline, while no other appeal of theirs is with the OPCC."""
    letters = session.scalars(
        select(Document)
        .where(Document.case_id == case.id, Document.kind.in_(LETTER_KINDS))
        .order_by(Document.created_at.desc(), Document.id.desc())
    )
    latest = next((row for row in letters if (row.detail or {}).get("appeal_deadline")), None)
    if latest is None:
        return AppealChance(False, reason="There is no decision to appeal against yet.")
    detail = latest.detail or {}
    sent = _sent(latest)
    closes_on = as_date(detail["appeal_deadline"])
    chance = AppealChance(
        True,
        letter_title=sent.title,
        letter_date=sent.letter_date,
        closes_on=closes_on,
        grounds=tuple(detail.get("appeal_grounds") or ()),
    )
    if running_instances(session, case.id, APPEAL_PROCESS):
        return AppealChance(
            False,
            letter_title=sent.title,
            letter_date=sent.letter_date,
            closes_on=closes_on,
            reason="Your appeal is with the Office of the Police and Crime Commissioner: they "
            "decide it, and tell you, before another can be made.",
        )
    if clock.today() > closes_on:
        action_window = undelivered_window_closes(session, case.id, clock.today())
        if action_window is not None:
            # An action left undone past its due date opens that one ground again.
            return AppealChance(
                True,
                letter_title=sent.title,
                letter_date=sent.letter_date,
                closes_on=action_window,
                grounds=(NOT_DELIVERED,),
            )
        return AppealChance(
            False,
            letter_title=sent.title,
            letter_date=sent.letter_date,
            closes_on=closes_on,
            reason=f"The time to appeal against the letter of {sent.letter_date:%-d %B %Y} "
            f"ended on {closes_on:%-d %B %Y}.",
        )
    return chance


def applicant_letter(
    session: Session, access: ApplicantAccess, reference: str, document_id: int
) -> Download:
    """A letter written to the applicant, to read again; ``NotFound`` for anything else. The
    download is recorded as a disclosure to the applicant."""
    case = applicant_case(session, access, reference, purpose="a letter")
    document = session.get(Document, document_id)
    if document is None or document.case_id != case.id or document.kind not in LETTER_KINDS:
        raise NotFound("there is no such letter")
    record_disclosure(
        session,
        None,
        case.id,
        f"{document.kind.replace('_', ' ')} v{document.version}, to the applicant",
        "document",
        document.id,
        {"kind": document.kind, "version": document.version, "sha256": document.sha256},
    )
    return Download(document.filename, DOCX_MEDIA_TYPE, document.content, document.id)
